"""Zero-shot machine-text detection on the default model (issue 18): Fast-DetectGPT's analytic
sampling discrepancy, with the watermark detector beside it on the same machine texts.

Human text from three domains of ../shared/data: BOLD Wikipedia paragraphs, Tiny Shakespeare,
Davidson tweets (`--domains` picks some).
200 human texts per domain (100 calibrate, 100 test), 50 machine texts per domain and setting.
Machine text: the default model (SmolLM2-135M-Instruct, no chat template) continuing
the first words of human texts of the test split (the DetectGPT protocol: human and machine texts
share their first words), in four settings: temperature 1.0, temperature 0.7,
greedy with repetition penalty 1.3 (transformers' RepetitionPenaltyLogitsProcessor), and
temperature 1.0 with the watermark (selfhash, reference key, gamma 0.25, delta 2); plus the
temperature-0.7 texts after light paraphrase (genguard.detection.paraphrase: synonym swaps and
sentence reordering).

Each domain's human texts are split in two halves: the threshold is calibrated at 1 % FPR on the
calibration half (genguard.detection.calibration, as `genguard detect calibrate` does) and
applied to the test half and the machine texts; AUROC uses the test half only. Intervals: AUROC
95 % bootstrap (human and machine resampled apart), rates Wilson 95 %.
Also measured: AUROC against the length of standalone texts (the first k tokens of human texts
and of the machine continuations scored alone), which sets the detector's "cannot decide"
length (per setting, the shortest k from which every longer k has an AUROC interval above 0.5;
the longest of those over the settings),
and the pooled default calibration written to src/genguard/detection/default_calibration.json.

Generations and token statistics are cached under benchmarks/.cache/detection_quality/, so a
rerun does not generate again (delete the folder to start over).

    OMP_NUM_THREADS=1 python benchmarks/detection_quality.py [--per-domain 200] [--machine 50]
Writes benchmarks/results/detection_quality.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plagiarism.metrics import auc_interval, table

from genguard.datasets import bold_wikipedia_paragraphs, davidson_tweets, human_token_chunks

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache" / "detection_quality"
RESULTS = ROOT / "results" / "detection_quality.json"
DOMAINS = ("wikipedia", "shakespeare", "tweets")
# Tokens of human text kept, words of prompt, new tokens generated: tweets are short.
LENGTHS = {"wikipedia": (104, 12, 88), "shakespeare": (104, 12, 88), "tweets": (40, 5, 32)}
SETTINGS = ("t1.0", "t0.7", "greedy_rp1.3", "watermark_t1.0")
FPR = 0.01


def human_texts(domain: str, n: int, tokenizer) -> list[str]:
    """`n` human texts of the domain, each cut to its first LENGTHS[domain][0] tokens (seeded)."""
    keep = LENGTHS[domain][0]
    rng = random.Random(0)
    if domain == "shakespeare":
        chunks = human_token_chunks(tokenizer, keep, 5000, "shakespeare")
        rng.shuffle(chunks)
        # Chunks start anywhere in a line: drop the partial first line.
        return [t.split("\n", 1)[-1].strip() for t in tokenizer.decode(chunks[:n])]
    if domain == "wikipedia":
        pool = [p for p in bold_wikipedia_paragraphs() if len(p.split()) >= 60]
    else:
        tweets, _ = davidson_tweets()
        pool = [" ".join(t.split()) for t in tweets if len(t.split()) >= 12]
    rng.shuffle(pool)
    ids = tokenizer.encode(pool[:n])
    return [t.strip() for t in tokenizer.decode([i[:keep] for i in ids])]


def prompt_of(text: str, domain: str) -> str:
    """The human text's first words (whitespace kept as it is inside them)."""
    words = LENGTHS[domain][1]
    parts = text.split(" ")
    return " ".join(parts[:words])


def _cache_path(kind: str, payload: object) -> Path:
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
    return CACHE / f"{kind}-{digest}.json"


