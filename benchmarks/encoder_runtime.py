"""Encoder runtimes for the shared MiniLM, side by side in one run: speed and agreement.

Candidates (all through `SentenceEmbedder.embed(..., layers=(4, 6))`, the toxicity head's features,
with the feature cache off):
- torch bf16, the anchor (the default runtime; passes padded to powers of two);
- torch float32 (the reference the others are compared with; timed too);
- ONNX Runtime float32 and dynamic int8 (genguard.scoring.encoder_onnx; passes padded to the
  longest text rounded up to 8);
(torch's own dynamic int8, `quantize_dynamic` on BertModel's Linear modules, was a candidate until
the embedder's forward was written out in genguard.scoring.encoder_torch, which does not go through
those modules; its last run measured 1.04x the bf16 path on short prompts.)

Speed, interleaved (each round runs every candidate once, in turn; the median of the rounds is
reported, with its ratio to the anchor's median) on (a) short prompts: guard_speed.py's batch pool
(Davidson tweets and BOLD prompts joined three to a text), and (b) the sentence chunks of a long,
non-repeating text of benchmarks/large_queries.py's kind (Shakespeare passages between runs of
BOLD words), both through the toxicity scorer's `prepare`. Word pieces per second count real word
pieces (special tokens included, padding not).

Agreement with torch float32 on the guard_quality test sets (Davidson test split, a seeded sample
of BOLD sentences from the held-out domains, the toxicity probe, the registers test set where
present) and on (a) and (b): per text the lower of the two layers' cosines (min and 1st
percentile), the toxicity head's |delta P(toxic)| (max and 99th percentile) and how many
decisions flip at 0.2 / 0.5 / 0.7 / 0.9.

Token budget: the int8 runtime on (b) at budgets of 2,048 to 16,384 word pieces per pass.

    python benchmarks/encoder_runtime.py [--rounds 3] [--short 1024] [--long 2000] [--bold 2000]

Numbers go to benchmarks/results/encoder_runtime.json. About 10 minutes on an idle 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE / "results" / "encoder_runtime.json"
LAYERS = (4, 6)
THRESHOLDS = (0.2, 0.5, 0.7, 0.9)


def long_chunks(chars: int, seed: int = 1) -> list[str]:
    """Sentence chunks of a non-repeating text of large_queries.py's kind, `chars` long."""
    from large_queries import corpus, query_text

    from genguard.text.sentences import chunk_spans

    _, words, shakespeare = corpus()
    text = query_text(chars, words, shakespeare, seed=seed)
    return [text[s:e] for s, e in chunk_spans(text)]


def short_prompts(n: int, seed: int = 0) -> list[str]:
    """guard_speed.py's batch pool: half Davidson tweets, half BOLD prompts joined three to a text."""
    from guard_speed import bold_prompts

    from genguard.datasets import davidson_tweets

    rng = random.Random(seed)
    bold = bold_prompts()
    half = n // 2
    pool = rng.sample(davidson_tweets()[0], half) + [
        ". ".join(bold[s : s + 3]) + "." for s in rng.sample(range(len(bold) - 3), n - half)
    ]
    rng.shuffle(pool)
    return pool


def quality_sets(bold_n: int) -> dict[str, list[str]]:
    """The guard_quality test sets (texts only), as that benchmark builds them."""
    from guard_quality import PROBE, davidson_split

    from genguard.datasets import bold_wikipedia_sentences
    from genguard.scoring.toxicity import DEFAULT_MODEL_DIR

    config = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    sets = {"davidson test split": davidson_split(int(config["metrics"]["seed"]))[0]}
    bold = bold_wikipedia_sentences(tuple(config["bold_held_out_domains"]))
    sets[f"BOLD held-out domains (sample of {bold_n})"] = random.Random(0).sample(
        bold, min(bold_n, len(bold))
    )
    for name, path in [
        ("toxicity probe", PROBE),
        ("registers test", HERE / "data" / "toxicity_registers_test.jsonl"),
    ]:
        if path.exists():
            rows = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
            sets[name] = [r["text"] for r in rows if "text" in r]  # header rows have none
    return sets


