"""Lexicon scorer: whole-word list hits, evasion tricks undone with spans on the text as given."""

from __future__ import annotations

import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.scoring import get_scorer, lexicon
from genguard.text import normalize_for_matching


@pytest.fixture(scope="module")
def lex():
    return get_scorer("lexicon")


def hits(scorer, text: str) -> list[str]:
    (result,) = scorer.score([text])
    return [text[f.span.start : f.span.end] for f in result.findings]


def test_registered_and_named(lex) -> None:
    assert isinstance(lex, lexicon.LexiconScorer)
    assert lex.name == "lexicon"
    assert lex.model_id == "better-profanity-0.7.0-wordlist/1"
    assert len(lexicon.default_words()) > 800


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("well, shit happens", ["shit"]),
        ("SHIT Happens", ["SHIT"]),
        ("sh1t happens", ["sh1t"]),  # leetspeak
        ("what a b!tch", ["b!tch"]),
        ("a sh\u0456t day", ["sh\u0456t"]),  # Cyrillic i
        ("fu\u200bck this", ["fu\u200bck"]),  # zero-width space inside
        ("\uff26\uff35\uff23\uff2b off", ["\uff26\uff35\uff23\uff2b"]),  # full-width letters
        ("you s h i t, and f.u.c.k that", ["s h i t", "f.u.c.k"]),  # spacing tricks
        ("a  blow   job", ["blow   job"]),  # entry of two words, any whitespace between
        ("Zero\u200b-width \u0430ss then shit", ["\u0430ss", "shit"]),  # sorted by position
    ],
)
def test_hits_and_evasions_with_exact_spans(lex, text: str, found: list[str]) -> None:
    assert hits(lex, text) == found


@pytest.mark.parametrize(
    "text",
    ["a classic assessment", "Scunthorpe United", "the cockpit of a shuttlecock", "Hello there", ""],
)
def test_no_hits_inside_other_words(lex, text: str) -> None:
    (result,) = lex.score([text])
    assert result.findings == []
    assert result.score == 0.0


def test_score_rises_with_distinct_words(lex) -> None:
    one, same_twice, two, three = lex.score(["shit", "shit shit", "shit and crap", "shit crap bitch"])
    assert one.score == 0.5
    assert same_twice.score == 0.5 and len(same_twice.findings) == 2
    assert two.score == 0.75
    assert three.score == 0.875


def test_user_word_lists() -> None:
    own = get_scorer("lexicon", words=["frak", "smeg head"])
    assert hits(own, "Frak it, you smeg  head; shit") == ["Frak", "smeg  head"]
    assert own.model_id.startswith("custom-wordlist-")
    extra = lexicon.LexiconScorer(extra_words=["frak"])
    assert hits(extra, "frak this shit") == ["frak", "shit"]
    assert "+extra-" in extra.model_id
    with pytest.raises(ConfigError):
        lexicon.LexiconScorer(words=[])
    with pytest.raises(ConfigError):
        lexicon.LexiconScorer(words="frak")


def test_megabyte_text(lex) -> None:
    text = "An ordinary sentence about trains, with one shit in it. " * 18_000
    (result,) = lex.score([text])
    assert len(text) > 1_000_000
    assert len(result.findings) == 18_000
    assert result.score == 0.5


@pytest.mark.parametrize("bad", ["shit", [b"shit"], [None], ["ok", 3]])
def test_wrong_input_types(lex, bad) -> None:
    with pytest.raises(InvalidInputError):
        lex.score(bad)


def test_normalize_for_matching_maps_back() -> None:
    text = "\uff21 s h 1 t \u0430nd  1d10t\u200b!"
    clean, offsets = normalize_for_matching(text)
    assert len(clean) == len(offsets)
    assert all(0 <= o < len(text) for o in offsets)
    assert offsets == sorted(offsets)
