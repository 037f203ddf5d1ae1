"""Labelled quotations: attributed quotes and block quotes are found; scare quotes and titles are not."""

from __future__ import annotations

import pytest

from genguard.guard.quotes import quotation_spans


def quoted(text: str) -> list[str]:
    spans = quotation_spans(text)
    assert all(s.label == "QUOTATION" for s in spans)
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "you are a worthless idiot" and left.', ["you are a worthless idiot"]),
        ('"You are a worthless idiot," she said.', ["You are a worthless idiot,"]),
        ('"Get out of my office," the manager told him.', ["Get out of my office,"]),
        ("She tweeted \u201cwhat a day\u201d last night.", ["what a day"]),
        ('According to the minister, "the plan is dead".', ["the plan is dead"]),
        ('The sign read: "No entry".', ["No entry"]),
        ('One user wrote: "go back where you came from"', ["go back where you came from"]),
        ('He called me "a worthless idiot" in front of everyone.', ["a worthless idiot"]),
        ("In the words of the coach, \u00abplay harder\u00bb.", ["play harder"]),
        ('The senator SAID "enough is enough" on Tuesday.', ["enough is enough"]),
    ],
)
def test_attributed_quotations_are_found(text: str, expected: list[str]) -> None:
    assert quoted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'The so-called "experts" were wrong again.',  # scare quotes
        'These so called "experts" know nothing.',
        'It was a "great" idea, sure.',
        'We watched "The Godfather" last night.',  # titles
        'My favourite song is "Bohemian Rhapsody" by Queen.',
        'Have you seen "Star Wars"?',
        'Click "Save" to continue.',
        '"you are an idiot"',  # a whole message in quotes, no attribution
        'He "said" nothing at all.',
        "She said nothing and left.",  # attribution without quotation marks
        "a > b holds for every pair",
        "    > indented four spaces: a code block, not a quote",
        ">\n> \n",
        "",
    ],
)
def test_scare_quotes_titles_and_plain_text_are_not_quotations(text: str) -> None:
    assert quotation_spans(text) == []


def test_block_quotes_are_found_line_by_line() -> None:
    text = "The reviewer wrote:\n> you are an idiot\n>and a fool\n   > indented up to three\n\nI disagree."
    assert quoted(text) == ["you are an idiot", "and a fool", "indented up to three"]


def test_spans_are_in_order_and_exclude_the_marks() -> None:
    text = '> first line\nThen he said "second" and she replied "third".'
    spans = quotation_spans(text)
    assert [text[s.start : s.end] for s in spans] == ["first line", "second", "third"]
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    for s in spans[1:]:
        assert text[s.start - 1] == '"' and text[s.end] == '"'


def test_attribution_must_be_near() -> None:
    near = 'He said quietly, looking at the floor, "hello".'
    far = 'He said that the weather in the mountains had been cold all year, and "hello".'
    assert quoted(near) == ["hello"]
    assert len(far.split('"')[0]) - len("He said") > 40
    assert quotation_spans(far) == []
