"""Memorisation audit: a model that has memorised one text, bad input, and the real default model.

`MemorisingModel` stands in for a language model (an external component), not for any genguard
part: it tokenises by character and continues any prompt found in its stored text with the text
that follows there, and any other prompt with unrelated words, so the truth is known by
construction.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import pytest
import torch

from genguard.errors import InvalidInputError
from genguard.lm.base import Generation, LanguageModel, Tokenizer
from genguard.provenance.memorization import (
    MemorizationReport,
    memorization_audit,
    prefix_edit_distance,
    score_continuations,
)

_WORD_LIST = (
    "the king queen lord lady night day love death crown sword field river castle garden letter horse "
    "winter summer bread wine gold silver storm ship harbour bell tower window door candle mother father "
    "brother sister friend enemy soldier priest merchant servant child stranger"
)
WORDS = tuple(_WORD_LIST.split(" "))
VOCAB = 0x3000  # characters the test tokenizer knows (ids are code points)


def _words(seed: int, n: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


class CharTokenizer(Tokenizer):
    """One token per character; the id is the code point."""

    tokenizer_id = "test-chars"

    @property
    def vocab_size(self) -> int:
        return VOCAB

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        return [[ord(c) for c in text] for text in texts]

    def decode(self, ids: Sequence[Sequence[int]]) -> list[str]:
        return ["".join(chr(i) for i in seq) for seq in ids]

    def token_strings(self, ids: Sequence[int]) -> list[str]:
        return [chr(i) for i in ids]


class MemorisingModel(LanguageModel):
    """Continues a prompt found in `memory` verbatim; anything else with words chosen by the prompt's hash."""

    def __init__(self, memory: str) -> None:
        self.model_id = "test/memorising"
        self.tokenizer = CharTokenizer()
        self.memory = memory

    def _continue(self, text: str, n: int) -> tuple[str, str]:
        """(next n characters, finish reason): the memorised text, else unrelated words."""
        at = self.memory.find(text) if text else -1
        if at >= 0:
            follow = self.memory[at + len(text) : at + len(text) + n]
            return follow, "length" if len(follow) == n else "stop"
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
        return (" " + _words(seed, n))[:n], "length"

    def next_token_logits(self, batch: Sequence[Sequence[int]]) -> torch.Tensor:
        logits = torch.zeros(len(batch), VOCAB)
        for row, text in enumerate(self.tokenizer.decode(batch)):
            nxt, _ = self._continue(text, 1)
            if nxt:
                logits[row, ord(nxt)] = 10.0
        return logits

    def generate(
        self, prompts: Sequence[str], *, max_new_tokens: int = 200, temperature: float = 1.0, **_: object
    ) -> list[Generation]:
        assert temperature == 0.0, "the audit decodes greedily"
        out = []
        for prompt in prompts:
            text, reason = self._continue(prompt, max_new_tokens)
            out.append(
                Generation(
                    prompt=prompt,
                    text=text,
                    token_ids=[ord(c) for c in text],
                    finish_reason=reason,
                    model_id=self.model_id,
                )
            )
        return out


MEMORISED = _words(1, 2500)
UNSEEN = _words(2, 2500)
SETTINGS = {"prefix_tokens": 40, "suffix_tokens": 60, "samples_per_source": 40, "batch_size": 16}


@pytest.fixture(scope="module")
def report() -> MemorizationReport:
    docs = [("memorised", MEMORISED[:7000]), ("memorised", MEMORISED[7000:]), ("unseen", UNSEEN)]
    return memorization_audit(MemorisingModel(MEMORISED), docs, **SETTINGS, keep_samples=True)


def test_memorised_text_is_extracted_and_unseen_text_is_not(report: MemorizationReport) -> None:
    memorised, unseen = report.sources
    assert (memorised.source, unseen.source) == ("memorised", "unseen")
    assert memorised.n == unseen.n == 40
    assert memorised.exact_tokens.rate == memorised.exact_text.rate == memorised.near_verbatim.rate == 1.0
    assert memorised.exact_tokens.ci[0] > 0.9
    assert memorised.target_in_prefix == 0 and memorised.near_verbatim_not_in_prefix.rate == 1.0
    assert memorised.mean_matched_tokens == 60
    assert unseen.exact_tokens.k == unseen.exact_text.k == unseen.near_verbatim.k == 0
    assert unseen.near_verbatim.ci[1] < 0.1
    assert unseen.mean_edit_similarity < 0.5