def generate(model, prompts: list[str], domain: str, setting: str) -> dict:
    """Machine texts (prompt + continuation) for one setting, cached; with the seconds they took."""
    new = LENGTHS[domain][2]
    # Row i's sample depends on the seed and i only (genguard's per-row generators), so a cached
    # run over more prompts that begins with these serves them too.
    path = _cache_path("gen", {"d": domain, "s": setting, "new": new, "model": model.model_id})
    if path.exists():
        cached = json.loads(path.read_text())
        if cached["prompts"][: len(prompts)] == prompts:
            share = len(prompts) / len(cached["prompts"])
            return {
                "prompts": prompts,
                "texts": cached["texts"][: len(prompts)],
                "continuations": cached["continuations"][: len(prompts)],
                "seconds": cached["seconds"] * share,
            }
    processors = []
    kwargs = {"temperature": 1.0}
    if setting == "t0.7":
        kwargs = {"temperature": 0.7}
    elif setting == "greedy_rp1.3":
        from transformers import RepetitionPenaltyLogitsProcessor

        processors = [RepetitionPenaltyLogitsProcessor(1.3)]
        kwargs = {"temperature": 0.0}
    elif setting == "watermark_t1.0":
        from genguard.watermark import WatermarkKey, WatermarkLogitsProcessor

        processors = [
            WatermarkLogitsProcessor(
                model.tokenizer.vocab_size, WatermarkKey.reference(), scheme="selfhash", gamma=0.25, delta=2.0
            )
        ]
    started = time.perf_counter()
    gens = model.generate(
        prompts,
        max_new_tokens=new,
        min_new_tokens=new,
        chat=False,
        seed=7,
        batch_size=25,
        logits_processors=processors,
        **kwargs,
    )
    record = {
        "prompts": prompts,
        "texts": [p + g.text for p, g in zip(prompts, gens, strict=True)],
        "continuations": [g.text for g in gens],
        "seconds": time.perf_counter() - started,
        "new_tokens": sum(len(g.token_ids) for g in gens),
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))
    return record


