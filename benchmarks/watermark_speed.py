"""Watermark speed: detection throughput against the reference approach, and generation overhead.

Prints one table; every ratio is against the anchor measured in the same run:
- detection: tokens/s of genguard's detector vs a faithful per-token re-implementation of the
  reference (benchmarks/_reference.py), on the same human-written 200-token texts, with z-scores
  checked to be identical;
- generation: tokens/s of the default model with the watermark processor vs without it
  (batch 1, greedy decoding so both runs produce comparable lengths);
- model load: the default model in a fresh process from genguard's converted cache vs from the
  GGUF file (module imports excluded from both).

Usage: python benchmarks/watermark_speed.py [--texts 200] [--anchor-texts 25] [--gen-tokens 64]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _reference import reference_z

from genguard.datasets import human_token_chunks, shared_data_dir
from genguard.lm import load_default_model, load_default_tokenizer
from genguard.watermark import WatermarkDetector, WatermarkLogitsProcessor


def texts(n: int, length: int) -> list[list[int]]:
    tok = load_default_tokenizer()
    if shared_data_dir() is not None:
        return human_token_chunks(tok, length, n, "bold")
    return np.random.default_rng(0).integers(0, tok.vocab_size, (n, length)).tolist()


def detection_rows(batch: list[list[int]], anchor_n: int) -> list[tuple]:
    rows = []
    vocab = load_default_tokenizer().vocab_size
    for scheme in ("selfhash", "lefthash"):
        det = WatermarkDetector(None, vocab_size=vocab, scheme=scheme, ignore_repeated="ngrams")
        det.detect_ids(batch[:2])  # compile the kernel outside the timing
        start = time.perf_counter()
        ours = det.detect_ids(batch)
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        one_by_one = [det.detect_ids([ids])[0] for ids in batch]
        t_single = time.perf_counter() - start
        start = time.perf_counter()
        ref = [reference_z(ids, scheme, 0.25, vocab) for ids in batch[:anchor_n]]
        t_ref = time.perf_counter() - start
        max_dz = max(abs(r.z_score - z) for r, z in zip(ours, ref, strict=False))
        assert all(a.z_score == b.z_score for a, b in zip(ours, one_by_one, strict=True))
        n_tokens = sum(len(ids) for ids in batch)
        ref_rate = sum(len(ids) for ids in batch[:anchor_n]) / t_ref
        rows.append((f"detect {scheme} (reference, per token)", f"{ref_rate:,.0f} tok/s", "1.0x", "anchor"))
        rows.append(
            (
                f"detect {scheme} (genguard, batch of {len(batch)})",
                f"{n_tokens / t_ours:,.0f} tok/s",
                f"{n_tokens / t_ours / ref_rate:.0f}x",
                f"max |dz| = {max_dz:.1e}",
            )
        )
        rows.append(
            (
                f"detect {scheme} (genguard, one text at a time)",
                f"{n_tokens / t_single:,.0f} tok/s",
                f"{n_tokens / t_single / ref_rate:.0f}x",
                "same z",
            )
        )
    return rows


def generation_rows(new_tokens: int) -> list[tuple]:
    model = load_default_model()
    prompts = [
        "Write a paragraph about the history of bridges.",
        "Explain photosynthesis simply.",
        "Give advice to a new gardener.",
    ]
    model.generate(prompts[:1], max_new_tokens=4, temperature=0)  # warm-up

    def rate(processors: list) -> float:
        tokens, elapsed = 0, 0.0
        for prompt in prompts:
            start = time.perf_counter()
            out = model.generate(
                [prompt],
                max_new_tokens=new_tokens,
                min_new_tokens=new_tokens,
                temperature=0,
                logits_processors=processors,
            )
            elapsed += time.perf_counter() - start
            tokens += len(out[0].token_ids)
        return tokens / elapsed

    rows = []
    base = rate([])
    rows.append(("generate, no watermark (batch 1)", f"{base:.1f} tok/s", "1.00x", "anchor"))
    for scheme in ("selfhash", "lefthash"):
        proc = WatermarkLogitsProcessor(model.tokenizer.vocab_size, scheme=scheme)
        proc(torch.zeros((1, 8), dtype=torch.long), torch.zeros((1, model.tokenizer.vocab_size)))  # compile
        r = rate([proc])
        rows.append(
            (
                f"generate, {scheme} watermark (batch 1)",
                f"{r:.1f} tok/s",
                f"{r / base:.2f}x",
                f"overhead {100 * (1 - r / base):.1f} %",
            )
        )
    return rows


def load_rows() -> list[tuple]:
    """Default model load in a fresh process: from genguard's converted cache vs from the GGUF file."""
    code = (
        "import json, time, sys\n"
        "import genguard.lm, genguard.lm.default as d, transformers.models.llama.modeling_llama\n"
        "t = time.perf_counter()\n"
        "if sys.argv[1] == 'gguf':\n"
        "    d.HFLanguageModel.from_pretrained(d.gguf_path().parent, gguf_file=d.GGUF_FILE)\n"
        "else:\n"
        "    genguard.lm.load_default_model()\n"
        "print(json.dumps(time.perf_counter() - t))\n"
    )

    def seconds(mode: str) -> float:
        proc = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, check=True)
        return float(proc.stdout.strip().splitlines()[-1])

    load_default_model()  # make sure the cache exists
    gguf, cached = seconds("gguf"), min(seconds("cache") for _ in range(3))
    return [
        ("load default model from the GGUF file", f"{gguf:.2f} s", "1.0x", "anchor (imports excluded)"),
        (
            "load default model from genguard's cache",
            f"{cached:.2f} s",
            f"{gguf / cached:.0f}x faster",
            "fresh process, best of 3",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--anchor-texts", type=int, default=25)
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--gen-tokens", type=int, default=64)
    args = parser.parse_args()
    rows = detection_rows(texts(args.texts, args.length), args.anchor_texts)
    rows += generation_rows(args.gen_tokens)
    rows += load_rows()
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'throughput':>16}  {'vs anchor':>9}  note")
    for name, value, ratio, note in rows:
        print(f"{name:<{width}}  {value:>16}  {ratio:>9}  {note}")


if __name__ == "__main__":
    main()