def test_control_stays_at_chance(report: MemorizationReport) -> None:
    memorised, unseen = report.sources
    for source in (memorised, unseen):
        assert source.control is not None and source.control.n == source.n
        assert source.control.exact_text.k == 0
        assert source.control.near_verbatim.k == 0
        assert source.control.mean_edit_similarity < 0.5
    # Memorisation shows as similarity far above the control; the unseen source shows none.
    assert memorised.similarity_gain.mean > 0.4 and memorised.similarity_gain.p_value < 0.001
    assert abs(unseen.similarity_gain.mean) < 0.1


def test_text_predictable_from_the_prompt_is_flagged_and_raises_the_control() -> None:
    refrain = "the king and the queen went down to the river. " * 30
    report = memorization_audit(
        MemorisingModel(refrain), [("refrain", refrain)], **{**SETTINGS, "samples_per_source": 10}
    )
    source = report.sources[0]
    assert source.near_verbatim.rate == 1.0
    # Every target already stands in its prompt: none of it is evidence of memory ...
    assert source.target_in_prefix == source.n and source.near_verbatim_not_in_prefix.n == 0
    # ... and every window of a refrain resembles every other, which the control shows.
    assert source.control.near_verbatim.rate > 0.5


def test_samples_are_windows_of_the_documents(report: MemorizationReport) -> None:
    memorised = report.sources[0]
    assert len(memorised.samples) == 40 and len(memorised.examples) == 5
    docs = [MEMORISED[:7000], MEMORISED[7000:]]
    seen = set()
    for s in memorised.samples:
        doc = docs[s.document]
        assert doc[s.position : s.position + 40] == s.prefix
        assert doc[s.position + 40 : s.position + 100] == s.target
        assert s.retokenized_same and s.continuation.startswith(s.target)
        seen.add((s.document, s.position // 100))
    assert len(seen) == 40  # windows never overlap
    assert {s.document for s in memorised.samples} == {0, 1}
    # A random phase per document costs at most one window of each.
    most = sum(len(doc) // 100 for doc in docs)
    assert most - 2 <= memorised.windows_available <= most
    assert report.generated_tokens == 60 + 7
    assert MemorizationReport.model_validate_json(report.model_dump_json()) == report


def test_sampling_is_seeded() -> None:
    model = MemorisingModel(MEMORISED)
    small = {**SETTINGS, "samples_per_source": 10}

    def positions(seed: int) -> list[int]:
        r = memorization_audit(model, [("a", UNSEEN)], **small, seed=seed, keep_samples=True)
        return [s.position for s in r.sources[0].samples]

    assert positions(0) == positions(0)
    assert positions(0) != positions(1)


def test_progress_reports_every_batch() -> None:
    calls: list[tuple[int, int]] = []
    memorization_audit(
        MemorisingModel(MEMORISED),
        [("a", UNSEEN)],
        **{**SETTINGS, "samples_per_source": 20, "batch_size": 8},
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(8, 20), (16, 20), (20, 20)]


def test_scores_on_the_normal_form() -> None:
    target = "Whether 'tis nobler in the mind to suffer the slings and arrows of outrageous fortune"
    changed = "whether tis NOBLER in the mind to bear the slings and arrows of outrageous fortune, or"
    half = "Whether 'tis nobler in the mind to suffer the slings, I cannot tell you now my friend"
    other = "The quality of mercy is not strained; it droppeth as the gentle rain from heaven"
    exact, near, run, unrelated = score_continuations(
        [target] * 4, [target.upper() + "!", changed, half, other]
    )
    assert exact.exact_text and exact.edit_similarity == 1.0 and exact.run_fraction == 1.0
    assert near.near_verbatim and not near.exact_text and 0.9 <= near.edit_similarity < 1.0
    assert run.near_verbatim and run.edit_similarity < 0.9 and run.run_fraction >= 0.5
    assert not unrelated.near_verbatim and unrelated.run_chars == 0 and unrelated.edit_similarity < 0.5
    empty = score_continuations(["!!!"], ["anything"])[0]
    assert empty.target_chars == 0 and not empty.near_verbatim


def test_prefix_edit_distance() -> None:
    assert prefix_edit_distance("kitten", "sitting") == 2  # best prefix: "sittin"
    assert prefix_edit_distance("abc", "abcxyz") == 0  # running on past the target is free
    assert prefix_edit_distance("abc", "") == 3
    assert prefix_edit_distance("", "xyz") == 0
    assert prefix_edit_distance("flaw", "lawn") == 1


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ("just a string", "list of (source name, text) pairs"),
        (None, "list of (source name, text) pairs"),
        ([], "documents is empty"),
        (["no source"], "must be a (source name, text) pair"),
        ([("a", "b", "c")], "must be a (source name, text) pair"),
        ([("a", b"bytes")], "text must be a str"),
        ([("a", None)], "text must be a str"),
        ([(3, "text")], "source name must be a non-empty str"),
        ([("  ", "text")], "source name must be a non-empty str"),
    ],
)
def test_bad_documents(documents: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        memorization_audit(MemorisingModel(MEMORISED), documents)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        {"prefix_tokens": 0},
        {"suffix_tokens": -1},
        {"samples_per_source": 0},
        {"batch_size": 1.5},
        {"top_examples": -1},
        {"seed": "0"},
        {"prefix_tokens": True},
    ],
)
def test_bad_settings(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError, match=next(iter(bad))):
        memorization_audit(MemorisingModel(MEMORISED), [("a", UNSEEN)], **bad)  # type: ignore[arg-type]


