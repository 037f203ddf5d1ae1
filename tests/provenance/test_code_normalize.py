"""Structural normalisation: the edits a plagiarist makes read the same; raw evidence is kept."""

from __future__ import annotations

import pytest

from genguard.errors import InvalidInputError
from genguard.provenance.code_normalize import BRANCH, LOOP, normalize


def tokens(source: str, language: str) -> list[str]:
    return list(normalize(source, language).tokens)


def test_java_for_reads_as_the_equivalent_while() -> None:
    loop_for = "class A { void f() { for (int i = 0; i < n; i++) { s += i; } } }"
    loop_while = "class A { void f() { int i = 0; while (i < n) { s = s + i; i += 1; } } }"
    assert tokens(loop_for, "java") == tokens(loop_while, "java")
    assert LOOP in tokens(loop_for, "java")


def test_increments_are_one_form() -> None:
    forms = ["i++;", "++i;", "i += 1;", "i = i + 1;"]
    seen = {tuple(tokens(f"class A {{ void f() {{ {form} }} }}", "java")) for form in forms}
    assert len(seen) == 1


def test_ternary_and_if_else_share_the_branch_form() -> None:
    java = tokens("class A { int f(int c) { return c > 0 ? 1 : 2; } }", "java")
    python = tokens("def f(c):\n    return 1 if c > 0 else 2\n", "python")
    assert java[java.index(BRANCH) :] == ["BRANCH", "V", ">", "L", "L", "L"]
    assert python[python.index(BRANCH) :] == ["BRANCH", "V", ">", "L", "L", "L"]


def test_elif_chain_equals_nested_else_if() -> None:
    chain = "if a:\n    f()\nelif b:\n    g()\nelse:\n    h()\n"
    nested = "if a:\n    f()\nelse:\n    if b:\n        g()\n    else:\n        h()\n"
    assert tokens(chain, "python") == tokens(nested, "python")


def test_declarations_without_value_and_types_are_dropped() -> None:
    moved = "class A { void f() { int r; r = 1; } }"
    plain = "class A { void f() { r = 1; } }"
    assert tokens(moved, "java") == tokens(plain, "java")


def test_evidence_keeps_names_strings_and_comments() -> None:
    stream = normalize('# greet the user\nname = input("Your name? ")\n', "python")
    assert "string:your name?" in stream.evidence
    assert "name:name" in stream.evidence
    assert "comment:greet" in stream.evidence
    assert len(stream.lines) == len(stream.tokens) and stream.lines.tolist()[0] == 2


def test_statements_are_order_free_units() -> None:
    a = normalize("x = 1\ny = 2\n", "python").statement_hashes()
    b = normalize("y = 2\nx = 1\n", "python").statement_hashes()
    assert sorted(a.tolist()) == sorted(b.tolist()) and a.size == 2


def test_empty_source_and_bad_input() -> None:
    assert len(normalize("", "python")) == 0
    with pytest.raises(InvalidInputError):
        normalize("x = 1", "cobol")
    with pytest.raises(InvalidInputError):
        normalize(b"\xff\xfe", "python")


def test_deep_nesting_does_not_recurse() -> None:
    source = "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n"
    assert "L" in normalize(source, "python").tokens