def agreement(got: np.ndarray, want: np.ndarray, head: object) -> dict:
    """Cosine per text (lower of the two layers), |delta p| of the head, flips per threshold."""
    d = got.shape[1] // len(LAYERS)
    cos = np.min(
        [(got[:, k * d : (k + 1) * d] * want[:, k * d : (k + 1) * d]).sum(1) for k in range(len(LAYERS))], 0
    )
    p, q = head.probabilities(got), head.probabilities(want)  # type: ignore[attr-defined]
    dp = np.abs(p - q)
    return {
        "n": len(got),
        "cos_min": float(cos.min()),
        "cos_p1": float(np.percentile(cos, 1)),
        "dp_max": float(dp.max()),
        "dp_p99": float(np.percentile(dp, 99)),
        "flips": {str(t): int(((p >= t) != (q >= t)).sum()) for t in THRESHOLDS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--short", type=int, default=1024, help="short prompts timed")
    parser.add_argument("--long", type=int, default=2000, help="chunks of the long text timed")
    parser.add_argument(
        "--bold", type=int, default=2000, help="BOLD held-out sentences in the agreement check"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started, load_start = time.perf_counter(), os.getloadavg()[0]

    import torch

    from genguard.scoring.embedder import SentenceEmbedder
    from genguard.scoring.toxicity import DEFAULT_MODEL_DIR, ToxicityHead, prepare

    head = ToxicityHead.load(DEFAULT_MODEL_DIR)
    cands: dict[str, SentenceEmbedder] = {
        "torch bf16": SentenceEmbedder(cache_rows=0),
        "torch fp32": SentenceEmbedder(dtype=torch.float32, cache_rows=0),
        "onnx fp32": SentenceEmbedder(runtime="onnx", cache_rows=0),
        "onnx int8": SentenceEmbedder(runtime="onnx-int8", cache_rows=0),
    }
    for name, e in cands.items():
        if name.startswith("onnx") and e.onnx is None:
            raise SystemExit(f"{name}: ONNX Runtime unavailable ({e.model_id}); pip install '.[onnx]'")
    sets = {
        "short prompts": [prepare(t) for t in short_prompts(args.short)],
        "long-text chunks": [prepare(t) for t in long_chunks(400_000)][: args.long],
    }
    tokenizer = cands["torch bf16"].tokenizer
    results: dict = {"candidates": {k: e.model_id for k, e in cands.items()}, "speed": {}, "agreement": {}}
    print(
        f"Encoder runtimes, torch {torch.__version__}, {torch.get_num_threads()} threads; anchor: torch bf16"
    )

    # --- speed, interleaved ---------------------------------------------------------------------
    for set_name, texts in sets.items():
        pieces = sum(len(x) for x in tokenizer(texts, truncation=True, max_length=256)["input_ids"])
        for e in cands.values():
            e.embed(texts[:256], layers=LAYERS)  # warm-up: the shapes of the first passes
        times: dict[str, list[float]] = {k: [] for k in cands}
        for _ in range(args.rounds):
            for name, e in cands.items():
                t0 = time.perf_counter()
                e.embed(texts, layers=LAYERS)
                times[name].append(time.perf_counter() - t0)
        anchor = statistics.median(times["torch bf16"])
        rows = {}
        print(
            f"\n{set_name}: {len(texts)} texts, {pieces:,} word pieces ({pieces / len(texts):.1f} per text)"
        )
        print(f"  {'runtime':<22}{'texts/s':>10}{'word pieces/s':>15}{'vs anchor':>11}  rounds (texts/s)")
        for name, ts in times.items():
            t = statistics.median(ts)
            rows[name] = {
                "texts_per_s": len(texts) / t,
                "word_pieces_per_s": pieces / t,
                "ratio": anchor / t,
                "rounds_texts_per_s": [len(texts) / x for x in ts],
            }
            spread = ", ".join(f"{len(texts) / x:,.0f}" for x in ts)
            print(f"  {name:<22}{len(texts) / t:>10,.0f}{pieces / t:>15,.0f}{anchor / t:>10.2f}x  {spread}")
        results["speed"][set_name] = {"texts": len(texts), "word_pieces": pieces, "runtimes": rows}

    # --- agreement with torch fp32 --------------------------------------------------------------
    check = {**{k: [prepare(t) for t in v] for k, v in quality_sets(args.bold).items()}, **sets}
    print(f"\nAgreement with torch fp32 (toxicity head {head.config.get('name')}, layers {head.layers}):")
    print(
        f"  {'set':<40}{'runtime':<22}{'cos min':>8}{'cos p1':>8}{'|dp| max':>9}{'|dp| p99':>9}  flips at "
        + "/".join(map(str, THRESHOLDS))
    )
    for set_name, texts in check.items():
        want = cands["torch fp32"].embed(texts, layers=LAYERS)
        results["agreement"][set_name] = {}
        for name, e in cands.items():
            if name == "torch fp32":
                continue
            a = agreement(e.embed(texts, layers=LAYERS), want, head)
            results["agreement"][set_name][name] = a
            flips = "/".join(str(v) for v in a["flips"].values())
            print(
                f"  {set_name[:39] + f' ({len(texts)})':<40}{name:<22}{a['cos_min']:>8.4f}{a['cos_p1']:>8.4f}"
                f"{a['dp_max']:>9.4f}{a['dp_p99']:>9.4f}  {flips}"
            )

    # --- token budget, int8 on the long-text chunks ---------------------------------------------
    texts = sets["long-text chunks"]
    pieces = results["speed"]["long-text chunks"]["word_pieces"]
    print("\nToken budget (onnx int8, long-text chunks), interleaved:")
    times = {b: [] for b in (2048, 4096, 8192, 16384)}
    for _ in range(args.rounds):
        for b in times:
            t0 = time.perf_counter()
            cands["onnx int8"].embed(texts, layers=LAYERS, token_budget=b)
            times[b].append(time.perf_counter() - t0)
    results["token_budget"] = {}
    for b, ts in times.items():
        t = statistics.median(ts)
        results["token_budget"][str(b)] = {"word_pieces_per_s": pieces / t, "texts_per_s": len(texts) / t}
        print(f"  budget {b:>6,}: {pieces / t:>8,.0f} word pieces/s, {len(texts) / t:,.0f} texts/s")

    results["load_average_start_end"] = [load_start, os.getloadavg()[0]]
    results["rounds"] = args.rounds
    results["seconds"] = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        f"\n1-minute load average {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end "
        f"(2 cores; anything above 2 means other work shared them). {results['seconds']:.0f} s; {args.out}"
    )


if __name__ == "__main__":
    main()
