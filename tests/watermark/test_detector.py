"""Detector behaviour on synthetic token streams (no model weights needed) and on bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from genguard.errors import ConfigError, InvalidInputError
from genguard.watermark import WatermarkDetector, WatermarkKey, WatermarkLogitsProcessor
from genguard.watermark.detector import min_tokens_needed
from genguard.watermark.keys import key_id_for

V = 49152


def watermarked_ids(
    n: int, key: WatermarkKey, scheme: str = "selfhash", seed: int = 0, delta: float = 4.0
) -> list[int]:
    """Token ids sampled from random logits through the watermark processor (a stand-in model)."""
    gen = torch.Generator().manual_seed(seed)
    proc = WatermarkLogitsProcessor(V, key, scheme=scheme, delta=delta)
    ids = torch.randint(0, V, (1, 5), generator=gen)
    for _ in range(n):
        scores = proc(ids, torch.randn(1, V, generator=gen) * 6)  # peaked, like a language model
        nxt = torch.multinomial(torch.softmax(scores, -1), 1, generator=gen)
        ids = torch.cat([ids, nxt], dim=1)
    return ids[0, 5:].tolist()


def human_ids(n: int, seed: int = 1) -> list[int]:
    return np.random.default_rng(seed).integers(0, V, n).tolist()


def fixed_key(n: int) -> WatermarkKey:
    """A deterministic key, so that every run tests the same green lists."""
    signing = Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)
    return WatermarkKey(key_id=key_id_for(signing.public_key()), hash_key=1_000_003 * n, signing_key=signing)


@pytest.fixture(scope="module")
def key() -> WatermarkKey:
    return fixed_key(1)


@pytest.mark.parametrize("scheme", ["lefthash", "selfhash", "minhash", "skipgram"])
def test_watermarked_detected_and_random_not(key: WatermarkKey, scheme: str) -> None:
    det = WatermarkDetector(None, vocab_size=V, keys=[key], scheme=scheme)
    marked, plain = det.detect_ids([watermarked_ids(120, key, scheme), human_ids(120)])
    assert marked.decision == "watermarked" and marked.z_score > 6
    assert plain.decision == "not_watermarked" and plain.z_score < 4
    assert len(marked.green_mask) == 120
    assert set(marked.green_mask) <= {1, 0, -1, -2}


def test_wrong_key_does_not_detect_and_rotation_finds_the_right_one(key: WatermarkKey) -> None:
    ids = watermarked_ids(150, key)
    other = fixed_key(2)
    assert not WatermarkDetector(None, vocab_size=V, keys=[other]).detect_ids([ids])[0].is_watermarked
    rotated = WatermarkDetector(None, vocab_size=V, keys=[other, key, fixed_key(3)]).detect_ids([ids])[0]
    assert rotated.is_watermarked and rotated.key_id == key.key_id and rotated.keys_tested == 3
    single = WatermarkDetector(None, vocab_size=V, keys=[key]).detect_ids([ids])[0]
    assert rotated.p_value == pytest.approx(min(1.0, single.p_value * 3))  # Bonferroni over keys


def test_exact_p_value_is_binomial_tail(key: WatermarkKey) -> None:
    from scipy.stats import binom

    r = WatermarkDetector(None, vocab_size=V, keys=[key]).detect_ids([watermarked_ids(60, key)])[0]
    expected = sum(
        binom.pmf(k, r.num_tokens_scored, 0.25) for k in range(r.num_green_tokens, r.num_tokens_scored + 1)
    )
    assert r.p_value == pytest.approx(expected, rel=1e-9)


def test_winmax_finds_pasted_passage(key: WatermarkKey) -> None:
    passage = watermarked_ids(200, key, delta=2.0, seed=5)
    text = human_ids(300, seed=2) + passage + human_ids(300, seed=3)
    plain = WatermarkDetector(None, vocab_size=V, keys=[key]).detect_ids([text])[0]
    windowed = WatermarkDetector(None, vocab_size=V, keys=[key], window=True).detect_ids([text])[0]
    assert windowed.is_watermarked
    assert windowed.window is not None
    overlap = min(windowed.window.end, 500) - max(windowed.window.start, 300)
    assert overlap >= 150  # the window lies on the pasted passage
    assert windowed.window.z_score > plain.z_score
    human = WatermarkDetector(None, vocab_size=V, keys=[key], window=True).detect_ids(
        [human_ids(800, seed=9)]
    )[0]
    assert not human.is_watermarked


def test_too_short_is_insufficient_evidence(key: WatermarkKey) -> None:
    det = WatermarkDetector(None, vocab_size=V, keys=[key])
    empty, three, seven = det.detect_ids([[], [1, 2, 3], watermarked_ids(7, key)])
    for r in (empty, three):
        assert r.decision == "insufficient_evidence" and not r.is_watermarked
        assert r.num_tokens_scored == 0 and r.z_score is None and r.p_value is None
    assert "at least" in three.reason
    assert three.min_tokens_needed == min_tokens_needed(0.25, det.alpha) == 8
    assert seven.decision == "insufficient_evidence"  # 4 scored tokens cannot reach p <= 3.2e-5


def test_text_inputs(tokenizer, key: WatermarkKey) -> None:
    det = WatermarkDetector(tokenizer, keys=[key])
    empty, short = det.detect(["", "Hi there"])
    assert empty.decision == short.decision == "insufficient_evidence"
    big = ("The quick brown fox jumps over the lazy dog. " * 23_000)[:1_000_000]
    (r,) = det.detect([big])
    assert r.decision == "not_watermarked" and r.num_tokens > 100_000
    with pytest.raises(InvalidInputError):
        det.detect("a plain string, not a list")
    with pytest.raises(InvalidInputError):
        det.detect([b"bytes are not text"])  # type: ignore[list-item]


def test_normalisers_undo_invisible_characters(tokenizer, key: WatermarkKey) -> None:
    text = tokenizer.decode([watermarked_ids(150, key, delta=6.0)])[0]
    attacked = "\u200b".join(text)  # a zero-width space between every character
    raw = WatermarkDetector(tokenizer, keys=[key], normalizers=()).detect([attacked])[0]
    cleaned = WatermarkDetector(tokenizer, keys=[key]).detect([attacked])[0]
    assert not raw.is_watermarked
    assert cleaned.is_watermarked


def test_bad_ids_and_settings(key: WatermarkKey) -> None:
    det = WatermarkDetector(None, vocab_size=V, keys=[key])
    with pytest.raises(InvalidInputError):
        det.detect_ids([[1, 2, V]])
    with pytest.raises(InvalidInputError):
        det.detect_ids([[1, -5, 3]])
    with pytest.raises(InvalidInputError):
        det.detect_ids([["a", "b"]])
    with pytest.raises(ConfigError, match="unknown watermark scheme"):
        WatermarkDetector(None, vocab_size=V, scheme="sha256")
    with pytest.raises(ConfigError):
        WatermarkDetector(None, vocab_size=V, gamma=1.5)
    with pytest.raises(ConfigError):
        WatermarkDetector(None, vocab_size=V, normalizers=["rot13"])
    assert det.detect_ids([]) == []
