"""The watermark processor on the real default model: transformers' generate() and genguard's own loop."""

from __future__ import annotations

import pytest
import torch
from transformers import LogitsProcessorList

from genguard.errors import ConfigError
from genguard.watermark import WatermarkDetector, WatermarkKey, WatermarkLogitsProcessor

from .test_detector import fixed_key

PROMPTS = ["Write a few sentences about rivers.", "Explain what a library is for."]


@pytest.fixture(scope="module")
def key() -> WatermarkKey:
    return fixed_key(4)


def test_processor_with_transformers_generate(model, key: WatermarkKey) -> None:
    torch.manual_seed(0)
    proc = WatermarkLogitsProcessor(model.tokenizer.vocab_size, key, scheme="lefthash", delta=3.0)
    prompt = torch.tensor([model.prompt_ids(PROMPTS[0])])
    kwargs = dict(
        max_new_tokens=80,
        min_new_tokens=80,
        do_sample=True,
        top_k=0,
        top_p=1.0,
        temperature=1.0,
        attention_mask=torch.ones_like(prompt),
        pad_token_id=model.tokenizer.eos_token_id,
    )
    marked = model.model.generate(prompt, logits_processor=LogitsProcessorList([proc]), **kwargs)[
        0, prompt.shape[1] :
    ]
    plain = model.model.generate(prompt, **kwargs)[0, prompt.shape[1] :]
    det = WatermarkDetector(model.tokenizer, keys=[key], scheme="lefthash")
    r_marked, r_plain = det.detect_ids([marked.tolist(), plain.tolist()])
    assert r_marked.is_watermarked, r_marked.reason
    assert not r_plain.is_watermarked, r_plain.reason


@pytest.mark.parametrize("scheme", ["selfhash", "lefthash"])
def test_own_loop_soft_and_hard(model, key: WatermarkKey, scheme: str) -> None:
    soft = WatermarkLogitsProcessor(
        model.tokenizer.vocab_size, key, scheme=scheme, delta=4.0
    )  # power at 100 tokens
    hard = WatermarkLogitsProcessor(model.tokenizer.vocab_size, key, scheme=scheme, hard=True)
    kwargs = dict(max_new_tokens=100, min_new_tokens=100, seed=3)
    soft_out = model.generate(PROMPTS, logits_processors=[soft], **kwargs)
    hard_out = model.generate(PROMPTS, logits_processors=[hard], **kwargs)
    plain_out = model.generate(PROMPTS, **kwargs)
    det = WatermarkDetector(model.tokenizer, keys=[key], scheme=scheme, ignore_repeated="none")
    for r in det.detect_ids([g.token_ids for g in soft_out]):
        assert r.is_watermarked, r.reason
    for r in det.detect_ids([g.token_ids for g in hard_out]):
        assert r.num_green_tokens == r.num_tokens_scored  # hard mode samples green tokens only
    for r in det.detect_ids([g.token_ids for g in plain_out]):
        assert not r.is_watermarked, r.reason
    # The decoded text re-tokenises to a still-detected watermark.
    assert all(r.is_watermarked for r in det.detect([g.text for g in soft_out]))


def test_processor_rejects_bad_settings(key: WatermarkKey) -> None:
    with pytest.raises(ConfigError):
        WatermarkLogitsProcessor(49152, key, gamma=0.0)
    with pytest.raises(ConfigError):
        WatermarkLogitsProcessor(49152, key, delta=-1.0)
    with pytest.raises(ConfigError, match="unknown watermark scheme"):
        WatermarkLogitsProcessor(49152, key, scheme="unigram2")
    proc = WatermarkLogitsProcessor(49152, key, scheme="selfhash")
    short = torch.tensor([[5, 6]])  # fewer previous tokens than the window: left unchanged
    scores = torch.randn(1, 49152)
    assert torch.equal(proc(short, scores), scores)
