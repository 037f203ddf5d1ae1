"""Plagiarism among small student programs: genguard against the usual anchors, per plagiarism level.

Corpus (benchmarks/plagiarism/code/, written for this benchmark, see its README): Java and Python
CS1 tasks; per task several independent solutions (separately written: the hard negatives) and
hand-made copies of one of them (the "original") at the six levels of Faidhi and Robinson (1987):
L1 layout/comments, L2 +renamed identifiers, L3 +moved declarations, L4 +reordered methods,
L5 +added/removed statements, L6 +changed control structures.

Protocol (the one of issue 13): each original against every other file of its task; copies of it
are positives (by level), independent solutions of the same task are negatives, pooled over tasks
and languages. Reported per method: ROC AUC with a 95 % bootstrap interval (pairs resampled,
positives and negatives apart), AUC per level (that level's copies against all negatives) and recall
at 1 % FPR per level (threshold above the highest negatives allowed; ties with a negative do not
count), on the held-out tasks and on all tasks. Nothing here is tuned: every method runs with its
defaults, so the split only matters for later methods whose parameters are chosen on "tune".

Methods, all in one run:
- genguard: `genguard.provenance.code.compare(...).score` with the library defaults;
- copydetect (PyPI, k=25, window 1, its defaults): the larger of its two per-file similarities;
- Dolos (npm `@dodona/dolos-lib`, defaults k=23, w=17) through benchmarks/plagiarism/dolos_scores.mjs,
  when node and the package are installed in benchmarks/.cache/dolos (`make`-free: see --help);
- GST: Greedy String Tiling (Wise 1993), the comparison of JPlag (Prechelt, Malpohl and Philippsen
  2002), minimum match length 9 over normalised tokens (identifiers -> V, literals -> L, comments
  dropped, by genguard's tree-sitter tokenizer), similarity 2 * covered / (|A| + |B|) as JPlag's
  average similarity;
- difflib: `difflib.SequenceMatcher(...).ratio()` over raw tokens (names and literals kept).

Adding a method: one line in PAIRWISE (name -> f(a_src, b_src, language) -> float) or, for a method
that looks at a whole task at once (assignment mode: what all solutions share is the task, not
copying), in ASSIGNMENT (name -> f(list of sources of one task, language) -> n x n matrix).

Usage: python benchmarks/plagiarism_code.py [--no-dolos] [--reps 1000]
Writes benchmarks/results/plagiarism_code.json.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from genguard.provenance.code import compare
from genguard.provenance.code_assignment import score_matrix
from genguard.provenance.code_pair import similarity
from genguard.provenance.code_tokens import tokenize
from genguard.provenance.code_verdict import verdict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plagiarism.metrics import auc, auc_interval, recall_at, table

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "plagiarism"
DOLOS_DIR = HERE / ".cache" / "dolos"
RESULTS = HERE / "results" / "plagiarism_code.json"
LEVELS = ["L1", "L2", "L3", "L4", "L5", "L6"]
LEVEL_NAMES = {
    "L1": "layout",
    "L2": "rename",
    "L3": "declarations",
    "L4": "method order",
    "L5": "statements",
    "L6": "control",
}
EXT = {"python": "py", "java": "java"}
FPR = 0.01

PairScorer = Callable[[str, str, str], float]
TaskScorer = Callable[[Sequence[str], str], np.ndarray]


def genguard_compare(a: str, b: str, language: str) -> float:
    """genguard's pairwise score with the library defaults (containment of winnowed fingerprints)."""
    return compare(a, b, language).score


def copydetect_score(a: str, b: str, language: str) -> float:
    """copydetect 0.5 with its defaults (k=25, window 1); the larger per-file similarity."""
    from copydetect import CodeFingerprint, compare_files

    # copydetect picks its pygments lexer from the file name, so the names carry the extension.
    fa = CodeFingerprint(f"a.{EXT[language]}", 25, 1, fp=io.StringIO(a))
    fb = CodeFingerprint(f"b.{EXT[language]}", 25, 1, fp=io.StringIO(b))
    _, (sim_a, sim_b), _ = compare_files(fa, fb)
    return float(max(sim_a, sim_b))


def _tokens(source: str, language: str, normalize: bool) -> list[str]:
    return tokenize(source, language, normalize=normalize).tokens


