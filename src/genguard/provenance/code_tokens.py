"""Source code as a normalised token stream, from tree-sitter's parse tree (no regex lexer).

Supported languages: python, java, c, cpp, javascript (aliases such as "py", "c++", "js" and file
suffixes .py .java .c .h .cc .cpp .cxx .hpp .js .mjs .cjs are accepted). The compiled grammars ship
in the tree-sitter-<language> wheels; nothing is fetched at run time.

Normalisation, leaf by leaf in source order (what makes fingerprints blind to renaming and to
changed constants):

- every identifier-like leaf (a named leaf whose node type ends in "identifier": identifier,
  field_identifier, type_identifier, property_identifier, namespace_identifier, ...) becomes "V";
- every literal (numbers, strings with their interpolations, characters, template strings,
  regular expressions, C's <system headers>) becomes one "L", however many children it has;
- comments are dropped; tokens that error recovery invented (MISSING) are dropped;
- keywords and operators stay as they are (the anonymous node's type is its text); true, false,
  null/None, this/self-like keywords stay as themselves (changing them changes the program);
- other named leaves (C's primitive_type, ...) keep their text when it is a short word, otherwise
  their node type (ERROR leaves become "ERROR").

With `normalize=False` identifiers and literals keep their text (the raw-token baseline of the
benchmark). With `keep_builtins=True` identifiers that name well-known builtins and library types
(`len`, `String`, `printf`, `console` ...) keep their name; benchmarks/code_similarity.py measures
both settings: keeping them did not help (the tuning half picked keep_builtins=False, the default
of genguard.provenance.code).

Limits: a source larger than MAX_SOURCE_BYTES (64 MB of UTF-8) is refused with InvalidInputError.
tree-sitter's tree needs about 25x the bytes it covers, so sources over CHUNK_BYTES (1 MB) are
parsed in pieces cut at top-level line starts: peak memory stays within a few times the source.
Bytes that are not UTF-8 are refused; syntax errors and binary junk are tokenised from tree-sitter's
error-recovered tree (never an exception).
"""

from __future__ import annotations

import builtins
import hashlib
import os
import re
from array import array
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import tree_sitter
import tree_sitter_c
import tree_sitter_cpp
import tree_sitter_java
import tree_sitter_javascript
import tree_sitter_python

from genguard.errors import InvalidInputError

SUPPORTED_LANGUAGES: tuple[str, ...] = ("python", "java", "c", "cpp", "javascript")
MAX_SOURCE_BYTES = 64_000_000
CHUNK_BYTES = 1_000_000
VARIABLE = "V"
LITERAL = "L"

