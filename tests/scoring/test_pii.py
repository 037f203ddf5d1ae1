"""PII scorer: each type found with the right span, checksums respected, evasion undone, redaction."""

from __future__ import annotations

import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.scoring import get_scorer
from genguard.scoring.pii import iban_valid, luhn_valid, redact


@pytest.fixture(scope="module")
def pii():
    return get_scorer("pii")


@pytest.mark.parametrize(
    ("text", "label", "value"),
    [
        ("Write to jane.doe+news@example.co.uk today", "EMAIL", "jane.doe+news@example.co.uk"),
        ("Call me at (415) 555-2671 tonight", "PHONE", "(415) 555-2671"),
        ("London office: +44 20 7946 0958.", "PHONE", "+44 20 7946 0958"),
        ("Card 4111 1111 1111 1111 exp 12/29", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("Pay to DE89 3704 0044 0532 0130 00 please", "IBAN", "DE89 3704 0044 0532 0130 00"),
        ("SSN 123-45-6789 on file", "US_SSN", "123-45-6789"),
        ("server at 192.168.10.254 is down", "IP_ADDRESS", "192.168.10.254"),
        ("or 2001:db8::8a2e:370:7334 for v6", "IP_ADDRESS", "2001:db8::8a2e:370:7334"),
        ("She lives at 1600 Pennsylvania Avenue in DC", "STREET_ADDRESS", "1600 Pennsylvania Avenue"),
    ],
)
def test_each_type_found_with_its_span(pii, text: str, label: str, value: str) -> None:
    (result,) = pii.score([text])
    spans = [(f.label, text[f.span.start : f.span.end]) for f in result.findings]
    assert (label, value) in spans
    assert result.score > 0.5


@pytest.mark.parametrize(
    "text",
    [
        "The meeting is on 2024-05-17 at 10:30.",
        "Order number 4111 1111 1111 1112 (fails Luhn)",
        "DE89 3704 0044 0532 0130 01 is a mistyped IBAN",
        "Version 1.2.3.4000 released; pi is 3.14159",
        "SSN-like 000-12-3456 and 666-12-3456 are never issued",
        "The ratio was 12:30:45 in the afternoon.",
        "",
    ],
)
def test_no_false_findings(pii, text: str) -> None:
    assert pii.score([text])[0].findings == []


def test_evasion_and_redaction(pii) -> None:
    text = (
        "mail: bob\u200b@example.com, card: \uff14\uff11\uff11\uff11 1111 1111 1111"  # zero-width, full-width
    )
    (result,) = pii.score([text])
    assert {f.label for f in result.findings} == {"EMAIL", "CREDIT_CARD"}
    assert redact(text, result) == "mail: [EMAIL], card: [CREDIT_CARD]"


def test_checksums() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("GB82WEST12345698765432") and not iban_valid("GB82WEST12345698765433")


def test_batch_and_bad_input(pii) -> None:
    results = pii.score(["a@b.org", "nothing here", "x" * 100_000 + " 123-45-6789"])
    assert [len(r.findings) for r in results] == [1, 0, 1]
    with pytest.raises(InvalidInputError):
        pii.score("a single string")
    with pytest.raises(InvalidInputError):
        pii.score([None])
    with pytest.raises(ConfigError, match="unknown scorer"):
        get_scorer("toxicity-v0")


@pytest.mark.parametrize(
    ("text", "label", "value"),
    [
        ("pay 2 4111 1111 1111 1111 now", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("charge it t0 5173278006351847 please", "CREDIT_CARD", "5173278006351847"),
        (
            "WIRE IT TO IBAN DE10 7655 9286 0385 0778 10 BEFORE THE 5TH.",
            "IBAN",
            "DE10 7655 9286 0385 0778 10",
        ),
    ],
)
def test_value_found_when_neighbours_join_the_match(pii, text: str, label: str, value: str) -> None:
    (result,) = pii.score([text])
    assert [(f.label, text[f.span.start : f.span.end]) for f in result.findings] == [(label, value)]


@pytest.mark.parametrize(
    ("text", "label", "value"),
    [
        (
            "mail a n n a . s m i t h @ e x a m p l e . c o m today",
            "EMAIL",
            "a n n a . s m i t h @ e x a m p l e . c o m",
        ),
        (
            "IBAN D E 1 0 7 6 5 5 9 2 8 6 0 3 8 5 0 7 7 8 1 0 please",
            "IBAN",
            "D E 1 0 7 6 5 5 9 2 8 6 0 3 8 5 0 7 7 8 1 0",
        ),
        ("His number is 6 8 4 - 3 9 - 3 2 8 2.", "US_SSN", "6 8 4 - 3 9 - 3 2 8 2"),
        ("It came from 1 3 . 2 2 . 9 6 . 2 1 2 last night.", "IP_ADDRESS", "1 3 . 2 2 . 9 6 . 2 1 2"),
    ],
)
def test_spaced_out_values_are_found(pii, text: str, label: str, value: str) -> None:
    (result,) = pii.score([text])
    assert [(f.label, text[f.span.start : f.span.end]) for f in result.findings] == [(label, value)]


def test_spaced_out_digits_that_are_no_value_are_not_findings(pii) -> None:
    pi = "3 1 4 1 5 9 2 6 5 3 5 8 9 7 9 3 2 3 8 4 6 2 6 4 3 3 8 3 2 7 9 5 0 2 8 8 4 1 9 7 1 6 9 3 9 9 3 7 5 1"
    (result,) = pii.score([f"the digits of pi: {pi}, and a b c d e f for the alphabet"])
    assert result.findings == []