def greedy_string_tiling(a: Sequence[str], b: Sequence[str], min_match: int = 9) -> int:
    """Tokens covered by Greedy String Tiling (Wise 1993): repeatedly take the longest common
    unmarked runs (at least `min_match`), longest first, and mark them; returns the tokens of A
    covered by tiles. Plain O(|A| |B| L) per round: fine for programs of a few hundred tokens."""
    marked_a = [False] * len(a)
    marked_b = [False] * len(b)
    covered = 0
    while True:
        best = min_match - 1
        matches: list[tuple[int, int, int]] = []
        for i in range(len(a)):
            if marked_a[i]:
                continue
            for j in range(len(b)):
                if marked_b[j] or a[i] != b[j]:
                    continue
                k = 0
                while (
                    i + k < len(a)
                    and j + k < len(b)
                    and not marked_a[i + k]
                    and not marked_b[j + k]
                    and a[i + k] == b[j + k]
                ):
                    k += 1
                if k > best:
                    best, matches = k, [(i, j, k)]
                elif k == best and k >= min_match:
                    matches.append((i, j, k))
        if best < min_match:
            return covered
        for i, j, k in matches:
            # A later match of the same length may overlap an earlier one of this round: skip it.
            if any(marked_a[i : i + k]) or any(marked_b[j : j + k]):
                continue
            for t in range(k):
                marked_a[i + t] = marked_b[j + t] = True
            covered += k


def gst_score(a: str, b: str, language: str) -> float:
    """JPlag-style similarity: GST with minimum match 9 over normalised tokens, 2*covered/(|A|+|B|)."""
    ta, tb = _tokens(a, language, True), _tokens(b, language, True)
    if not ta or not tb:
        return 0.0
    return 2 * greedy_string_tiling(ta, tb, 9) / (len(ta) + len(tb))


def difflib_score(a: str, b: str, language: str) -> float:
    """difflib's ratio over raw tokens (identifier and literal text kept)."""
    ta, tb = _tokens(a, language, False), _tokens(b, language, False)
    return difflib.SequenceMatcher(None, ta, tb, autojunk=False).ratio()


