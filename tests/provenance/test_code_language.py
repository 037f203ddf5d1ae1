"""Which language two files are compared in: suffixes, an explicit language and the parse must agree."""

from __future__ import annotations

import pytest

from genguard.errors import InvalidInputError
from genguard.provenance.code_language import MAX_ERROR_SHARE, error_share, resolve_language
from genguard.provenance.code_tokens import guess_language
from tests.provenance.test_code import PROGRAMS

PYTHON = PROGRAMS["python"][0]
JAVA = PROGRAMS["java"][0]


def test_programs_parse_cleanly_in_their_language_and_not_in_others() -> None:
    for language, (source, _, _) in PROGRAMS.items():
        assert error_share(source, language) == 0.0
    assert error_share(PYTHON, "java") > MAX_ERROR_SHARE
    assert error_share(PYTHON, "javascript") > MAX_ERROR_SHARE
    assert error_share("", "python") == 0.0


def test_suffixes_decide_and_an_explicit_language_must_agree() -> None:
    assert resolve_language([("a.py", PYTHON), ("b.py", PYTHON)]) == "python"
    assert resolve_language([("a.py", PYTHON), ("b.py", PYTHON)], "py") == "python"
    with pytest.raises(
        InvalidInputError, match=r"--language java contradicts a\.py, whose suffix says python"
    ):
        resolve_language([("a.py", PYTHON), ("b.py", PYTHON)], "java")
    with pytest.raises(InvalidInputError, match="different languages"):
        resolve_language([("a.py", PYTHON), ("B.java", JAVA)])
    c_source = PROGRAMS["c"][0]
    assert resolve_language([("a.h", c_source), ("b.cpp", c_source)], "cpp") == "cpp"  # one family


def test_a_file_without_a_telling_suffix_must_parse() -> None:
    assert resolve_language([("a.txt", PYTHON), ("b.py", PYTHON)]) == "python"
    assert resolve_language([("a.txt", JAVA), ("b.txt", JAVA)]) == "java"  # guessed: a clean parse
    with pytest.raises(InvalidInputError, match=r"a\.txt does not parse as java"):
        resolve_language([("a.txt", PYTHON), ("b.txt", PYTHON)], "java")
    prose = "Dear committee, please find attached my report (draft; version 2) -- thanks!\n" * 3
    with pytest.raises(InvalidInputError, match=r"cannot tell the language of a\.txt.*pass --language"):
        resolve_language([("a.txt", prose), ("b.txt", PYTHON)])


def test_empty_files_are_refused_not_guessed() -> None:
    with pytest.raises(InvalidInputError, match=r"empty\.txt is empty"):
        resolve_language([("empty.txt", ""), ("b.py", PYTHON)])
    with pytest.raises(InvalidInputError, match=r"a\.py is empty"):
        resolve_language([("a.py", "  \n"), ("b.py", PYTHON)], "python")
    with pytest.raises(InvalidInputError, match="cannot guess the language of empty sources"):
        guess_language("", "\n")