_GRAMMARS = {
    "python": tree_sitter_python.language,
    "java": tree_sitter_java.language,
    "c": tree_sitter_c.language,
    "cpp": tree_sitter_cpp.language,
    "javascript": tree_sitter_javascript.language,
}
_ALIASES = {
    "python": "python",
    "py": "python",
    "python3": "python",
    "java": "java",
    "c": "c",
    "cpp": "cpp",
    "c++": "cpp",
    "cxx": "cpp",
    "cc": "cpp",
    "javascript": "javascript",
    "js": "javascript",
    "node": "javascript",
    "ecmascript": "javascript",
}
_SUFFIXES = {
    ".py": "python",
    ".pyw": "python",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
}
_LITERALS = {
    "python": frozenset({"string", "concatenated_string", "integer", "float"}),
    "java": frozenset(
        {
            "decimal_integer_literal",
            "hex_integer_literal",
            "octal_integer_literal",
            "binary_integer_literal",
            "decimal_floating_point_literal",
            "hex_floating_point_literal",
            "character_literal",
            "string_literal",
        }
    ),
    "c": frozenset(
        {"number_literal", "char_literal", "string_literal", "concatenated_string", "system_lib_string"}
    ),
    "cpp": frozenset(
        {
            "number_literal",
            "char_literal",
            "string_literal",
            "concatenated_string",
            "system_lib_string",
            "raw_string_literal",
            "user_defined_literal",
        }
    ),
    "javascript": frozenset({"number", "string", "template_string", "regex"}),
}
_COMMENTS = frozenset({"comment", "line_comment", "block_comment", "html_comment"})


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_C_BUILTINS = _names(
    "EOF FILE NULL abs assert atoi atol bool calloc errno exit fclose fgets fopen fprintf fputs "
    "fread free fwrite getchar int16_t int32_t int64_t int8_t intptr_t malloc memcmp memcpy "
    "memmove memset printf ptrdiff_t putchar puts realloc scanf size_t snprintf sprintf sscanf "
    "ssize_t stderr stdin stdout strcat strchr strcmp strcpy strdup strlen strncmp strncpy "
    "strrchr strstr strtod strtol uint16_t uint32_t uint64_t uint8_t uintptr_t"
)
_BUILTINS = {
    "python": frozenset(name for name in dir(builtins) if not name.startswith("_")) | {"self", "cls"},
    "java": _names(
        "ArrayList Arrays Boolean Byte Character Class Collection Collections Double Error "
        "Exception Float HashMap HashSet IOException IllegalArgumentException IllegalStateException "
        "Integer Iterator LinkedHashMap LinkedList List Long Map Math NullPointerException Object "
        "Objects Optional Override Runnable RuntimeException Set Short String StringBuffer "
        "StringBuilder System Thread Throwable TreeMap TreeSet add append contains equals err "
        "format get hashCode length out print printf println put remove size toString valueOf"
    ),
    "c": _C_BUILTINS,
    "cpp": _C_BUILTINS
    | _names(
        "begin cerr cin cout end endl erase find insert make_pair make_shared make_unique map max "
        "min move nullptr_t pair push_back set shared_ptr size sort std string swap tuple "
        "unique_ptr unordered_map unordered_set vector"
    ),
    "javascript": _names(
        "Array Boolean Date Error JSON Map Math Number Object Promise RegExp Set String Symbol "
        "TypeError catch console constructor document exports filter forEach indexOf isNaN join "
        "keys length log map module parseFloat parseInt pop prototype push reduce require "
        "setTimeout shift slice splice split then values window"
    ),
}
_KEPT_NAMED_LEAVES = frozenset({"primitive_type"})
_CUTS = (re.compile(rb"\n\n(?=[^\s])"), re.compile(rb"\n(?=[^\s])"), re.compile(rb"\n"))


def canonical_language(language: str) -> str:
    """The canonical name ("python", "java", "c", "cpp", "javascript") of a language name or alias.

    InvalidInputError naming the supported languages for anything else."""
    if not isinstance(language, str):
        raise InvalidInputError(
            f"language must be a string, one of {', '.join(SUPPORTED_LANGUAGES)}; "
            f"got {type(language).__name__}"
        )
    found = _ALIASES.get(language.strip().lower())
    if found is None:
        raise InvalidInputError(
            f"unsupported language {language!r}: supported languages are {', '.join(SUPPORTED_LANGUAGES)} "
            "(aliases py, c++, js; or pass a file path with a known suffix)"
        )
    return found


