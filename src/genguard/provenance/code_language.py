"""Which language two source files are in, checked against what they are: file suffixes, an
explicit language, and how much of a file its grammar fails to parse.

`resolve_language` is what `genguard provenance code-compare` uses, so that an explicit language
contradicting a file (Python compared as Java flips the verdict) or an empty file is an error
instead of a silent wrong answer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import tree_sitter

from genguard.errors import InvalidInputError
from genguard.provenance.code_tokens import (
    _SUFFIXES,
    SUPPORTED_LANGUAGES,
    _error_query,
    _language,
    canonical_language,
    guess_language,
    head_bytes,
    source_bytes,
)

# Language checks (resolve_language; error_share measures what these mean).
MAX_ERROR_SHARE = 0.25  # a file of unknown suffix with more of itself in errors is not in the given language
CLEAN_ERROR_SHARE = 0.05  # a guessed language must parse a file of unknown suffix at least this cleanly
_FAMILY = {"cpp": "c"}  # C sources are valid enough C++ (and .h is both) to be compared as either


def error_share(source: str | bytes, language: str) -> float:
    """Share (0..1) of a source's non-whitespace bytes that lie inside tree-sitter ERROR nodes when
    parsed as `language` (first CHUNK_BYTES only); 0.0 for a clean parse or an empty source.

    Measured (this machine's files): 60 Python standard-library modules have share 0.00 as Python;
    above MAX_ERROR_SHARE (0.25) as Java, C, C++ and JavaScript: 97 %, 98 %, 98 %, 95 % of them.
    40 C headers of /usr/include (macro-heavy: the preprocessor is not parsed) are above 0.25 as C
    for 17 %, as C++ for 5 %. So a high share says "not this language" reliably for ordinary code;
    the file suffix is the stronger evidence and, when known, decides alone.
    """
    name = canonical_language(language)
    data = head_bytes(source)
    total = len(data.strip())
    tree = tree_sitter.Parser(_language(name)).parse(data)
    if not total or not tree.root_node.has_error:
        return 0.0
    errors = tree_sitter.QueryCursor(_error_query(name)).captures(tree.root_node).get("error", [])
    covered, end = 0, -1
    for node in sorted(errors, key=lambda n: n.start_byte):  # nested ERROR nodes count once
        start = max(node.start_byte, end)
        if node.end_byte > start:
            covered += node.end_byte - start
            end = node.end_byte
    return min(1.0, covered / total)


def resolve_language(files: Sequence[tuple[str, str | bytes]], language: str | None = None) -> str:
    """The language to compare `files` ((path, source) pairs) in, checked against what they are.

    - An empty source is an error (it would parse as anything).
    - With `language`: a file whose suffix names another language is an error (C and C++ count as
      one family: a .h file may be C++); a file with no telling suffix must parse in `language`
      with at most MAX_ERROR_SHARE of its bytes in syntax errors.
    - Without: the suffixes decide when they agree (files in two languages are an error); with no
      telling suffix, the best-parsing grammar is taken only when its parse is clean (at most
      CLEAN_ERROR_SHARE in errors), else the caller is asked to pass the language.
    Returns the canonical name; InvalidInputError with a one-line reason otherwise."""
    for path, source in files:
        if not source_bytes(source).strip():
            raise InvalidInputError(f"{path} is empty: nothing to compare")
    by_suffix = {path: _SUFFIXES.get(os.path.splitext(path)[1].lower()) for path, _ in files}
    unknown = [(path, source) for path, source in files if by_suffix[path] is None]
    if language is not None:
        name = canonical_language(language)
        for path, known in by_suffix.items():
            if known is not None and _FAMILY.get(known, known) != _FAMILY.get(name, name):
                raise InvalidInputError(
                    f"--language {name} contradicts {path}, whose suffix says {known}; drop --language "
                    "or rename the file"
                )
        for path, source in unknown:
            share = error_share(source, name)
            if share > MAX_ERROR_SHARE:
                raise InvalidInputError(
                    f"{path} does not parse as {name} ({share:.0%} of it in syntax errors); pass its "
                    "real language with --language"
                )
        return name
    known = sorted({lang for lang in by_suffix.values() if lang is not None})
    if len(known) > 1:
        raise InvalidInputError(
            f"the files are in different languages ({', '.join(known)}); code is compared within one language"
        )
    if not unknown:
        return known[0]
    name = known[0] if known else guess_language(*(source for _, source in unknown))
    for path, source in unknown:
        share = error_share(source, name)
        if share > CLEAN_ERROR_SHARE:
            raise InvalidInputError(
                f"cannot tell the language of {path} from its suffix, and it does not parse cleanly as "
                f"{name} ({share:.0%} in syntax errors); pass --language "
                f"({', '.join(SUPPORTED_LANGUAGES)})"
            )
    return name