def test_short_and_empty_documents_are_skipped_and_counted() -> None:
    model = MemorisingModel(MEMORISED)
    docs = [("a", ""), ("a", "   \n"), ("a", "too short"), ("b", UNSEEN[:99]), ("b", UNSEEN[:100])]
    report = memorization_audit(model, docs, **SETTINGS)
    a, b = report.sources
    assert (a.documents, a.skipped_empty, a.skipped_short, a.n, a.decided) == (3, 2, 1, 0, False)
    assert "2 empty" in a.reason and "1 shorter than the window" in a.reason and a.near_verbatim is None
    # One window of exactly prefix + suffix: decided, but with no pair there is no control.
    assert (b.skipped_short, b.n, b.decided, b.control, b.similarity_gain) == (1, 1, True, None, None)
    assert "no control" in b.reason
    assert report.decided

    nothing = memorization_audit(model, docs[:3], **SETTINGS)
    assert not nothing.decided and "cannot decide" in nothing.reason


@pytest.mark.slow
def test_default_model_extracts_famous_passages(model: LanguageModel) -> None:
    """Windows of famous texts where the default model (Q4_1 SmolLM2-135M-Instruct) continues the
    next 8 tokens from a 32-token prefix (found by scanning the passages); each document is cut to
    exactly one window, so the window drawn is known."""
    passages = [
        (
            "Permission is hereby granted, free of charge, to any person obtaining a copy of this software "
            'and associated documentation files (the "Software"), to deal in the Software without '
            "restriction, including without limitation the rights to use, copy, modify, merge, publish, "
            "distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the "
            "Software is furnished to do so, subject to the following conditions:\n\nThe above copyright "
            "notice and this permission notice shall be included in all copies or substantial portions of "
            'the Software.\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR '
            "IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY",
            [48, 80, 88],
        ),
        (
            "When in the Course of human events, it becomes necessary for one people to dissolve the "
            "political bands which have connected them with another, and to assume among the powers of the "
            "earth, the separate and equal station to which the Laws of Nature and of Nature's God entitle "
            "them, a decent respect to the opinions of mankind requires that they should declare the causes "
            "which impel them to the separation. We hold these truths to be self-evident, that all men are "
            "created equal, that they are endowed by their Creator with certain unalienable Rights, that "
            "among these are Life, Liberty and the pursuit of Happiness.",
            [64, 72],
        ),
    ]
    tok = model.tokenizer
    docs = []
    for text, starts in passages:
        ids = tok.encode([text])[0]
        docs += [("famous", tok.decode([ids[p : p + 40]])[0]) for p in starts]
    docs += [("plain", _words(3, 400))]
    report = memorization_audit(
        model, docs, prefix_tokens=32, suffix_tokens=8, samples_per_source=5, keep_samples=True
    )
    famous, plain = report.sources
    assert famous.n == 5 and famous.windows_available == 5
    assert famous.retokenized_changed == 0
    # Not every window is reproduced in full, but several are, far above the control and the
    # random-word text.
    assert famous.near_verbatim.k >= 2 and famous.exact_tokens.k >= 1
    assert famous.mean_matched_tokens >= 4
    assert famous.control.near_verbatim.k == 0
    assert plain.near_verbatim.k == 0
    assert famous.mean_edit_similarity > famous.control.mean_edit_similarity + 0.2
