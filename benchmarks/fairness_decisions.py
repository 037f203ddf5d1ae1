"""The default model as a loan officer (issue 15): German credit and an Adult sample.

For each data set (genguard.fairness.decisions presets): the model's approve/deny decisions read
from the answer probabilities, their accuracy against the labels and the score's AUC, the
false-rejection gaps by sex and age (and their intersection) with 95 % Newcombe intervals, the
counterfactual flip test on sex with a Wilson interval, and the mitigations on held-out rows (30 %,
stratified by label x sex x age): the fairness instruction in the prompt and Fairlearn's
ThresholdOptimizer on the model's score, beside the plain decisions at 0.5 and one threshold fitted
for accuracy on the training rows. Time per decision is the model time per prompt scored.

Anchor, in the same run on the same split: a logistic regression on the table's features (the
issue-4 tabular audit's unconstrained model: label and group columns excluded), trained on the
training rows and audited on the held-out rows.

Sizes (defaults): German credit all 1,000 rows, flip test on a seeded 100 of them; Adult a seeded
sample of 150 rows, flip test on 30. Prompts: 1,000 + 100 + 300 instructed = 1,400 German,
150 + 30 + 45 = 225 Adult, about 0.5 s each on one free core (German prompts average 116 tokens,
Adult 85), so about 13 minutes; 3-6 times that on the 2-core machine shared with other jobs where
the results were measured, resumed from smaller runs' stored scores. A seeded sample of n rows is
the first n of one seeded permutation, so a larger sample contains a smaller one and reuses its
stored scores. Scores are stored in --db, so a killed run resumes; the time per decision is
measured on --timing-prompts prompts scored afresh in every run.

Usage: python benchmarks/fairness_decisions.py [--german-rows 1000] [--adult-rows 150] [--db F]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def anchor(plan, table_df) -> dict:
    """Logistic regression on the table's features, trained on plan.train, audited on plan.test."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from genguard.fairness.decisions_stats import gap_of, rate
    from genguard.fairness.table import features_from
    from genguard.fairness.tabular import audit_predictions

    df = table_df.loc[plan.row_ids]
    x = features_from(df, [plan.label, *plan.group_columns])
    scaler = StandardScaler().fit(x[plan.train])
    lr = LogisticRegression(max_iter=2000).fit(scaler.transform(x[plan.train]), plan.labels[plan.train])
    pred = lr.predict(scaler.transform(x[plan.test]))
    y = plan.labels[plan.test]
    audits = [audit_predictions(y, pred, g[plan.test], a) for a, g in plan.attributes]
    return {
        "accuracy": rate(np.asarray(pred == y)).model_dump(),
        "gaps": [gap_of(a).model_dump() for a in audits],
    }


def timing(model, plan, n: int, batch_size: int) -> dict:
    """Seconds per decision on the first `n` application prompts, scored afresh (not from the run
    database), so that a resumed benchmark still measures speed."""
    from genguard.fairness.decisions_model import answer_logprobs

    prompts = plan.prompts[:n]
    tokens = [len(ids) + 1 for ids in model.tokenizer.encode(prompts)]  # + the start token
    started = time.perf_counter()
    answer_logprobs(model, prompts, plan.settings.answers, batch_size=batch_size)
    seconds = time.perf_counter() - started
    return {
        "prompts": len(prompts),
        "mean_tokens": round(sum(tokens) / len(tokens), 1),
        "batch_size": batch_size,
        "seconds_per_decision": round(seconds / len(prompts), 3),
    }


def r(x, digits: int = 3):
    return None if x is None else round(float(x), digits)


def summary(report, lr: dict, seconds: float) -> dict:
    def gaps(items) -> dict:
        return {
            g["attribute"] if isinstance(g, dict) else g.attribute: (
                g if isinstance(g, dict) else g.model_dump(mode="json")
            )
            for g in items
        }

    m = report.mitigation
    return {
        "rows": report.rows,
        "table_rows": report.table_rows,
        "prompts": report.prompts_scored,
        "prompts_scored_now": report.prompts_scored_now,
        "seconds_per_decision": r(report.seconds_per_decision),
        "wall_seconds": round(seconds, 1),
        "undecided": report.n_undecided,
        "answer_mass_min": r(report.mass_min, 4),
        "answer_mass_median": r(report.mass_median, 4),
        "approved_at_0.5": report.selection_rate.model_dump(),
        "accuracy_at_0.5": report.accuracy.model_dump(),
        "score_auc": r(report.score_auc),
        "gaps_all_rows_at_0.5": gaps(report.gaps),
        "flip_test": [
            {
                "field": f.field,
                "pairs_decided": f.n_decided,
                "flipped": f.n_flipped,
                "flip_rate": f.flip_rate.model_dump(),
                "mean_score_change": {
                    d.original + "->" + d.counterfactual: None
                    if d.score_change is None
                    else {
                        "mean": r(d.score_change.mean, 5),
                        "ci": [r(v, 5) for v in d.score_change.mean_ci],
                        "sign_p": float(f"{d.score_change.p_value:.3g}"),
                    }
                    for d in f.directions
                },
            }
            for f in report.flips
        ],
        "held_out": None
        if m is None
        else {
            "n_train": m.n_train,
            "n_test": m.n_test,
            "fitted_threshold": r(m.fitted_threshold, 4),
            "variants": {
                v.name: {"accuracy": v.accuracy.model_dump(), "undecided": v.undecided, "gaps": gaps(v.gaps)}
                for v in m.variants
            },
            "anchor_logistic_regression": {"accuracy": lr["accuracy"], "gaps": gaps(lr["gaps"])},
            "notes": m.notes,
        },
    }