def build_corpus(model, per_domain: int, machine: int, domains: list[str]) -> dict:
    """Per domain: human calibration and test halves, and machine texts per setting."""
    corpus = {}
    for domain in domains:
        human = human_texts(domain, per_domain, model.tokenizer)
        half = len(human) // 2
        calibration, test = human[:half], human[half:]
        prompts = [prompt_of(t, domain) for t in test[:machine]]
        gens = {}
        for setting in SETTINGS:
            gens[setting] = generate(model, prompts, domain, setting)
            print(
                f"{domain} {setting}: {len(prompts)} texts, {gens[setting]['seconds']:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        corpus[domain] = {"calibration": calibration, "test": test, "prompts": prompts, "machine": gens}
    return corpus


def score_cached(detector, texts: list[str]) -> list:
    """TokenCurves of `texts`, cached by content (stats and positions; offsets are not needed)."""
    from genguard.detection.tokens import TokenCurve

    path = _cache_path("stats", {"t": texts, "model": detector.model.model_id}).with_suffix(".npz")
    if path.exists():
        data = np.load(path)
        cuts = np.cumsum(data["lengths"])[:-1]
        stats, positions = np.split(data["stats"], cuts), np.split(data["positions"], cuts)
        return [
            TokenCurve(num_tokens=int(n), offsets=None, positions=p, stats=s)
            for n, p, s in zip(data["num_tokens"], positions, stats, strict=True)
        ]
    curves = detector.curves(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        lengths=np.asarray([len(c.positions) for c in curves]),
        num_tokens=np.asarray([c.num_tokens for c in curves]),
        stats=np.concatenate([c.stats for c in curves]),
        positions=np.concatenate([c.positions for c in curves]),
    )
    return curves


def wilson(k: int, n: int) -> list[float]:
    from genguard.fairness.stats import wilson_interval

    return list(wilson_interval(k, n))


def rate(flags: np.ndarray) -> dict:
    """Share of True in `flags` with its Wilson 95 % interval."""
    k, n = int(np.sum(flags)), len(flags)
    return {"value": k / n if n else float("nan"), "k": k, "n": n, "ci95": wilson(k, n)}


def auroc(machine: np.ndarray, human: np.ndarray) -> dict:
    value, low, high = auc_interval(machine, human, reps=500)
    return {"value": value, "ci95": [low, high], "n_machine": len(machine), "n_human": len(human)}


def length_curve(calibration: list, human: list, machine: list, lengths: list[int]) -> list[dict]:
    """AUROC and TPR at FPR (threshold from the `calibration` human texts, rates on the `human` test
    texts) from k tokens of each text. All three are lists of (TokenCurve, p) pairs: the k tokens are
    rows p..p+k-1, after the p tokens of the prompt (machine texts begin with a human prompt, so
    their first tokens are human-written; human texts skip as many of their own first tokens)."""
    from genguard.detection.calibration import fpr_threshold
    from genguard.detection.curvature import discrepancy
    from genguard.errors import InvalidInputError

    def scores(pairs: list, k: int) -> np.ndarray:
        return np.asarray([discrepancy(c.stats[p : p + k]) for c, p in pairs if len(c.stats) >= p + k])

    rows = []
    for k in lengths:
        h, m = scores(human, k), scores(machine, k)
        if len(h) < 20 or len(m) < 20:
            continue  # too few texts this long
        row = {"tokens": k, "auroc": auroc(m, h), "tpr_at_fpr": None, "fpr": None}
        try:
            thr = fpr_threshold(scores(calibration, k), FPR).threshold
            row.update(tpr_at_fpr=rate(m > thr), fpr=rate(h > thr))
        except InvalidInputError:
            pass  # too few human texts for the rate: AUROC only
        rows.append(row)
    return rows


def floor_length(rows: list[dict]) -> int:
    """The shortest k from which every longer k measured has an AUROC interval above 0.5 (below
    it the detector is no better than chance)."""
    ks = [r["tokens"] for r in rows]
    above = {r["tokens"] for r in rows if r["auroc"]["ci95"][0] > 0.5}
    return next((k for k in ks if all(j in above for j in ks if j >= k)), max(ks) + 1)


def sets_and_curves(model, corpus: dict) -> tuple:
    """(detector, texts by domain and set name, TokenCurves likewise), scored through the cache."""
    from genguard.detection import MachineTextDetector
    from genguard.detection.paraphrase import paraphrase

    detector = MachineTextDetector(model)
    sets: dict[str, dict[str, list[str]]] = {}
    curves: dict[str, dict[str, list]] = {}
    for domain, c in corpus.items():
        sets[domain] = {"human_calibration": c["calibration"], "human_test": c["test"]}
        for setting in SETTINGS:
            sets[domain][setting] = c["machine"][setting]["texts"]
        texts = c["machine"]["t0.7"]["texts"]
        sets[domain]["paraphrase_t0.7"] = [paraphrase(t, seed=i) for i, t in enumerate(texts)]
        curves[domain] = {}
        for name, texts in sets[domain].items():
            curves[domain][name] = score_cached(detector, texts)
            print(f"scored {domain} {name}", file=sys.stderr, flush=True)
    return detector, sets, curves


def run(model, corpus: dict, args) -> None:
    from genguard.detection import save_calibration
    from genguard.detection.calibration import DEFAULT_FILE, CalibrationFile
    from genguard.detection.curvature import discrepancy, logprob_ratio
    from genguard.detection.detector import calibrate_curves
    from genguard.watermark import WatermarkDetector, WatermarkKey

    detector, sets, curves = sets_and_curves(model, corpus)
    done = list(corpus)  # the domains of this run (all three by default)
    wm = WatermarkDetector(model.tokenizer, keys=[WatermarkKey.reference()], scheme="selfhash", gamma=0.25)

    def d(cs: list) -> np.ndarray:
        return np.asarray([discrepancy(c.stats) for c in cs])

    def ratio(cs: list) -> np.ndarray:
        return np.asarray([logprob_ratio(c.stats) for c in cs])

    # The "cannot decide" length, from all domains and the four generation settings pooled.
    def after_prompt(domain: str, name: str) -> list:
        texts = sets[domain][name]
        prompts = corpus[domain]["prompts"] if name in SETTINGS else [prompt_of(t, domain) for t in texts]
        counts = [len(ids) for ids in model.tokenizer.encode(prompts)]
        return list(zip(curves[domain][name], counts, strict=True))

    # Per setting too: the floor is the longest of the settings' floors (for a setting detected
    # at some length), so that no setting is decided where it is no better than chance.
    # Standalone texts, as the detector sees a short text: the machine continuations alone (their
    # first 64 tokens, scored from the start-of-text token) against human texts from their start.
    ks = [2, 4, 6, 8, 12, 16, 24, 32, 48, 64]
    alone: dict[str, list] = {}
    for s in SETTINGS:
        for dm in done:
            ids = model.tokenizer.encode([t.strip() for t in corpus[dm]["machine"][s]["continuations"]])
            texts = model.tokenizer.decode([i[:64] for i in ids])
            alone.setdefault(s, []).extend((c, 0) for c in score_cached(detector, texts))
    human_all = [(c, 0) for dm in done for c in curves[dm]["human_test"]]
    human_cal = [(c, 0) for dm in done for c in curves[dm]["human_calibration"]]
    machine_all = [pair for s in SETTINGS for pair in alone[s]]
    lengths = length_curve(human_cal, human_all, machine_all, ks)
    by_setting = {s: length_curve(human_cal, human_all, alone[s], ks) for s in SETTINGS}
    after = length_curve(
        [pair for dm in done for pair in after_prompt(dm, "human_calibration")],
        [pair for dm in done for pair in after_prompt(dm, "human_test")],
        [pair for dm in done for s in SETTINGS for pair in after_prompt(dm, s)],
        ks,
    )
    floors = {s: floor_length(rows) for s, rows in by_setting.items()}
    min_tokens = max((k for k in floors.values() if k <= max(ks)), default=max(ks))

    # The packaged default: all domains' calibration halves pooled.
    pooled_texts = [t for dm in done for t in sets[dm]["human_calibration"]]
    default = calibrate_curves(
        model.model_id,
        [c for dm in done for c in curves[dm]["human_calibration"]],
        [dm for dm in done for _ in sets[dm]["human_calibration"]],
        target_fpr=FPR,
        span_tokens=64,
        source=f"benchmarks/detection_quality.py: {len(pooled_texts)} human texts ({', '.join(done)}; "
        "calibration halves)",
        min_tokens=min_tokens,
    )
    if not args.smoke:
        save_calibration(CalibrationFile(pooled=default.pooled, domains=default.domains), DEFAULT_FILE)

    results: dict = {"domains": {}}
    for domain in done:
        own = default.domains[domain].text.threshold
        pooled = default.pooled.text.threshold
        human = d(curves[domain]["human_test"])
        human_ratio = ratio(curves[domain]["human_test"])
        row: dict = {
            "threshold_own": own,
            "threshold_pooled": pooled,
            "human_test_fpr_own": rate(human > own),
            "human_test_fpr_pooled": rate(human > pooled),
            "human_tokens_median": float(np.median([c.num_tokens for c in curves[domain]["human_test"]])),
            "watermark_human_fpr": rate(
                np.asarray([r.is_watermarked for r in wm.detect(sets[domain]["human_test"])])
            ),
            "settings": {},
        }
        for name in [*SETTINGS, "paraphrase_t0.7"]:
            m = d(curves[domain][name])
            entry = {
                "auroc": auroc(m, human),
                "tpr_own": rate(m > own),
                "tpr_pooled": rate(m > pooled),
                "auroc_logprob_ratio": auroc(-ratio(curves[domain][name]), -human_ratio),
                "tokens_median": float(np.median([c.num_tokens for c in curves[domain][name]])),
            }
            if "watermark" in name:
                marks = wm.detect(sets[domain][name])
                entry["watermark_tpr"] = rate(np.asarray([r.is_watermarked for r in marks]))
            row["settings"][name] = entry
        results["domains"][domain] = row

    speed = measure_speed(detector, wm, sets)
    results.update(
        {
            "protocol": __doc__.split("\n\n")[0],
            "model_id": model.model_id,
            "target_fpr": FPR,
            "min_tokens": min_tokens,
            "length_curve": lengths,
            "length_curve_by_setting": by_setting,
            "length_curve_after_prompt": after,
            "floor_by_setting": floors,
            "default_calibration": default.pooled.model_dump(),
            "speed": speed,
            "generation_seconds": {
                dm: {s: corpus[dm]["machine"][s]["seconds"] for s in SETTINGS} for dm in done
            },
            "machine": platform.platform(),
            "note": "shared CPU (2 cores, other jobs running): compare speeds as ratios (one run)",
        }
    )
    if not args.smoke:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)


