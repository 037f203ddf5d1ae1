"""Assignment mode: all pairs of a set of submissions, shared fragments weighted by their rarity.

What most solutions of one task share (the skeleton the task dictates, the prompt it prescribes,
the lecture's template) is evidence of the task, not of copying; what two submissions share alone
is. So every fragment (code_features: structural k-grams, statements, string literals, comment
words) is weighted by its inverse document frequency in the set, idf = ln((n + 1) / (df + 1))
(0 for a fragment every submission has), and fragments of the given base code weigh 0. Per family,
the weighted containment of every pair comes from one sparse product X diag(idf) X^T; the
families are combined as in code_pair (structure = mean of k-grams and statements; strings;
0.25 comments; families that weigh nothing on both sides drop out). Only the reported pairs are
aligned (Greedy String Tiling) for their matching line ranges.

Measured: benchmarks/code_scan_speed.py (all pairs of 500 submissions of 40 lines) and
benchmarks/plagiarism_code.py ("genguard code-scan (assignment)") for quality; figures in their
results JSON and in the CLI's help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from pydantic import Field

from genguard.errors import InvalidInputError
from genguard.provenance.code_align import AlignedRegion, tile, tile_regions
from genguard.provenance.code_features import FAMILIES, Fragments, fragments
from genguard.provenance.code_pair import MIN_MATCH, WEIGHTS
from genguard.provenance.code_tokens import canonical_language, source_bytes
from genguard.types import Result

DEFAULT_TOP = 50
METHOD = (
    "assignment mode: idf-weighted containment of structural k-grams + statements, strings, "
    "0.25 comments (genguard.provenance.code_assignment)"
)


class ScanPair(Result):
    """One pair of submissions, its score and where they align."""

    a: str
    b: str
    score: float = Field(description="rarity-weighted similarity in [0, 1]")
    structure: float = Field(description="mean of idf-weighted k-gram and statement containment")
    strings: float | None = Field(
        description="idf-weighted string containment; None: nothing rare either side"
    )
    comments: float | None = Field(description="idf-weighted comment containment; None: nothing rare")
    regions: list[AlignedRegion]


class ScanReport(Result):
    """All-pairs scan of a set of submissions: the top pairs, best first."""

    language: str
    submissions: int
    pairs_compared: int
    base_code_files: int
    pairs: list[ScanPair]
    method: str = METHOD


def _family_matrix(sets: Sequence[np.ndarray], base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(shared weight n x n, total weight per submission) of one family, idf-weighted."""
    n = len(sets)
    sizes = np.array([s.size for s in sets], dtype=np.int64)
    if not sizes.sum():
        return np.zeros((n, n)), np.zeros(n)
    values, columns = np.unique(np.concatenate(sets), return_inverse=True)
    rows = np.repeat(np.arange(n), sizes)
    x = sp.csr_matrix((np.ones(columns.size), (rows, columns)), shape=(n, values.size))
    df = np.asarray(x.sum(axis=0)).ravel()
    idf = np.log((n + 1) / (df + 1))
    if base.size:
        idf[np.isin(values, base)] = 0.0  # the given base code is nobody's evidence
    weighted = x.multiply(idf[None, :]).tocsr()
    shared = (weighted @ x.T).toarray()
    return shared, np.asarray(weighted.sum(axis=1)).ravel()


def _containment(shared: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(containment matrix, present mask): present where either side has weight."""
    low = np.minimum(total[:, None], total[None, :])
    present = np.maximum(total[:, None], total[None, :]) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(low > 0, shared / np.where(low > 0, low, 1.0), 0.0)
    return np.clip(value, 0.0, 1.0), present


def family_matrices(
    frags: Sequence[Fragments], base: Sequence[Fragments] = ()
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per family: (idf-weighted containment n x n in [0, 1], present mask n x n)."""
    out = {}
    for family in FAMILIES:
        base_set = (
            np.unique(np.concatenate([b.sets[family] for b in base])) if base else np.empty(0, np.uint64)
        )
        out[family] = _containment(*_family_matrix([f.sets[family] for f in frags], base_set))
    return out


def combine_matrices(families: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The n x n score: code_pair's weighted mean over the families present (diagonal 1)."""
    structure = (families["kgrams"][0] + families["statements"][0]) / 2
    total = WEIGHTS["structure"] * structure
    weight = np.full(structure.shape, WEIGHTS["structure"])
    for name in ("strings", "comments"):
        value, present = families[name]
        total = total + WEIGHTS[name] * np.where(present, value, 0.0)
        weight = weight + WEIGHTS[name] * present
    score = total / weight
    np.fill_diagonal(score, 1.0)
    return score


def _check(submissions: Mapping[str, str | bytes], what: str) -> None:
    if not isinstance(submissions, Mapping):
        raise InvalidInputError(f"{what} must be a dict of name -> source, got {type(submissions).__name__}")
    for name, source in submissions.items():
        if not isinstance(name, str) or not name:
            raise InvalidInputError(f"{what} names must be non-empty strings, got {name!r}")
        if not source_bytes(source).strip():
            raise InvalidInputError(f"{what} {name!r} is empty: nothing to compare")


def score_matrix(
    sources: Sequence[str | bytes], language: str, base_code: Sequence[str | bytes] = ()
) -> np.ndarray:
    """The n x n assignment-mode score matrix of `sources` (symmetric, diagonal 1, values in [0, 1])."""
    name = canonical_language(language)
    frags = [fragments(s, name) for s in sources]
    base = [fragments(s, name) for s in base_code]
    return combine_matrices(family_matrices(frags, base))


def scan(
    submissions: Mapping[str, str | bytes],
    language: str,
    base_code: Mapping[str, str | bytes] | None = None,
    top: int = DEFAULT_TOP,
) -> ScanReport:
    """Compare all pairs of `submissions` (name -> source, one language) and return the `top` pairs
    by rarity-weighted score, best first, each with its aligned line ranges.

    Fragments of `base_code` (name -> source: the skeleton handed out with the task) weigh nothing.
    InvalidInputError for fewer than two submissions, an empty one, a bad language or top < 1."""
    _check(submissions, "submission")
    _check(base_code or {}, "base code file")
    if len(submissions) < 2:
        raise InvalidInputError(f"a scan needs at least two submissions, got {len(submissions)}")
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise InvalidInputError(f"top must be a positive int, got {top!r}")
    name = canonical_language(language)
    names = list(submissions)
    frags = [fragments(submissions[n], name) for n in names]
    base = [fragments(s, name) for s in (base_code or {}).values()]
    families = family_matrices(frags, base)
    score = combine_matrices(families)
    i, j = np.triu_indices(len(names), k=1)
    values = score[i, j]
    order = np.lexsort((j, i, -values))[:top]
    pairs = []
    for p in order.tolist():
        a, b = int(i[p]), int(j[p])
        sa, sb = frags[a].stream, frags[b].stream
        tiling = tile(sa.hashes, sb.hashes, MIN_MATCH)
        structure = (families["kgrams"][0][a, b] + families["statements"][0][a, b]) / 2
        optional = {
            fam: float(families[fam][0][a, b]) if families[fam][1][a, b] else None
            for fam in ("strings", "comments")
        }
        pairs.append(
            ScanPair(
                a=names[a],
                b=names[b],
                score=float(values[p]),
                structure=float(structure),
                **optional,
                regions=tile_regions(tiling, sa.lines, sb.lines),
            )
        )
    return ScanReport(
        language=name,
        submissions=len(names),
        pairs_compared=int(values.size),
        base_code_files=len(base),
        pairs=pairs,
    )