def language_from_path(path: str | os.PathLike[str]) -> str:
    """The language of a file from its suffix (.py .java .c .h .cc .cpp .cxx .hpp .js .mjs .cjs)."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    found = _SUFFIXES.get(suffix)
    if found is None:
        raise InvalidInputError(
            f"cannot tell the language of {os.fspath(path)!r} from its suffix {suffix!r}: supported "
            f"languages are {', '.join(SUPPORTED_LANGUAGES)} ({' '.join(sorted(_SUFFIXES))}); pass language="
        )
    return found


@cache
def _language(name: str) -> tree_sitter.Language:
    return tree_sitter.Language(_GRAMMARS[name]())


@cache
def _error_query(name: str) -> tree_sitter.Query:
    return tree_sitter.Query(_language(name), "(ERROR) @error")


def source_bytes(source: str | bytes) -> bytes:
    """The UTF-8 bytes of a source; InvalidInputError for non-UTF-8 bytes, a wrong type or a source
    over MAX_SOURCE_BYTES."""
    if isinstance(source, str):
        if len(source) > MAX_SOURCE_BYTES:  # a char is at least one byte: refuse before encoding
            raise _too_large(len(source))
        try:
            data = source.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInputError(
                f"source contains characters that cannot be UTF-8 encoded ({exc.reason} at {exc.start}); "
                "pass text decoded from a real file"
            ) from None
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                f"source is not valid UTF-8 (byte {exc.start}: {exc.reason}); decode it with its real "
                "encoding and pass a str"
            ) from None
    else:
        raise InvalidInputError(f"source must be str or bytes, got {type(source).__name__}")
    if len(data) > MAX_SOURCE_BYTES:
        raise _too_large(len(data))
    return data


def _too_large(size: int) -> InvalidInputError:
    return InvalidInputError(
        f"source is {size:,} bytes; code fingerprints accept at most {MAX_SOURCE_BYTES:,} bytes "
        "(64 MB) per source: split it into files or modules"
    )


def parse(source: str | bytes, language: str) -> tree_sitter.Tree:
    """tree-sitter's parse tree of a whole source (syntax errors become ERROR nodes, never an
    exception). The tree needs about 25x the source's size in memory; `tokenize` parses in pieces."""
    name = canonical_language(language)
    return tree_sitter.Parser(_language(name)).parse(source_bytes(source))


def error_count(source: str | bytes, language: str) -> int:
    """Number of ERROR nodes in the parse tree plus one per MISSING token (0 for a clean parse)."""
    name = canonical_language(language)
    tree = tree_sitter.Parser(_language(name)).parse(source_bytes(source))
    if not tree.root_node.has_error:
        return 0
    errors = tree_sitter.QueryCursor(_error_query(name)).captures(tree.root_node).get("error", [])
    return max(1, len(errors))


def guess_language(*sources: str | bytes) -> str:
    """The supported language whose grammar parses the sources with the fewest errors in total
    (ties go to python, java, c, cpp, javascript in that order; only the first CHUNK_BYTES of each
    source are parsed). A guess: pass the language when it is known. InvalidInputError when there is
    no source or every source is empty (nothing to guess from: an empty text parses in every
    language)."""
    if not sources:
        raise InvalidInputError("guess_language needs at least one source")
    pieces = [head_bytes(source) for source in sources]
    if not any(piece.strip() for piece in pieces):
        raise InvalidInputError("cannot guess the language of empty sources; pass the language")
    best, best_errors = SUPPORTED_LANGUAGES[0], None
    for name in SUPPORTED_LANGUAGES:
        errors = sum(error_count(piece, name) for piece in pieces)
        if best_errors is None or errors < best_errors:
            best, best_errors = name, errors
        if errors == 0:
            break
    return best


def head_bytes(source: str | bytes) -> bytes:
    """The first chunk (about CHUNK_BYTES) of a source's UTF-8 bytes: what language checks parse."""
    data = source_bytes(source)
    return data[: _chunks(data)[0][1]]


@dataclass(frozen=True)
class TokenStream:
    """A source's normalised tokens: `codes[i]` indexes `vocab`; `lines[i]` is token i's 1-based
    start line; `line_count` is the number of lines in the source."""

    language: str
    vocab: tuple[str, ...]
    codes: np.ndarray  # int32, one per token
    lines: np.ndarray  # int32, one per token, 1-based
    line_count: int

    def __len__(self) -> int:
        return int(self.codes.size)

    @property
    def tokens(self) -> list[str]:
        """The tokens as strings (allocates a list: for tests and display)."""
        return [self.vocab[i] for i in self.codes.tolist()]

    def hashes(self) -> np.ndarray:
        """One stable 64-bit hash per token (uint64): the same token text gives the same value in
        every process, so fingerprints can be stored and compared later."""
        table = np.array([token_hash(t) for t in self.vocab], dtype=np.uint64)
        return table[self.codes] if self.codes.size else np.empty(0, dtype=np.uint64)


