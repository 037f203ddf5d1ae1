"""The detector on the real default model: every token scored, blocks, offsets, verdicts, spans,
the watermark beside it, a 1 MB text and bad input.

Machine texts come from tests/detection/data/machine_texts.json (the default model's own output,
made once; its "how" field says with which settings), so that the tests need no generation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from genguard.datasets import bold_wikipedia_paragraphs
from genguard.detection import MachineTextDetector, calibrate, score_tokens
from genguard.detection.curvature import discrepancy
from genguard.errors import ConfigError, InvalidInputError
from genguard.fairness.sentence_scores import score_sentences
from genguard.watermark import WatermarkDetector, WatermarkKey

DATA = Path(__file__).parent / "data" / "machine_texts.json"
FULLWIDTH_HELLO = "".join(chr(ord(c) + 0xFEE0) for c in "Hello")  # NFKC folds it to "Hello"


@pytest.fixture(scope="module")
def machine() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def human() -> list[str]:
    """24 BOLD Wikipedia paragraphs of about 60-100 tokens (human-written)."""
    try:
        paragraphs = [p for p in bold_wikipedia_paragraphs(["profession"]) if 300 <= len(p) <= 500]
    except ConfigError:
        pytest.skip("../shared/data/bold is absent (set GENGUARD_DATA)")
    return paragraphs[:24]


@pytest.fixture(scope="module")
def calibrated(model, human):
    """A detector calibrated at 10 % FPR on the first 20 human paragraphs (two domains of 10)."""
    file = calibrate(
        MachineTextDetector(model),
        human[:20],
        ["a"] * 10 + ["b"] * 10,
        target_fpr=0.1,
        span_tokens=16,
        min_tokens=16,
        source="test paragraphs",
    )
    return MachineTextDetector(model, file.pooled), file


def test_every_token_scored_blocks_and_offsets(model):
    texts = [
        "The cat sat on the mat and looked out of the window.",
        FULLWIDTH_HELLO + "\u200b world, a test of offsets.",
    ]
    whole = score_tokens(model, texts)
    reference = score_sentences(model, texts[:1])  # the same start-of-text token: the same numbers
    assert np.allclose(whole[0].stats[:, 0], reference.token_logprobs[0], atol=1e-4)
    blocks = score_tokens(model, texts, block_tokens=4, context_tokens=64)  # context covers all
    assert all(np.allclose(a.stats, b.stats, atol=1e-4) for a, b in zip(whole, blocks, strict=True))
    pieces = [texts[1][a:b] for a, b in whole[1].offsets]
    assert pieces[0] == FULLWIDTH_HELLO and pieces[1] == " world"  # offsets into the text as given
    assert whole[1].stats[0, 0] == pytest.approx(
        score_tokens(model, ["Hello world"])[0].stats[0, 0], abs=1e-3
    )


def test_verdicts_and_cannot_decide(calibrated, machine, human):
    detector, _ = calibrated
    # Temperature 0.7 output is caught; greedy decoding with repetition penalty 1.3 is not: the
    # penalty pushes the model off its likeliest tokens, and the text scores like human text.
    results = detector.detect([*machine["watermarked"], *human[20:22], "", "Thank you so much."])
    assert [r.decision for r in results[:2]] == ["machine_generated", "machine_generated"]
    assert [r.decision for r in results[2:4]] == ["not_detected", "not_detected"]
    assert results[4].decision == results[5].decision == "cannot_decide"
    assert "below 16 tokens" in results[5].reason and results[4].score is None
    assert results[0].score > detector.calibration.text.threshold >= results[2].score
    assert results[0].logprob_ratio < results[2].logprob_ratio  # the one-model Binoculars agrees
    assert "exact p-value" in results[0].evidence  # no key given: the watermark is named anyway
    [evading] = detector.detect(machine["greedy"][:1])
    assert evading.decision == "not_detected" and evading.score < 0


def test_the_watermark_is_named_the_stronger_proof(model, calibrated, machine, human):
    detector, _ = calibrated
    marker = WatermarkDetector(model.tokenizer, keys=[WatermarkKey.reference()])
    marked, plain = detector.detect([machine["watermarked"][1], human[21]], watermark=marker)
    assert marked.watermark.decision == "watermarked"
    assert marked.evidence.startswith("the watermark is the stronger proof")
    assert plain.watermark.decision == "not_watermarked" and plain.evidence.startswith("no watermark")


def test_spans_point_at_the_machine_part(calibrated, machine, human):
    detector, _ = calibrated
    text = human[22] + "\n\n" + machine["watermarked"][0]
    border = len(human[22])
    [result] = detector.detect([text], spans=True)
    spans = result.spans
    assert spans and all(0 <= s.start < s.end <= len(text) for s in spans)
    inside = [s.score for s in spans if s.start >= border]
    outside = [s.score for s in spans if s.end <= border]
    assert np.mean(inside) > np.mean(outside) + 1
    flagged = [s for s in spans if s.flagged]
    assert flagged and sum(s.start >= border - 20 for s in flagged) > len(flagged) / 2


def test_a_one_megabyte_text_is_scored_on_spaced_blocks(model, human):
    text = ""
    for paragraph in bold_wikipedia_paragraphs():
        text += paragraph + "\n"
        if len(text) >= 1_000_000:
            break
    [curve] = score_tokens(model, [text], max_tokens=1024)
    assert curve.num_tokens > 150_000 and 512 < len(curve.positions) <= 1024 and curve.coverage < 0.01
    assert curve.positions[0] == 0 and curve.positions[-1] == curve.num_tokens - 1
    assert np.isfinite(discrepancy(curve.stats))


def test_calibration_per_domain_and_bad_input(model, calibrated):
    _, file = calibrated
    assert set(file.domains) == {"a", "b"} and file.pooled.text.n == 20
    assert file.pooled.text_tokens[0] >= 16 and file.pooled.span is not None
    with pytest.raises(InvalidInputError, match="list of texts"):
        score_tokens(model, "one string")
    with pytest.raises(InvalidInputError, match="text 1 is int"):
        score_tokens(model, ["ok", 3])
    with pytest.raises(ConfigError, match="local transformers model"):
        score_tokens(object(), ["text"])
    with pytest.raises(InvalidInputError, match="at least 9"):
        calibrate(MachineTextDetector(model), ["a b c"] * 5, target_fpr=0.1, min_tokens=1)