def measure_speed(detector, wm, sets: dict, rounds: int = 3, n: int = 40) -> dict:
    """texts/s of the detector, interleaved with two anchors on the same texts: the sentence
    log-likelihood (one forward pass, no vocabulary statistics) and the watermark detector."""
    from genguard.fairness.sentence_scores import score_sentences

    texts = [t for dm in sets for t in sets[dm]["human_test"][: n // len(sets)]]
    timings: dict[str, list[float]] = {"fast_detectgpt": [], "loglikelihood_anchor": [], "watermark": []}
    for _ in range(rounds):
        for name, fn in (
            ("fast_detectgpt", lambda: detector.scores(texts)),
            ("loglikelihood_anchor", lambda: score_sentences(detector.model, texts, batch_size=8)),
            ("watermark", lambda: wm.detect(texts)),
        ):
            started = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - started)
    best = {k: min(v) for k, v in timings.items()}
    return {
        "texts": len(texts),
        "texts_per_second": {k: len(texts) / v for k, v in best.items()},
        "ratio_to_loglikelihood": best["loglikelihood_anchor"] / best["fast_detectgpt"],
        "seconds": timings,
    }


def _fmt(r: dict) -> str:
    return f"{r['value']:.3f} [{r['ci95'][0]:.2f}, {r['ci95'][1]:.2f}]"


def print_table(results: dict) -> None:
    header = [
        "domain",
        "setting",
        "AUROC",
        "TPR @1% (own thr)",
        "TPR (pooled thr)",
        "AUROC ratio",
        "watermark TPR",
    ]
    rows = []
    for domain, row in results["domains"].items():
        rows.append(
            [
                domain,
                "human test FPR",
                "",
                _fmt(row["human_test_fpr_own"]),
                _fmt(row["human_test_fpr_pooled"]),
                "",
                _fmt(row["watermark_human_fpr"]),
            ]
        )
        for name, e in row["settings"].items():
            rows.append(
                [
                    domain,
                    name,
                    _fmt(e["auroc"]),
                    _fmt(e["tpr_own"]),
                    _fmt(e["tpr_pooled"]),
                    f"{e['auroc_logprob_ratio']['value']:.3f}",
                    _fmt(e["watermark_tpr"]) if "watermark_tpr" in e else "",
                ]
            )
    print(table(header, rows))
    print("\nlength (first k tokens), all domains and settings pooled:")
    print(
        table(
            ["tokens", "AUROC", "TPR @1%"],
            [
                [str(r["tokens"]), _fmt(r["auroc"]), _fmt(r["tpr_at_fpr"]) if r["tpr_at_fpr"] else "n/a"]
                for r in results["length_curve"]
            ],
        )
    )
    print(f"\nfloor per setting (AUROC above chance from): {results['floor_by_setting']}")
    print(f"cannot decide below {results['min_tokens']} tokens")
    sp = results["speed"]
    ratio = 1 / sp["ratio_to_loglikelihood"]
    print(f"speed: {sp['texts_per_second']} texts/s; time / log-likelihood anchor's {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-domain", type=int, default=200, help="human texts per domain (half calibrate)")
    parser.add_argument("--machine", type=int, default=50, help="machine texts per domain and setting")
    parser.add_argument("--fpr", type=float, default=FPR, help="target false-positive rate")
    parser.add_argument("--smoke", action="store_true", help="write nothing outside the cache (a quick try)")
    parser.add_argument("--domains", default=",".join(DOMAINS), help="comma-separated domains to run")
    parser.add_argument(
        "--prepare", action="store_true", help="generate and score the given domains into the cache, stop"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    globals()["FPR"] = args.fpr  # the rate every function here calibrates for

    import torch

    from genguard.lm import load_default_model

    torch.manual_seed(0)
    model = load_default_model()
    domains = args.domains.split(",")
    corpus = build_corpus(model, args.per_domain, args.machine, domains)
    if args.prepare:  # one process per domain can fill the cache side by side
        sets_and_curves(model, corpus)
        return
    run(model, corpus, args)


if __name__ == "__main__":
    main()