@lru_cache(maxsize=65536)
def token_hash(token: str) -> int:
    """Stable 64-bit hash of a token's text (BLAKE2b, 8 bytes)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def tokenize(
    source: str | bytes, language: str, *, normalize: bool = True, keep_builtins: bool = False
) -> TokenStream:
    """The token stream of a source (see the module docstring for the normalisation).

    Empty source: an empty stream. InvalidInputError for an unsupported language, bytes that are
    not UTF-8, or a source over MAX_SOURCE_BYTES. Sources over CHUNK_BYTES are parsed in pieces cut
    at top-level line starts (a cut can at most perturb a few tokens beside it), because
    tree-sitter's tree alone needs about 25x the bytes it covers (113 MB for 4.7 MB of Python).
    Measured: 51.7 MB of Python source fingerprinted (code.fingerprint) in 8-15 s with a peak of
    220 MB beyond the input string, about 4x its size."""
    name = canonical_language(language)
    data = source_bytes(source)
    line_count = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    walker = _Walker(name, normalize, keep_builtins)
    parser = tree_sitter.Parser(_language(name))
    line_offset = 0
    for start, end in _chunks(data):
        piece = data[start:end]
        walker.walk(parser.parse(piece), line_offset)
        line_offset += piece.count(b"\n")
    return TokenStream(
        name,
        tuple(walker.vocab),
        np.frombuffer(walker.codes, dtype=np.int32).copy(),
        np.frombuffer(walker.lines, dtype=np.int32).copy(),
        line_count,
    )


def _chunks(data: bytes, size: int | None = None) -> list[tuple[int, int]]:
    """Byte ranges of at most about 2 x `size` covering `data`, cut before a line that starts in
    column 0 after a blank line (else any line start in column 0, else any line start)."""
    size = size or CHUNK_BYTES
    out, start = [], 0
    while len(data) - start > size:
        cut = -1
        for pattern in _CUTS:
            found = pattern.search(data, start + size, min(len(data), start + 2 * size))
            if found:
                cut = found.end()
                break
        if cut < 0:  # one enormous line: cut anywhere, but not inside a UTF-8 character
            cut = start + size
            while cut > start and 0x80 <= data[cut] < 0xC0:
                cut -= 1
        out.append((start, cut))
        start = cut
    if start < len(data) or not out:
        out.append((start, len(data)))
    return out


class _Walker:
    """Accumulates the tokens of parse trees (one per chunk) as int32 codes into a vocabulary."""

    def __init__(self, language: str, normalize: bool, keep_builtins: bool) -> None:
        self.literals = _LITERALS[language]
        self.kept = _BUILTINS[language] if keep_builtins else frozenset()
        self.normalize = normalize
        self.vocab: dict[str, int] = {}
        self.codes = array("i")
        self.lines = array("i")

    def walk(self, tree: tree_sitter.Tree, line_offset: int) -> None:
        if tree.root_node.child_count == 0:  # empty or whitespace only
            return
        literals, kept, normalize, vocab = self.literals, self.kept, self.normalize, self.vocab
        codes, lines = self.codes, self.lines
        first_line = line_offset + 1
        cursor = tree.walk()
        # Depth-first walk with one cursor: a loop over nodes is inherent to reading a parse tree;
        # everything after (hashing, winnowing, matching) is vectorised.
        while True:
            node = cursor.node
            kind = node.type
            token: str | None = None
            descend = False
            if kind in _COMMENTS or node.is_missing:
                pass
            elif kind in literals:
                token = LITERAL if normalize else _text(node, 200)
            elif node.child_count:
                descend = True
            elif not node.is_named:
                token = kind
            elif "identifier" in kind:
                if normalize:
                    text = _text(node, 64) if kept else ""
                    token = text if text in kept else VARIABLE
                else:
                    token = _text(node, 200)
            elif kind in _KEPT_NAMED_LEAVES or not normalize:
                token = _text(node, 64)
            else:
                token = kind
            if token is not None:
                code = vocab.get(token)
                if code is None:
                    code = vocab[token] = len(vocab)
                codes.append(code)
                lines.append(node.start_point.row + first_line)
            if descend and cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return


def _text(node: tree_sitter.Node, limit: int) -> str:
    raw = node.text or b""
    return raw[:limit].decode("utf-8", errors="replace")
