"""Speed of the assignment mode: all pairs of N submissions of about 40 lines, one process.

Submissions are generated (seeded) as a class would write them: every program solves the same
task from a pool of statement variants (names, literals, loop forms and helper functions drawn at
random), and a tenth of them are copies of another submission with renamed identifiers. The
generator has little variety (many programs are structural clones of each other): it measures
speed, not quality (benchmarks/plagiarism_code.py measures quality). Timed with
genguard.provenance.code_assignment.scan in stages: parsing and fragments, the sparse all-pairs
product, alignment of the refined pairs, total.

Usage: python benchmarks/code_scan_speed.py [--n 500] [--seed 0]
Writes benchmarks/results/code_scan_speed.json and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from genguard.provenance import code_assignment as ca
from genguard.provenance.code_features import fragments

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plagiarism.metrics import table

RESULTS = Path(__file__).resolve().parent / "results" / "code_scan_speed.json"
NAMES = [
    "total",
    "count",
    "values",
    "items",
    "data",
    "result",
    "acc",
    "best",
    "grade",
    "score",
    "nums",
    "xs",
    "k",
    "idx",
    "limit",
    "step",
]


def _program(rng: random.Random) -> str:
    """One ~40-line Python submission for a 'statistics of numbers' task."""
    n = rng.sample(NAMES, 8)
    lines = [f"def read_{n[0]}(prompt):", f"    {n[1]} = []"]
    if rng.random() < 0.5:
        lines += [
            "    while True:",
            "        line = input(prompt)",
            "        if not line:",
            "            break",
        ]
        lines += [f"        {n[1]}.append(float(line))"]
    else:
        lines += [
            "    for _ in range(int(input('How many? '))):",
            f"        {n[1]}.append(float(input(prompt)))",
        ]
    lines += [f"    return {n[1]}", ""]
    lines += [f"def mean_{n[2]}({n[3]}):", f"    {n[4]} = 0"]
    lines += [
        f"    for {n[5]} in {n[3]}:",
        f"        {n[4]} += {n[5]}" if rng.random() < 0.5 else f"        {n[4]} = {n[4]} + {n[5]}",
    ]
    lines += [f"    return {n[4]} / len({n[3]}) if {n[3]} else 0", ""]
    lines += [f"def spread({n[3]}):", f"    lo, hi = min({n[3]}), max({n[3]})", "    return hi - lo", ""]
    for extra in range(rng.randint(3, 6)):
        limit = rng.randint(1, 100)
        lines += [
            f"def check_{extra}({n[6]}):",
            f"    if {n[6]} > {limit}:",
            f"        return {rng.randint(0, 9)}",
        ]
        lines += [f"    return {n[6]} * {rng.randint(2, 5)}", ""]
    lines += ["def main():", f"    {n[7]} = read_{n[0]}('{rng.choice(['Value', 'Number', 'Grade'])}: ')"]
    lines += [f"    print('mean', mean_{n[2]}({n[7]}))", f"    print('spread', spread({n[7]}))"]
    lines += ["", "main()"]
    return "\n".join(lines) + "\n"


def _renamed(source: str, rng: random.Random) -> str:
    mapping = {name: f"{name}_{rng.randint(0, 9)}" for name in NAMES}
    return re.sub(r"\b\w+\b", lambda m: mapping.get(m.group(0), m.group(0)), source)


def submissions(n: int, seed: int) -> dict[str, str]:
    """n generated submissions (a tenth renamed copies of others), name -> source."""
    rng = random.Random(seed)
    subs = {f"student_{i:04d}.py": _program(rng) for i in range(n - n // 10)}
    originals = list(subs.values())
    for i in range(n // 10):
        subs[f"copy_{i:04d}.py"] = _renamed(rng.choice(originals), rng)
    return subs


def main() -> None:
    """Time the stages of one scan and the whole scan; print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    subs = submissions(args.n, args.seed)
    lines = np.mean([s.count("\n") for s in subs.values()])
    start = time.perf_counter()
    frags = [fragments(s, "python") for s in subs.values()]
    t_frag = time.perf_counter() - start
    start = time.perf_counter()
    families = ca.family_matrices(frags)
    t_matrix = time.perf_counter() - start
    start = time.perf_counter()
    ca.refined_structure(frags, families)
    t_refine = time.perf_counter() - start
    start = time.perf_counter()
    report = ca.scan(subs, "python", top=50)
    t_scan = time.perf_counter() - start
    rows = [
        ["parse + fragments", f"{t_frag:.2f}"],
        ["all-pairs sparse product (4 families)", f"{t_matrix:.2f}"],
        [f"alignment of the {min(ca.REFINE, report.pairs_compared)} refined pairs", f"{t_refine:.2f}"],
        ["scan() total (top 50 with regions)", f"{t_scan:.2f}"],
    ]
    print(
        f"{args.n} submissions, mean {lines:.0f} lines, {report.pairs_compared} pairs, {os.cpu_count()} cores"
    )
    print(table(["stage", "seconds"], rows))
    result = {
        "submissions": args.n,
        "mean_lines": float(lines),
        "pairs": report.pairs_compared,
        "refined_pairs": min(ca.REFINE, report.pairs_compared),
        "seconds": {"fragments": t_frag, "matrices": t_matrix, "refine": t_refine, "scan_total": t_scan},
        "seed": args.seed,
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(Path(__file__).resolve().parent.parent)}")


if __name__ == "__main__":
    main()
