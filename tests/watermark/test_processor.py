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


# The own-loop test samples every variant in one generate() call of 10 rows: on CPU a decoding
# step costs about the same for 2 rows as for 10, so one call of 100 steps replaces six. Each
# variant has its own two prompts, by which `ByPrompt` finds its rows.
OWN_LOOP_PROMPTS = {
    ("selfhash", "soft"): PROMPTS,
    ("selfhash", "hard"): ["Write a few sentences about forests.", "Explain what a bridge is for."],
    ("lefthash", "soft"): ["Write a few sentences about mountains.", "Explain what a museum is for."],
    ("lefthash", "hard"): ["Write a few sentences about deserts.", "Explain what a harbour is for."],
    ("plain", None): ["Write a few sentences about oceans.", "Explain what a hospital is for."],
}


class ByPrompt:
    """A processor for genguard's own loop that applies each prompt's processor (None: none) to the
    rows of that prompt only. The loop passes input_ids [B, L] = left padding + prompt + tokens so
    far, so at the first step every row ends with its prompt; the rows found then are kept."""

    def __init__(self, prompt_ids: dict[tuple[int, ...], WatermarkLogitsProcessor | None]) -> None:
        self.prompt_ids = prompt_ids
        self.rows: dict[WatermarkLogitsProcessor, torch.Tensor] | None = None
        self.batch = 0

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        if self.rows is None:
            self.batch, rows = input_ids.shape[0], {}
            for row, ids in enumerate(input_ids.tolist()):
                [proc] = [p for pid, p in self.prompt_ids.items() if tuple(ids[-len(pid) :]) == pid]
                if proc is not None:
                    rows.setdefault(proc, []).append(row)
            self.rows = {proc: torch.tensor(r) for proc, r in rows.items()}
        assert input_ids.shape[0] == self.batch, "one batch per generate() call"
        scores = scores.clone()
        for proc, rows in self.rows.items():
            scores[rows] = proc(input_ids[rows], scores[rows])
        return scores


@pytest.fixture(scope="module")
def own_loop(model, key: WatermarkKey) -> dict[tuple[str, str | None], list]:
    """Generations of genguard's own loop by (scheme, "soft" or "hard") and ("plain", None):
    100 tokens each, soft at delta 4 (power at 100 tokens), hard sampling green tokens only."""
    processors = {
        (scheme, mode): WatermarkLogitsProcessor(
            model.tokenizer.vocab_size,
            key,
            scheme=scheme,
            **({"delta": 4.0} if mode == "soft" else {"hard": True}),
        )
        for scheme, mode in OWN_LOOP_PROMPTS
        if scheme != "plain"
    }
    prompts = [p for variant in OWN_LOOP_PROMPTS.values() for p in variant]
    by_prompt = ByPrompt(
        {tuple(model.prompt_ids(p)): processors.get(v) for v, ps in OWN_LOOP_PROMPTS.items() for p in ps}
    )
    assert len(by_prompt.prompt_ids) == len(prompts)  # every prompt tells its rows apart
    out = model.generate(
        prompts,
        logits_processors=[by_prompt],
        max_new_tokens=100,
        min_new_tokens=100,
        seed=3,
        batch_size=len(prompts),
    )
    by_variant, start = {}, 0
    for variant, ps in OWN_LOOP_PROMPTS.items():
        by_variant[variant] = out[start : start + len(ps)]
        start += len(ps)
    return by_variant


@pytest.mark.parametrize("scheme", ["selfhash", "lefthash"])
def test_own_loop_soft_and_hard(model, key: WatermarkKey, own_loop: dict, scheme: str) -> None:
    soft_out, hard_out = own_loop[scheme, "soft"], own_loop[scheme, "hard"]
    plain_out = own_loop["plain", None]
    assert all(len(g.token_ids) == 100 for g in soft_out + hard_out + plain_out)
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