def dolos_tasks(groups: Sequence[tuple[Sequence[str], str]]) -> list[np.ndarray]:
    """Dolos similarity matrices for many tasks in one node process."""
    payload = [
        {"language": lang, "files": [{"path": f"f{i}.{EXT[lang]}", "content": s} for i, s in enumerate(srcs)]}
        for srcs, lang in groups
    ]
    done = subprocess.run(
        ["node", str(CORPUS / "dolos_scores.mjs"), str(DOLOS_DIR)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return [np.array(m, dtype=float) for m in json.loads(done.stdout)]


# name -> f(a_src, b_src, language) -> score; one line adds a method.
PAIRWISE: dict[str, PairScorer] = {
    "genguard compare": genguard_compare,
    "copydetect 0.5 (k=25)": copydetect_score,
    "GST min match 9 (JPlag's method)": gst_score,
    "difflib ratio, raw tokens": difflib_score,
    "genguard pairwise (code_pair)": lambda a, b, language: similarity(a, b, language).score,
    "genguard code-compare (code_verdict)": lambda a, b, language: verdict(a, b, language).score,
}
# name -> f(sources of one task, language) -> n x n matrix (assignment mode); one line adds a method.
ASSIGNMENT: dict[str, TaskScorer] = {
    "genguard code-scan (assignment)": lambda sources, language: score_matrix(sources, language),
}


def dolos_available() -> str | None:
    """None when Dolos can run, else why not."""
    if shutil.which("node") is None:
        return "node is not installed (apt-get install -y nodejs npm)"
    if not (DOLOS_DIR / "node_modules" / "@dodona" / "dolos-lib").is_dir():
        return (
            "@dodona/dolos-lib is not installed: cd benchmarks/.cache/dolos && "
            "npm install @dodona/dolos-lib@3.5.1 && "
            "(cd node_modules/@dodona/dolos-parsers && npx node-gyp rebuild --nodedir=/usr)"
        )
    return None


def load_tasks() -> list[dict[str, Any]]:
    """Tasks from the manifest: language, task, split, files [(path, source, role, level, copy_of)]."""
    manifest = json.loads((CORPUS / "code" / "manifest.json").read_text())
    tasks: dict[tuple[str, str], dict[str, Any]] = {}
    for e in manifest:
        t = tasks.setdefault(
            (e["language"], e["task"]),
            {"language": e["language"], "task": e["task"], "split": e["split"], "files": []},
        )
        t["files"].append({**e, "source": (CORPUS / e["path"]).read_text()})
    return list(tasks.values())


def task_pairs(task: dict[str, Any]) -> list[tuple[int, int, str | None]]:
    """(i, j, level or None) of the protocol: each original against each other file of its task;
    level None marks a negative (an independent solution). Copies of another original are left out."""
    files = task["files"]
    out = []
    for i, f in enumerate(files):
        if f["role"] != "original":
            continue
        name = Path(f["path"]).name
        for j, g in enumerate(files):
            if j == i:
                continue
            if g["role"] == "copy":
                if g["copy_of"] == name:
                    out.append((i, j, g["level"]))
            else:
                out.append((i, j, None))
    return out


def score_all(
    tasks: list[dict[str, Any]], use_dolos: bool
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Scores of every protocol pair (in task, pair order) per method, and seconds per method."""
    scores: dict[str, list[float]] = {}
    seconds: dict[str, float] = {}
    for name, fn in PAIRWISE.items():
        start = time.perf_counter()
        scores[name] = [
            fn(t["files"][i]["source"], t["files"][j]["source"], t["language"])
            for t in tasks
            for i, j, _ in task_pairs(t)
        ]
        seconds[name] = time.perf_counter() - start
    task_fns: dict[str, Callable[[list[dict[str, Any]]], list[np.ndarray]]] = {
        name: (lambda ts, fn=fn: [fn([f["source"] for f in t["files"]], t["language"]) for t in ts])
        for name, fn in ASSIGNMENT.items()
    }
    if use_dolos:
        task_fns["Dolos 3.5.1 (k=23, w=17)"] = lambda ts: dolos_tasks(
            [([f["source"] for f in t["files"]], t["language"]) for t in ts]
        )
    for name, run in task_fns.items():
        start = time.perf_counter()
        matrices = run(tasks)
        scores[name] = [
            float(m[i, j]) for t, m in zip(tasks, matrices, strict=True) for i, j, _ in task_pairs(t)
        ]
        seconds[name] = time.perf_counter() - start
    return scores, seconds


def evaluate(values: np.ndarray, levels: list[str | None], keep: np.ndarray, reps: int) -> dict[str, Any]:
    """AUC [95 % CI], and per level AUC and recall at 1 % FPR, over the pairs where `keep`."""
    lv = np.array([lvl or "" for lvl in levels])
    neg = values[keep & (lv == "")]
    pos = values[keep & (lv != "")]
    value, low, high = auc_interval(pos, neg, reps=reps)
    per_level = {}
    for level in LEVELS:
        p = values[keep & (lv == level)]
        per_level[level] = {
            "n": int(p.size),
            "auc": auc(p, neg),
            "recall_at_1pct_fpr": recall_at(p, neg, FPR),
        }
    return {
        "positives": int(pos.size),
        "negatives": int(neg.size),
        "auc": value,
        "auc_ci95": [low, high],
        "recall_at_1pct_fpr": recall_at(pos, neg, FPR),
        "levels": per_level,
    }


def main() -> None:
    """Score every method on the corpus, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-dolos", action="store_true", help="skip Dolos even where it is installed")
    parser.add_argument("--reps", type=int, default=1000, help="bootstrap resamples for the AUC interval")
    args = parser.parse_args()
    why_no_dolos = "skipped (--no-dolos)" if args.no_dolos else dolos_available()
    if why_no_dolos:
        print(f"Dolos: {why_no_dolos}", file=sys.stderr)
    tasks = load_tasks()
    pairs = [(t, lvl) for t in tasks for _, _, lvl in task_pairs(t)]
    levels = [lvl for _, lvl in pairs]
    split = np.array([t["split"] for t, _ in pairs])
    language = np.array([t["language"] for t, _ in pairs])
    scores, seconds = score_all(tasks, why_no_dolos is None)
    subsets = {
        "heldout": split == "heldout",
        "all": np.ones(len(pairs), dtype=bool),
        "all, python": language == "python",
        "all, java": language == "java",
    }
    results: dict[str, Any] = {
        "protocol": "each original against each other file of its task; negatives pooled",
        "tasks": {lang: sorted(t["task"] for t in tasks if t["language"] == lang) for lang in EXT},
        "heldout_tasks": sorted({t["task"] for t in tasks if t["split"] == "heldout"}),
        "dolos": why_no_dolos or "ran",
        "methods": {},
    }
    for name, vals in scores.items():
        v = np.array(vals, dtype=float)
        results["methods"][name] = {
            "seconds": seconds[name],
            **{s: evaluate(v, levels, keep, args.reps) for s, keep in subsets.items()},
        }
    for subset in subsets:
        some = next(iter(results["methods"].values()))[subset]
        print(f"\n{subset}: {some['positives']} copies, {some['negatives']} independent solutions (pairs)")
        header = ["method", "AUC [95 % CI]", *(f"R@1% {lv} {LEVEL_NAMES[lv]}" for lv in LEVELS)]
        rows = [
            [
                name,
                f"{m[subset]['auc']:.3f} [{m[subset]['auc_ci95'][0]:.3f}, {m[subset]['auc_ci95'][1]:.3f}]",
                *(f"{m[subset]['levels'][lv]['recall_at_1pct_fpr']:.2f}" for lv in LEVELS),
            ]
            for name, m in results["methods"].items()
        ]
        print(table(header, rows))
        rows = [
            [name, *(f"{m[subset]['levels'][lv]['auc']:.3f}" for lv in LEVELS)]
            for name, m in results["methods"].items()
        ]
        print(table(["method", *(f"AUC {lv}" for lv in LEVELS)], rows))
    print("\nseconds per method (all pairs): " + ", ".join(f"{n} {s:.1f}" for n, s in seconds.items()))
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
