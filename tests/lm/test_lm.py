"""The language-model layer against the real embedded model (SmolLM2-135M-Instruct), no mocks.

The first run in a fresh cache converts the GGUF file (about 15-20 s); after that the file
runs in about 15 s on two cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import genguard
from genguard.errors import InvalidInputError, ModelLoadError
from genguard.lm import (
    DEFAULT_MODEL_ID,
    Generation,
    HFLanguageModel,
    HFTokenizer,
    load_default_model,
    load_default_tokenizer,
    load_model,
    load_tokenizer,
)
from genguard.lm.default import DEFAULT_MODEL_NAME, default_model_dir, gguf_path

pytestmark = pytest.mark.slow

PROMPTS = ["Write a short poem about the sea.", "What is the capital of France?", "Hi"]


@pytest.fixture(scope="module")
def model() -> HFLanguageModel:
    return load_default_model()


def test_default_model_loads_and_is_cached(model: HFLanguageModel) -> None:
    assert isinstance(model, HFLanguageModel)
    assert model.model_id == DEFAULT_MODEL_ID
    assert "SmolLM2-135M-Instruct" in DEFAULT_MODEL_ID and "Q4_1" in DEFAULT_MODEL_ID
    assert load_default_model() is model
    assert load_model("default") is model
    assert load_default_tokenizer() is model.tokenizer
    assert load_tokenizer("default") is model.tokenizer


def test_second_load_in_fresh_process_uses_the_cache(model: HFLanguageModel) -> None:
    # The fixture has converted the model already; a fresh process must load the converted folder
    # rather than convert again. Its load time is measured by benchmarks/watermark_speed.py.
    marker = default_model_dir() / "genguard-conversion.json"
    before = marker.stat().st_mtime_ns
    code = "import genguard.lm\nprint(genguard.lm.load_default_model().model_id)\n"
    src = str(Path(genguard.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == DEFAULT_MODEL_ID
    assert marker.stat().st_mtime_ns == before  # not converted again


def test_tokenizer(model: HFLanguageModel) -> None:
    tok = model.tokenizer
    assert tok.vocab_size == 49152
    assert model.next_token_logits([[1, 2, 3]]).shape[-1] == 49152
    ids = tok.encode(["Hello the world", "café 日本"])
    assert ids[0] == [19556, 260, 905]
    assert tok.token_strings(ids[0]) == ["Hello", " the", " world"]
    assert "".join(tok.token_strings(tok.encode(["a, b!"])[0])) == "a, b!"
    assert tok.decode(ids) == ["Hello the world", "café 日本"]
    im_end = tok.token_id("<|im_end|>")
    assert tok.token_strings([im_end]) == ["<|im_end|>"]
    assert tok.decode([[*ids[0], im_end]]) == ["Hello the world"]  # special tokens dropped
    with pytest.raises(InvalidInputError):
        tok.encode("not a list")
    with pytest.raises(InvalidInputError):
        tok.token_strings([49152])


def test_tokenizer_id_is_the_same_from_gguf_and_from_the_converted_folder(model: HFLanguageModel) -> None:
    # No name is passed: the known SmolLM2 vocabulary is recognised by its hash.
    from_gguf = load_tokenizer(str(gguf_path()))
    from_folder = HFTokenizer.from_pretrained(default_model_dir())
    assert from_gguf is not model.tokenizer
    assert from_gguf.tokenizer_id == from_folder.tokenizer_id == model.tokenizer.tokenizer_id
    assert model.tokenizer.tokenizer_id.startswith(DEFAULT_MODEL_NAME + "@sha256:")


def test_chat_template_is_applied(model: HFLanguageModel) -> None:
    tok = model.tokenizer
    im_start = tok.token_id("<|im_start|>")
    ids = model.prompt_ids("Hello there")
    assert im_start in ids
    assert ids[-4:] == [im_start, *tok.encode(["assistant\n"])[0]]  # the generation prompt
    assert model.prompt_ids("Hello there", chat=False) == tok.encode(["Hello there"])[0]


def test_padded_batch_logits_equal_one_by_one(model: HFLanguageModel) -> None:
    seqs = [model.prompt_ids(p) for p in PROMPTS] + [model.tokenizer.encode(["The"])[0]]
    assert len({len(s) for s in seqs}) > 1  # lengths differ, so the batch is padded
    batch = model.next_token_logits(seqs)
    assert batch.shape == (len(seqs), 49152) and batch.dtype == torch.float32
    for i, seq in enumerate(seqs):
        torch.testing.assert_close(batch[i], model.next_token_logits([seq])[0], atol=1e-4, rtol=0)


def test_generate_is_reproducible_with_a_seed(model: HFLanguageModel) -> None:
    first = model.generate(PROMPTS, max_new_tokens=12, seed=7)
    again = model.generate(PROMPTS, max_new_tokens=12, seed=7, batch_size=2)
    other = model.generate(PROMPTS, max_new_tokens=12, seed=8)
    assert all(isinstance(g, Generation) for g in first)
    assert [g.prompt for g in first] == PROMPTS
    assert [g.token_ids for g in first] == [g.token_ids for g in again]
    assert [g.token_ids for g in first] != [g.token_ids for g in other]
    for g in first:
        assert g.model_id == DEFAULT_MODEL_ID
        assert g.text == model.tokenizer.decode([g.token_ids])[0]
        assert g.finish_reason in {"stop", "length"}
        assert len(g.token_ids) <= 12
        assert not set(g.token_ids) & set(model.stop_token_ids)


def test_greedy_first_token_is_the_argmax(model: HFLanguageModel) -> None:
    expected = model.next_token_logits([model.prompt_ids(p) for p in PROMPTS]).argmax(dim=-1).tolist()
    greedy = model.generate(PROMPTS, max_new_tokens=3, temperature=0)
    assert [g.token_ids[0] for g in greedy] == expected
    # top_k=1 and a tiny top_p leave only the best token, so they sample the greedy path.
    assert model.generate(PROMPTS, max_new_tokens=3, top_k=1, seed=1) == greedy
    assert model.generate(PROMPTS, max_new_tokens=3, top_p=1e-6, seed=2) == greedy


def test_logits_processors_see_full_ids_and_are_obeyed(model: HFLanguageModel) -> None:
    forced = model.tokenizer.encode([" banana"])[0][0]
    seen: list[torch.Tensor] = []

    def force(input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        seen.append(input_ids.clone())
        out = torch.full_like(scores, float("-inf"))
        out[:, forced] = 0.0
        return out

    gens = model.generate(PROMPTS[:2], max_new_tokens=4, logits_processors=[force], seed=3)
    assert [g.token_ids for g in gens] == [[forced] * 4] * 2
    assert all(g.finish_reason == "length" for g in gens)
    # Processors get [B, L] ids: left padding + prompt (+ tokens so far), one column more per step.
    prompt = [model.prompt_ids(p) for p in PROMPTS[:2]]
    width = max(len(p) for p in prompt)
    assert [tuple(t.shape) for t in seen] == [(2, width + step) for step in range(4)]
    first_call = seen[0].tolist()
    for ids in prompt:
        assert any(row[-len(ids) :] == ids for row in first_call)
    assert seen[-1][:, -3:].tolist() == [[forced] * 3] * 2


def test_min_new_tokens_is_respected(model: HFLanguageModel) -> None:
    stop = model.tokenizer.token_id("<|im_end|>")

    def boost_stop(input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        scores[:, stop] += 1000.0  # makes the stop token certain, unless it is masked (-inf)
        return scores

    early = model.generate(["Hi"], max_new_tokens=10, logits_processors=[boost_stop], seed=0)[0]
    assert (early.token_ids, early.text, early.finish_reason) == ([], "", "stop")
    late = model.generate(
        ["Hi"], max_new_tokens=10, min_new_tokens=4, logits_processors=[boost_stop], seed=0
    )[0]
    assert len(late.token_ids) == 4 and late.finish_reason == "stop"


@pytest.mark.parametrize(
    "prompts, kwargs",
    [
        ("a single string", {}),
        ([1, 2], {}),
        (["ok", None], {}),
        (["ok"], {"max_new_tokens": 0}),
        (["ok"], {"temperature": -0.5}),
        (["ok"], {"top_p": 0.0}),
        (["ok"], {"top_p": 1.5}),
        (["ok"], {"top_k": -1}),
        (["ok"], {"max_new_tokens": 3, "min_new_tokens": 4}),
        (["ok"], {"batch_size": 0}),
        (["ok"], {"seed": "seven"}),
    ],
)
def test_bad_arguments_raise_invalid_input(model: HFLanguageModel, prompts: object, kwargs: dict) -> None:
    with pytest.raises(InvalidInputError):
        model.generate(prompts, **kwargs)  # type: ignore[arg-type]


def test_edge_cases(model: HFLanguageModel) -> None:
    assert model.generate([], max_new_tokens=5) == []
    with pytest.raises(InvalidInputError):
        model.next_token_logits([])
    with pytest.raises(InvalidInputError):
        model.next_token_logits([1, 2, 3])  # a flat list, not a batch
    with pytest.raises(InvalidInputError):
        model.prompt_ids("", chat=False)  # nothing to condition on
    with pytest.raises(ModelLoadError):
        load_model("./no/such/model-folder")
    with pytest.raises(ModelLoadError):
        load_tokenizer("/no/such/file.gguf")
