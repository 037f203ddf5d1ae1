"""Watermark quality on the default model: detection power, false positives, robustness, text quality.

Protocol (issue #2): >= 200 prompts (BOLD sentence beginnings, asked to be continued), 200 new
tokens each, gamma 0.25, delta 2.0, multinomial sampling at temperature 1 (top-k off, top-p 1),
scheme selfhash with the reference key. Reported in one table:
- true-positive rate at z = 4 on the watermarked generations, and on the plain ones (should be ~0);
- false positives at z = 4 on >= 1,000 human-written 200-token texts (BOLD Wikipedia, Shakespeare);
- TPR after 10/20/30 % of tokens are replaced by random tokens or deleted at random;
- WinMax vs plain z for a 200-token watermarked passage pasted into 600 tokens of human text, and
  WinMax false positives on 800-token human texts;
- perplexity of watermarked vs plain generations under the same model (no watermark).

Usage: python benchmarks/watermark_quality.py [--prompts 200] [--tokens 200] [--human 1200] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

from genguard.datasets import human_token_chunks, require_data
from genguard.lm import load_default_model
from genguard.watermark import WatermarkDetector, WatermarkKey, WatermarkLogitsProcessor

GAMMA, DELTA, Z = 0.25, 2.0, 4.0


def bold_prompts(n: int) -> list[str]:
    rng = random.Random(0)
    prompts: list[str] = []
    for path in sorted(require_data("bold/prompts").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for group in data.values():
            for items in group.values():
                prompts.extend(p.strip() for p in items if p.strip())
    rng.shuffle(prompts)
    return [f"Continue this text: {p}" for p in prompts[:n]]


def perplexity(model, prompts: list[str], completions: list[list[int]], batch_size: int = 8) -> float:
    """exp(mean negative log-likelihood per completion token) under the model, no watermark."""
    total_nll, total_tokens = 0.0, 0
    for start in range(0, len(prompts), batch_size):
        seqs = []
        for prompt, comp in zip(
            prompts[start : start + batch_size], completions[start : start + batch_size], strict=True
        ):
            p = model.prompt_ids(prompt)
            seqs.append((p, comp))
        longest = max(len(p) + len(c) for p, c in seqs)
        ids = torch.zeros((len(seqs), longest), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, (p, c) in enumerate(seqs):
            row = p + c
            ids[i, longest - len(row) :] = torch.tensor(row)
            mask[i, longest - len(row) :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        with torch.inference_mode():
            logits = model.model(input_ids=ids, attention_mask=mask, position_ids=positions).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1, : model.tokenizer.vocab_size], dim=-1)
        for i, (_, c) in enumerate(seqs):
            n = len(c)
            if n == 0:
                continue
            targets = ids[i, longest - n :]
            lp = logprobs[i, longest - n - 1 : longest - 1].gather(-1, targets[:, None])
            total_nll -= float(lp.sum())
            total_tokens += n
    return math.exp(total_nll / total_tokens)


def attack(ids: list[int], fraction: float, mode: str, rng: np.random.Generator, vocab: int) -> list[int]:
    """Replace or delete `fraction` of the tokens, chosen uniformly at random."""
    arr = np.array(ids)
    k = round(fraction * len(arr))
    where = rng.choice(len(arr), size=k, replace=False)
    if mode == "replace":
        arr[where] = rng.integers(0, vocab, size=k)
        return arr.tolist()
    return np.delete(arr, where).tolist()


def generate(scheme: str, model, prompts, gen_kwargs) -> tuple[list, float]:
    """Watermarked generations for `scheme` with the reference key, and the seconds they took."""
    proc = WatermarkLogitsProcessor(
        model.tokenizer.vocab_size, WatermarkKey.reference(), scheme=scheme, gamma=GAMMA, delta=DELTA
    )
    start = time.perf_counter()
    marked = model.generate(prompts, logits_processors=[proc], seed=1, **gen_kwargs)
    return marked, time.perf_counter() - start


def evaluate(scheme: str, dedup: str, model, prompts, marked, plain, human, human_long, human_800) -> dict:
    """All detection measurements for one scheme and way of counting repeats."""
    tok = model.tokenizer
    key = WatermarkKey.reference()
    res: dict = {}
    settings = dict(keys=[key], scheme=scheme, gamma=GAMMA, z_threshold=Z, ignore_repeated=dedup)
    det = WatermarkDetector(tok, **settings)
    win = WatermarkDetector(tok, window=True, **settings)
    marked_ids = [g.token_ids for g in marked]

    def rate(results) -> float:
        return float(np.mean([r.is_watermarked for r in results]))

    r_marked = det.detect_ids(marked_ids)
    r_plain = det.detect_ids([g.token_ids for g in plain])
    r_human = det.detect_ids(human)
    res["tpr"] = rate(r_marked)
    res["median_z_marked"] = float(np.median([r.z_score for r in r_marked]))
    # Round trip through text, as a detector sees a pasted text: re-tokenisation must not hurt.
    res["tpr_text_roundtrip"] = rate(det.detect([g.text for g in marked]))
    res["plain_positive_rate"] = rate(r_plain)
    res["median_z_plain"] = float(np.median([r.z_score for r in r_plain]))
    res["human_false_positives"] = int(sum(r.is_watermarked for r in r_human))
    res["human_max_z"] = float(max(r.z_score for r in r_human))
    rng = np.random.default_rng(0)
    for mode in ("replace", "delete"):
        for frac in (0.1, 0.2, 0.3):
            attacked = [attack(ids, frac, mode, rng, tok.vocab_size) for ids in marked_ids]
            res[f"tpr_{mode}_{int(frac * 100)}"] = rate(det.detect_ids(attacked))
    pasted = [h[:300] + m + h[300:] for h, m in zip(human_long, marked_ids, strict=False)]
    p_plain, p_win = det.detect_ids(pasted), win.detect_ids(pasted)
    res["pasted_plain_tpr"], res["pasted_winmax_tpr"] = rate(p_plain), rate(p_win)
    res["pasted_plain_median_z"] = float(np.median([r.z_score for r in p_plain]))
    res["pasted_winmax_median_z"] = float(np.median([r.window.z_score for r in p_win]))
    res["winmax_human_false_positives"] = int(sum(r.is_watermarked for r in win.detect_ids(human_800)))
    res["ppl_marked"] = perplexity(model, prompts, marked_ids)
    return res


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--human", type=int, default=1200)
    parser.add_argument(
        "--columns",
        default="selfhash/pairs,selfhash/ngrams,lefthash/pairs",
        help="scheme/counting; 'ngrams' counts repeats as the reference, 'pairs' is genguard's default",
    )
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/watermark_quality.json"))
    args = parser.parse_args()
    started = time.perf_counter()
    model = load_default_model()
    tok = model.tokenizer
    prompts = bold_prompts(args.prompts)
    gen_kwargs = dict(
        max_new_tokens=args.tokens,
        min_new_tokens=args.tokens,
        temperature=1.0,
        top_k=0,
        top_p=1.0,
        batch_size=args.batch_size,
    )
    plain = model.generate(prompts, seed=1, **gen_kwargs)
    half = args.human // 2
    human = human_token_chunks(tok, args.tokens, half, "bold") + human_token_chunks(
        tok, args.tokens, half, "shakespeare"
    )
    human_long = human_token_chunks(tok, 600, len(prompts), "bold")
    human_800 = human_token_chunks(tok, 800, 250, "bold") + human_token_chunks(tok, 800, 250, "shakespeare")
    schemes = args.columns.split(",")
    generations: dict[str, tuple[list, float]] = {}
    results = {}
    for column in schemes:
        scheme, dedup = column.split("/")
        if scheme not in generations:
            generations[scheme] = generate(scheme, model, prompts, gen_kwargs)
        marked, seconds = generations[scheme]
        results[column] = evaluate(scheme, dedup, model, prompts, marked, plain, human, human_long, human_800)
        results[column]["generation_seconds"] = seconds
    ppl_plain = perplexity(model, prompts, [g.token_ids for g in plain])

    def row(label: str, fmt) -> tuple[str, list[str]]:
        return label, [fmt(results[s]) for s in schemes]

    rows = [
        row("TPR at z=4, watermarked", lambda r: f"{r['tpr']:.3f} (median z {r['median_z_marked']:.1f})"),
        row("TPR at z=4, via decoded text", lambda r: f"{r['tpr_text_roundtrip']:.3f}"),
        row(
            "positive rate, plain generations",
            lambda r: f"{r['plain_positive_rate']:.3f} (median z {r['median_z_plain']:.2f})",
        ),
        row(
            f"false positives, {len(human)} human texts",
            lambda r: f"{r['human_false_positives']} (max z {r['human_max_z']:.2f})",
        ),
    ]
    for mode in ("replace", "delete"):
        for pct in (10, 20, 30):
            rows.append(
                row(f"TPR after {pct} % tokens {mode}d", lambda r, k=f"tpr_{mode}_{pct}": f"{r[k]:.3f}")
            )
    rows += [
        row(
            "200 pasted in 600 human: plain z TPR",
            lambda r: f"{r['pasted_plain_tpr']:.3f} (median z {r['pasted_plain_median_z']:.2f})",
        ),
        row(
            "200 pasted in 600 human: WinMax TPR",
            lambda r: f"{r['pasted_winmax_tpr']:.3f} (median z {r['pasted_winmax_median_z']:.2f})",
        ),
        row(
            f"WinMax false positives, {len(human_800)} human 800-token",
            lambda r: str(r["winmax_human_false_positives"]),
        ),
        row(
            f"perplexity (anchor: plain sampling {ppl_plain:.2f})",
            lambda r: f"{r['ppl_marked']:.2f} ({r['ppl_marked'] / ppl_plain:.2f}x)",
        ),
        row("generation time (s)", lambda r: f"{r['generation_seconds']:.0f}"),
    ]
    print(
        f"watermark quality: {model.model_id}; gamma {GAMMA}, delta {DELTA}, {len(prompts)} prompts x "
        f"{args.tokens} tokens, multinomial sampling at temperature 1, reference key"
    )
    width = max(len(label) for label, _ in rows)
    cols = [max(len(s), *(len(v[i]) for _, v in rows)) for i, s in enumerate(schemes)]
    print(f"{'measure':<{width}}  " + "  ".join(f"{s:<{c}}" for s, c in zip(schemes, cols, strict=True)))
    for label, values in rows:
        print(f"{label:<{width}}  " + "  ".join(f"{v:<{c}}" for v, c in zip(values, cols, strict=True)))
    summary = {
        "model": model.model_id,
        "prompts": len(prompts),
        "new_tokens": args.tokens,
        "gamma": GAMMA,
        "delta": DELTA,
        "z": Z,
        "human_texts": len(human),
        "winmax_human_texts": len(human_800),
        "ppl_plain": ppl_plain,
        "schemes": results,
        "seconds": time.perf_counter() - started,
    }
    print(f"({summary['seconds']:.0f} s)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"results: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