def pct(rate: dict) -> str:
    if rate["value"] is None:
        return "too few"
    return f"{100 * rate['value']:.1f} [{100 * rate['low']:.1f}, {100 * rate['high']:.1f}]"


def gap(g: dict | None) -> str:
    if not g or g["value"] is None:
        return "n/a"
    return f"{100 * g['value']:+.1f} [{100 * g['ci'][0]:.1f}, {100 * g['ci'][1]:.1f}]"


def show(name: str, s: dict) -> None:
    t = s["timing"]
    print(
        f"\n== {name}: {s['rows']} of {s['table_rows']} rows, {s['prompts']} prompts; "
        f"{t['seconds_per_decision']} s per decision ({t['prompts']} prompts of {t['mean_tokens']} tokens "
        f"scored afresh, batch {t['batch_size']}; audit run: {s['seconds_per_decision']} s over "
        f"{s['prompts_scored_now']} prompts not stored before)"
    )
    print(
        f"approved at 0.5 {pct(s['approved_at_0.5'])} %, accuracy {pct(s['accuracy_at_0.5'])} %, "
        f"score AUC {s['score_auc']}, undecided {s['undecided']}, "
        f"answer mass min {s['answer_mass_min']} median {s['answer_mass_median']}"
    )
    for attr, g in s["gaps_all_rows_at_0.5"].items():
        print(f"  all rows, threshold 0.5: false-rejection gap by {attr}: {gap(g)} pp")
    for f in s["flip_test"]:
        print(
            f"  flip test {f['field']}: {f['flipped']} of {f['pairs_decided']} changed, "
            f"{pct(f['flip_rate'])} %; "
            f"mean score change {f['mean_score_change']}"
        )
    h = s["held_out"]
    if h is None:
        return
    attrs = list(h["anchor_logistic_regression"]["gaps"])
    print(
        f"  held-out {h['n_test']} rows (thresholds fitted on {h['n_train']}; fitted threshold "
        f"{h['fitted_threshold']})"
    )
    print(f"  {'decisions':<34} {'accuracy %':<20} " + " ".join(f"{'gap ' + a + ' pp':<24}" for a in attrs))
    rows = {**h["variants"], "anchor: logistic regression": h["anchor_logistic_regression"]}
    for vname, v in rows.items():
        print(
            f"  {vname:<34} {pct(v['accuracy']):<20} "
            + " ".join(f"{gap(v['gaps'].get(a)):<24}" for a in attrs)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--german-rows", type=int, default=1000)
    parser.add_argument("--german-flips", type=int, default=100)
    parser.add_argument("--adult-rows", type=int, default=150)
    parser.add_argument("--adult-flips", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--timing-prompts", type=int, default=32, help="prompts scored afresh for the timing")
    parser.add_argument(
        "--db", type=Path, default=None, help="run database (default: a fresh temporary file)"
    )
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from genguard.fairness.decisions import DecisionSettings, plan_decision_audit, run_decision_audit
    from genguard.fairness.decisions_presets import DECISION_PRESETS
    from genguard.lm import load_default_model
    from genguard.storage.runs import RunStore

    model = load_default_model()
    db = args.db or Path(tempfile.mkdtemp(prefix="genguard-decisions-")) / "runs.sqlite"
    results: dict = {
        "model": model.model_id,
        "machine": f"{os.cpu_count()} CPU cores shared with other jobs; torch threads {args.threads}",
        "threshold": 0.5,
        "min_mass": DecisionSettings().min_mass,
        "test_size": 0.3,
        "seed": 0,
        "datasets": {},
        "reports": {},
    }
    sizes = {
        "german-credit": (args.german_rows, args.german_flips),
        "adult": (args.adult_rows, args.adult_flips),
    }
    for name, (rows, flips) in sizes.items():
        settings = DecisionSettings(rows=rows, flip_rows=flips, batch_size=args.batch_size)
        plan = plan_decision_audit(dataset=name, settings=settings)
        started = time.perf_counter()
        with RunStore(db) as store:
            report = run_decision_audit(model, store, plan)
        seconds = time.perf_counter() - started
        lr = anchor(plan, DECISION_PRESETS[name].table.loader())
        results["datasets"][name] = summary(report, lr, seconds)
        results["datasets"][name]["timing"] = timing(model, plan, args.timing_prompts, args.batch_size)
        results["reports"][name] = report.model_dump(mode="json")
        show(name, results["datasets"][name])
        out = ROOT / "benchmarks" / "results" / "fairness_decisions.json"
        out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
