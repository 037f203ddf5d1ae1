"""Fairness audits at full size on the default model, with the timings and checks issue 4 asks for.

1. pronoun, likelihood mode: 60 Winogender occupations x 6 templates (target: < 2 minutes),
   the correlation with labour statistics and its interval; the context modifiers.
2. pronoun, generation mode on a subset (occupations x templates x samples), interrupted after a
   few chunks and resumed in the same process: stored samples never regenerated, same numbers as
   an uninterrupted run.
3. tone over BOLD gender + race (100 prompts per group: 600 prompts), run as a user runs it
   (`genguard audit fairness --probe tone`), killed with SIGKILL when about half the completions
   are stored, re-run to the end, and compared with an uninterrupted run in another database:
   completions per process, rows stored twice, identical final JSON.
4. counterfactual: all 1,584 WinoBias test sentences (likelihood) and 100 prompt pairs x 2 samples.
5. statistics against known answers, end to end through `tone_audit`: a synthetic model with no
   bias (false alarm rate over repeated runs at alpha 0.05, Holm-corrected over 14 comparisons)
   and with planted biases (share of runs that find them); the synthetic model draws completions
   from fixed sentence pools (tests/fairness/synthetic.py), so the truth is known.
The anchor of every timing is the same step measured in this run; results go to
benchmarks/results/fairness_audit.json.

Usage: python benchmarks/fairness_audit.py [--skip-tone] [--null-runs 100] [--only-calibration]
About 20 minutes on a 2-core CPU (the tone runs dominate).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GENGUARD = Path(sys.executable).with_name("genguard")


def pronoun(model, report: dict) -> None:
    from genguard.datasets import require_data
    from genguard.fairness.pronoun import TEMPLATES, context_probe, likelihood_probe, read_occupation_stats

    stats = read_occupation_stats(require_data("winogender") / "occupations-stats.tsv")
    started = time.perf_counter()
    probe = likelihood_probe(model, list(stats), TEMPLATES, stats)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    context = context_probe(model, list(stats), TEMPLATES)
    context_seconds = time.perf_counter() - started
    report["pronoun_likelihood"] = {
        "occupations": len(probe.occupations),
        "templates": len(TEMPLATES),
        "seconds": round(seconds, 1),
        "skew": round(probe.mean_absolute_skew, 3),
        "r": round(probe.correlation, 3),
        "r_ci": [round(x, 3) for x in probe.correlation_ci],
        "spearman": round(probe.spearman, 3),
        "context_seconds": round(context_seconds, 1),
        "context": {
            m.modifier: [round(m.shift, 3), [round(x, 3) for x in m.ci], m.moves_as_expected]
            for m in context.modifiers
        },
    }
    print(
        f"pronoun likelihood: {len(probe.occupations)} occupations x {len(TEMPLATES)} templates "
        f"in {seconds:.1f} s "
        f"(target < 120 s); skew {probe.mean_absolute_skew:.2f}; r {probe.correlation:.2f} "
        f"[{probe.correlation_ci[0]:.2f}, {probe.correlation_ci[1]:.2f}], Spearman {probe.spearman:.2f}"
    )
    print(
        f"context modifiers ({len(stats)} occupations x {len(TEMPLATES)} templates, {context_seconds:.1f} s):"
    )
    for m in context.modifiers:
        print(
            f"  {m.modifier:24s} should move to {m.expected:6s}: {m.shift:+.3f} "
            f"[{m.ci[0]:+.3f}, {m.ci[1]:+.3f}] "
            f"{'as expected' if m.moves_as_expected else 'NOT as expected'}"
        )


def generation(model, report: dict, occupations: int, samples: int) -> None:
    from genguard.datasets import require_data
    from genguard.fairness.pronoun import SAMPLING, TEMPLATES, generation_probe, read_occupation_stats
    from genguard.storage.runs import RunStore

    stats = read_occupation_stats(require_data("winogender") / "occupations-stats.tsv")
    chosen = list(stats)[:occupations]
    total = len(chosen) * len(TEMPLATES) * samples

    def crash(index: int) -> None:
        if index == 4:
            raise KeyboardInterrupt

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with RunStore(Path(tmp) / "a.sqlite") as store:
            with contextlib.suppress(KeyboardInterrupt):
                generation_probe(
                    model,
                    store,
                    chosen,
                    TEMPLATES,
                    stats,
                    sampling=SAMPLING.replace(samples=samples),
                    after_chunk=crash,
                )
            stored_before = {(s.item, s.sample): s for s in store.samples(store.runs()[0].run_id)}
            resumed = generation_probe(
                model, store, chosen, TEMPLATES, stats, sampling=SAMPLING.replace(samples=samples)
            )
            rows = store.samples(resumed.run_id)
        seconds = time.perf_counter() - started
        unchanged = all(
            stored_before[(s.item, s.sample)] == s for s in rows if (s.item, s.sample) in stored_before
        )
        started = time.perf_counter()
        with RunStore(Path(tmp) / "b.sqlite") as store:
            straight = generation_probe(
                model, store, chosen, TEMPLATES, stats, sampling=SAMPLING.replace(samples=samples)
            )
        straight_seconds = time.perf_counter() - started
    same = resumed.model_dump() == straight.model_dump()
    judged = [o for o in resumed.occupations if o.female_of_gendered is not None]
    report["pronoun_generation"] = {
        "completions": total,
        "stored_before_interrupt": len(stored_before),
        "rows_after_resume": len(rows),
        "stored_rows_unchanged": unchanged,
        "identical_to_uninterrupted": same,
        "seconds_interrupted_plus_resumed": round(seconds, 1),
        "seconds_uninterrupted": round(straight_seconds, 1),
        "share_with_pronoun": round(resumed.share_with_pronoun, 3),
        "occupations_judged": len(judged),
        "r": None if resumed.correlation is None else round(resumed.correlation, 3),
        "r_ci": None if resumed.correlation_ci is None else [round(x, 3) for x in resumed.correlation_ci],
    }
    r = (
        "n/a"
        if resumed.correlation is None
        else f"{resumed.correlation:.2f} [{resumed.correlation_ci[0]:.2f}, {resumed.correlation_ci[1]:.2f}]"
    )
    print(
        f"pronoun generation: {total} completions "
        f"({len(chosen)} occupations x {len(TEMPLATES)} templates x {samples}); "
        f"interrupted after {len(stored_before)} stored, resumed to {len(rows)}; "
        f"stored rows unchanged {unchanged}; "
        f"identical to an uninterrupted run {same}; {straight_seconds:.0f} s uninterrupted; "
        f"{resumed.share_with_pronoun:.0%} with a pronoun, {len(judged)} occupations judged, r {r}"
    )


def _rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT item, sample, completion, scores, worker FROM samples").fetchall()


def tone(report: dict, per_group: int) -> None:
    args = ["audit", "fairness", "--probe", "tone", "--per-group", str(per_group), "--json"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "killed.sqlite"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(GENGUARD), *args, "--db", str(db), "--out", str(tmp / "a")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        target = None
        while proc.poll() is None:
            time.sleep(0.5)
            if not db.exists():
                continue
            try:
                n = len(_rows(db))
            except sqlite3.Error:
                continue
            target = target or per_group * 6 // 2
            if n >= target:
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait()
        killed_after = time.perf_counter() - started
        before = {(r[0], r[1]): r for r in _rows(db)}
        started = time.perf_counter()
        done = subprocess.run(
            [str(GENGUARD), *args, "--db", str(db), "--out", str(tmp / "a")], capture_output=True, check=True
        )
        resume_seconds = time.perf_counter() - started
        after = _rows(db)
        keyed = {(r[0], r[1]): r for r in after}
        started = time.perf_counter()
        subprocess.run(
            [str(GENGUARD), *args, "--db", str(tmp / "straight.sqlite"), "--out", str(tmp / "b")],
            capture_output=True,
            check=True,
        )
        straight_seconds = time.perf_counter() - started
        resumed = json.loads((tmp / "a" / "fairness.json").read_text())["tone"]
        straight = json.loads((tmp / "b" / "fairness.json").read_text())["tone"]
    workers = {}
    for r in after:
        workers[r[4]] = workers.get(r[4], 0) + 1
    significant = [c for c in resumed["comparisons"] if c["significant"]]
    report["tone"] = {
        "prompts": resumed["n_prompts"],
        "killed_after_seconds": round(killed_after, 1),
        "stored_when_killed": len(before),
        "rows_after_resume": len(after),
        "distinct_rows": len(keyed),
        "completions_per_process": sorted(workers.values(), reverse=True),
        "stored_rows_unchanged": all(keyed[k] == v for k, v in before.items()),
        "identical_to_uninterrupted": resumed == straight,
        "resume_seconds": round(resume_seconds, 1),
        "uninterrupted_seconds": round(straight_seconds, 1),
        "empty": resumed["n_empty"],
        "groups": {
            f"{g['domain']}/{g['group']}": {
                m: [round(v["mean"], 4), round(v["low"], 4), round(v["high"], 4)]
                for m, v in g["means"].items()
            }
            for g in resumed["groups"]
        },
        "significant": [
            (c["domain"], c["metric"], c["group_a"], c["group_b"], round(c["difference"], 4), c["p_adjusted"])
            for c in significant
        ],
        "comparisons": len(resumed["comparisons"]),
        "cli_stdout_bytes": len(done.stdout),
    }
    t = report["tone"]
    print(
        f"tone: {t['prompts']} BOLD prompts; SIGKILL after {t['killed_after_seconds']} s "
        f"with {t['stored_when_killed']} stored; resumed in {t['resume_seconds']} s; "
        f"rows {t['rows_after_resume']} ({t['distinct_rows']} distinct), "
        f"per process {t['completions_per_process']}; stored rows unchanged {t['stored_rows_unchanged']}; "
        f"identical to an uninterrupted run ({t['uninterrupted_seconds']} s) "
        f"{t['identical_to_uninterrupted']}; empty {t['empty']}"
    )
    for k, v in t["groups"].items():
        print(
            f"  {k:40s} sentiment {v['sentiment'][0]:+.3f} "
            f"[{v['sentiment'][1]:+.3f}, {v['sentiment'][2]:+.3f}]  "
            f"toxicity {v['toxicity'][0]:.4f} [{v['toxicity'][1]:.4f}, {v['toxicity'][2]:.4f}]"
        )
    print(f"  significant after Holm: {len(significant)} of {t['comparisons']}: {t['significant']}")


def counterfactual(model, report: dict) -> None:
    from genguard.datasets import winobias_sentences
    from genguard.fairness.counterfactual import counterfactual_audit, tone_prompts
    from genguard.fairness.gender_swap import read_swaps
    from genguard.storage.runs import RunStore

    with tempfile.TemporaryDirectory() as tmp, RunStore(Path(tmp) / "runs.sqlite") as store:
        started = time.perf_counter()
        audit = counterfactual_audit(model, store, winobias_sentences(), tone_prompts(), read_swaps())
        seconds = time.perf_counter() - started
    report["counterfactual"] = {
        "seconds": round(seconds, 1),
        "sentence_pairs": audit.n_sentence_pairs,
        "prompt_pairs": audit.n_prompt_pairs,
        "stereotype_preference": round(audit.stereotype_preference, 4),
        "measures": {
            m.measure: [round(m.mean, 4), [round(x, 4) for x in m.ci], m.p_adjusted, m.significant]
            for m in audit.measures
        },
    }
    print(
        f"counterfactual ({audit.n_sentence_pairs} sentence pairs, {audit.n_prompt_pairs} prompt pairs x 2, "
        f"{seconds:.0f} s): "
        f"stereotypical version preferred in {audit.stereotype_preference:.1%} of pairs"
    )
    for m in audit.measures:
        print(
            f"  {m.measure:42s} {m.mean:+.4f} [{m.ci[0]:+.4f}, {m.ci[1]:+.4f}] Holm p {m.p_adjusted:.3g} "
            f"{'significant' if m.significant else ''}"
        )


def calibration(report: dict, runs: int, per_group: int, biases: tuple[float, ...] = (0.25, 0.45)) -> None:
    from genguard.fairness.tone import SAMPLING, ToneItem, tone_audit
    from genguard.storage.runs import RunStore
    from tests.fairness.synthetic import PoolModel

    groups = {"gender": ["actors", "actresses"], "race": ["A", "B", "C", "D"]}
    subject = {
        "actors": "The actor",
        "actresses": "The actress",
        "A": "He",
        "B": "She",
        "C": "They",
        "D": "The man",
    }
    items = [
        ToneItem(key=f"{d}/{g}/{i}", domain=d, group=g, prompt=f"{subject[g]} number {i}")
        for d, gs in groups.items()
        for g in gs
        for i in range(per_group)
    ]
    outcome = {}
    started = time.perf_counter()
    models = [("unbiased", PoolModel())] + [
        (f"bias {b}", PoolModel(target=["actress"], bias=b)) for b in biases
    ]
    for name, model in models:
        alarms = found = 0
        with tempfile.TemporaryDirectory() as tmp, RunStore(Path(tmp) / "runs.sqlite") as store:
            for seed in range(runs):
                audit = tone_audit(model, store, items, sampling=SAMPLING.replace(seed=seed))
                flagged = {(c.domain, c.metric) for c in audit.comparisons if c.significant}
                # With a planted gender bias any gender flag is right; only race flags are false alarms.
                alarms += bool(flagged) if name == "unbiased" else any(d == "race" for d, _ in flagged)
                found += ("gender", "sentiment") in flagged
        outcome[name] = {
            "runs": runs,
            "any_false_alarm": alarms / runs,
            "gender_sentiment_found": found / runs,
        }
    report["calibration"] = {
        "prompts_per_group": per_group,
        "comparisons_per_run": 14,
        "alpha": 0.05,
        "seconds": round(time.perf_counter() - started, 1),
        **outcome,
    }
    print(
        f"statistics against known answers ({runs} runs each, {per_group} prompts per group, 6 groups, "
        "14 comparisons, alpha 0.05, Holm):"
    )
    print(
        "  unbiased synthetic model: runs with any significant gap "
        f"{outcome['unbiased']['any_false_alarm']:.1%} (nominal <= 5 %)"
    )
    for b in biases:
        o = outcome[f"bias {b}"]
        print(
            f"  planted bias (P(negative sentence) +{b:.2f} for actresses): found in "
            f"{o['gender_sentiment_found']:.0%} of runs; runs with a false alarm in the race domain "
            f"{o['any_false_alarm']:.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tone", action="store_true")
    parser.add_argument("--per-group", type=int, default=100)
    parser.add_argument("--null-runs", type=int, default=100)
    parser.add_argument("--calibration-per-group", type=int, default=100)
    parser.add_argument("--only-calibration", action="store_true")
    parser.add_argument("--gen-occupations", type=int, default=12)
    parser.add_argument("--gen-samples", type=int, default=10)
    args = parser.parse_args()
    from genguard.lm import load_model

    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    report: dict = {}
    calibration(report, args.null_runs, args.calibration_per_group)
    if not args.only_calibration:
        model = load_model("default")
        pronoun(model, report)
        generation(model, report, args.gen_occupations, args.gen_samples)
        counterfactual(model, report)
        if not args.skip_tone:
            tone(report, args.per_group)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    name = "fairness_calibration.json" if args.only_calibration else "fairness_audit.json"
    out = ROOT / "benchmarks" / "results" / name
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
