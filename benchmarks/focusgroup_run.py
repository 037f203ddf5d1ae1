"""A virtual focus group at full size on the default model (issue 18): 200 personas x 5 product
pairs x 2 orders, with 2 short free-text answers per persona through the guard's strict profile.

1. Real model, run as a user runs it (`genguard focusgroup run spec.yaml --json`), killed with
   SIGKILL once about 40 % of the questions are stored, then re-run to the end: rows stored per
   process (the `worker` column), rows stored twice (none: the primary key refuses them), time
   per phase. Reported: answers that were neither A nor B, position bias before and after the
   held-out correction, preferences per pair and per group with intervals, significant group
   gaps (Holm), the share of comments the strict guard removed.
2. Synthetic model behind the same LanguageModel interface (tests/focusgroup/synthetic.py), the
   same 200 personas x 5 pairs: a planted preference (women prefer pair 0's first product by
   `--effect` nats) found in how many of `--planted-runs` runs, and the family-wise false alarm
   rate of an unbiased model over `--null-runs` runs (nominal 5 %).

Usage: python benchmarks/focusgroup_run.py [--null-runs 40] [--planted-runs 10] [--skip-real]
Writes benchmarks/results/focusgroup_run.json. About 10-20 minutes on a shared 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GENGUARD = Path(sys.executable).with_name("genguard")
RESULT = ROOT / "benchmarks" / "results" / "focusgroup_run.json"

SPEC = {
    "personas": {
        "grid": {
            "age": ["19", "26", "33", "41", "48", "57", "66", "74"],
            "gender": ["woman", "man", "non-binary person"],
            "occupation": [
                "nurse",
                "software engineer",
                "farmer",
                "teacher",
                "truck driver",
            ],
            "location": [
                "Chicago",
                "rural Texas",
                "Miami",
                "Seattle",
                "a small town in Ohio",
            ],
            "count": 200,
        }
    },
    "pairs": [
        {"id": "coffee", "first": "a cold brew coffee in a can", "second": "a hot filter coffee"},
        {"id": "car", "first": "an electric car", "second": "a pickup truck"},
        {"id": "phone", "first": "a budget Android phone", "second": "the newest iPhone"},
        {"id": "holiday", "first": "a beach resort holiday", "second": "a hiking trip in the mountains"},
        {"id": "meal", "first": "a frozen pizza", "second": "a fresh salad kit"},
    ],
    "comments": {"samples": 2, "max_new_tokens": 20},
    "seed": 0,
    "profile": "strict",
}


def _stored(db: Path, kind: str) -> int:
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute(
                "SELECT COUNT(*) FROM samples JOIN runs USING (run_id) WHERE runs.kind = ?", (kind,)
            ).fetchone()
            return int(row[0])
    except sqlite3.Error:
        return 0


def real(report: dict, workdir: Path) -> None:
    spec_path = workdir / "study.yaml"
    spec_path.write_text(yaml.safe_dump(SPEC, sort_keys=False), encoding="utf-8")
    db, out = workdir / "runs.sqlite", workdir / "out"
    cmd = [str(GENGUARD), "focusgroup", "run", str(spec_path), "--db", str(db), "--out", str(out), "--json"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    questions = 200 * 5 * 2
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while proc.poll() is None and _stored(db, "focusgroup-choice") < 0.4 * questions:
        time.sleep(0.5)
    killed_at = _stored(db, "focusgroup-choice")
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    first_seconds = time.perf_counter() - started
    print(f"killed after {first_seconds:.0f} s with {killed_at} of {questions} questions stored", flush=True)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    second_seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"resumed run failed ({done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    with sqlite3.connect(db) as conn:
        per_worker = conn.execute(
            "SELECT runs.kind, worker, COUNT(*) FROM samples JOIN runs USING (run_id) "
            "GROUP BY runs.kind, worker"
        ).fetchall()
        duplicates = conn.execute(
            "SELECT COUNT(*) FROM (SELECT run_id, item, sample, COUNT(*) c FROM samples "
            "GROUP BY 1, 2, 3 HAVING c > 1)"
        ).fetchone()[0]
    report["real"] = {
        "model_id": result["model_id"],
        "personas": result["n_personas"],
        "pairs": len(result["pair_specs"]),
        "questions": result["n_questions"],
        "killed_with_questions_stored": killed_at,
        "seconds_until_kill": round(first_seconds, 1),
        "seconds_resumed_run": round(second_seconds, 1),
        "rows_per_process": [{"kind": k, "worker": w, "rows": n} for k, w, n in per_worker],
        "rows_stored_twice": duplicates,
        "neither": result["neither"],
        "neither_top_tokens": result["neither_top_tokens"],
        "incomplete": result["incomplete"],
        "position_before": result["position_before"],
        "position_after": result["position_after"],
        "per_pair_bias": result["per_pair_bias"],
        "pairs_result": result["pairs"],
        "groups": result["groups"],
        "significant_gaps": [c for c in result["comparisons"] if c["significant"]],
        "comparisons": len(result["comparisons"]),
        "comments": result["comments"],
    }


def synthetic(report: dict, null_runs: int, planted_runs: int, effect: float) -> None:
    from genguard.focusgroup import run_study, study_from_dict
    from genguard.lm import load_default_tokenizer
    from genguard.storage.runs import RunStore
    from tests.focusgroup.synthetic import SurveyModel

    tokenizer = load_default_tokenizer()
    firsts = [p["first"] for p in SPEC["pairs"]]
    out: dict = {"effect_nats": effect, "position_nats": 1.0, "noise_sd_nats": 1.0}
    with tempfile.TemporaryDirectory() as tmp, RunStore(Path(tmp) / "runs.sqlite") as store:
        for label, runs, target in (("planted", planted_runs, "woman"), ("null", null_runs, None)):
            found, alarms, wrong, started = 0, 0, 0, time.perf_counter()
            for seed in range(runs):
                spec = study_from_dict({**SPEC, "comments": {"samples": 0}, "seed": seed})
                model = SurveyModel(
                    tokenizer,
                    firsts,
                    target=target,
                    target_pair=firsts[0],
                    effect=effect if target else 0.0,
                    seed=seed,
                )
                result = run_study(model, store, spec, name=f"{label}{seed}")
                sig = [c for c in result.comparisons if c.significant]
                alarms += bool(sig)
                hit = [
                    c
                    for c in sig
                    if c.domain == "gender" and c.metric == "coffee" and "woman" in (c.group_a, c.group_b)
                ]
                found += bool(hit)
                wrong += any(c not in hit for c in sig)
            out[label] = {
                "runs": runs,
                "runs_with_any_significant_gap": alarms,
                "runs_finding_the_planted_gap": found,
                "runs_with_another_significant_gap": wrong,
                "seconds_per_run": round((time.perf_counter() - started) / max(runs, 1), 2),
            }
            print(label, out[label], flush=True)
    report["synthetic"] = out


def _row(label: str, b: dict) -> str:
    lo, hi = b["share_a_ci"]
    bias = "n/a" if b["mean_bias"] is None else f"{b['mean_bias']:+.3f}"
    cons = "n/a" if b["consistency"] is None else f"{100 * b['consistency']:.1f} %"
    return f"{label:<22} {100 * b['share_a']:6.1f} % [{100 * lo:5.1f}, {100 * hi:5.1f}]  {bias:>8}  {cons:>8}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--null-runs", type=int, default=40)
    parser.add_argument("--planted-runs", type=int, default=10)
    parser.add_argument("--effect", type=float, default=1.0)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    report: dict = {"machine": "2-core CPU shared with other jobs", "spec": SPEC}
    if RESULT.exists() and args.skip_real:
        report["real"] = json.loads(RESULT.read_text()).get("real")
    if not args.skip_real:
        with tempfile.TemporaryDirectory() as tmp:
            real(report, Path(tmp))
    synthetic(report, args.null_runs, args.planted_runs, args.effect)
    RESULT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    r = report.get("real")
    if r:
        print(f"\n{r['personas']} personas x {r['pairs']} pairs x 2 orders = {r['questions']} questions")
        print(
            f"killed at {r['killed_with_questions_stored']} stored; rows per process: {r['rows_per_process']}"
        )
        print(f"rows stored twice: {r['rows_stored_twice']}; neither A nor B: {r['neither']['k']}")
        print(f"{'position bias':<22} {'chose A [95 % CI]':>25}  {'pull':>8}  {'same':>8}")
        print(_row("before (all pairs)", r["position_before"]))
        print(_row("after (held-out half)", r["position_after"]))
        for p in r["pairs_result"]:
            lo, hi = p["mean_p_first_ci"] or (float("nan"), float("nan"))
            print(
                f"  {p['pair_id']:<8} P(first) {p['mean_p_first']:.3f} [{lo:.3f}, {hi:.3f}]  "
                f"Holm p {p['p_adjusted']:.3g}"
            )
        print(f"significant group gaps: {len(r['significant_gaps'])} of {r['comparisons']}")
        c = r["comments"]
        print(
            f"comments {c['n']}: removed by strict {c['removed']['k']} "
            f"({100 * c['removed']['share']:.1f} %), "
            f"by {c['removed_by']}; named neither {c['neither']['k']}"
        )
    s = report["synthetic"]
    print(
        f"synthetic planted ({s['effect_nats']} nats): found in "
        f"{s['planted']['runs_finding_the_planted_gap']} of {s['planted']['runs']}; "
        f"null: any gap in {s['null']['runs_with_any_significant_gap']} of {s['null']['runs']}"
    )


if __name__ == "__main__":
    main()
