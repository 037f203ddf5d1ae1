"""The parameters of a dedup run (checked, with the LSH bands filled in) and the result models.

The semantics and the measured error rates are in `genguard.provenance.dedup`'s docstring.
"""

from __future__ import annotations

import functools
from typing import Literal, TypedDict

from genguard.errors import ConfigError
from genguard.provenance.minhash import lsh_parameters
from genguard.types import Result

DEFAULT_THRESHOLD = 0.8
LSH_MARGIN = 0.1  # the LSH bands are chosen for threshold - LSH_MARGIN (see the module docstring)
# From benchmarks/dedup_throughput.py at the defaults (see the module docstring for the corpus).
DEDUP_ERROR_RATES: dict[str, float] = {
    "recall_true_duplicates_k1": 0.960,
    "recall_true_duplicates_k3": 0.924,
    "found_true_jaccard_0.90_1.00": 1.000,
    "found_true_jaccard_0.85_0.90": 0.964,
    "found_true_jaccard_0.80_0.85": 0.751,
    "found_true_jaccard_0.70_0.80": 0.115,
    "false_removal_rate": 2.4e-5,
}

OnBadLine = Literal["error", "skip"]


class DedupParameters(Result):
    """Everything that decides which documents are kept (both paths agree given these)."""

    threshold: float
    lsh_threshold: float
    num_perm: int
    bands: int
    rows: int
    shingle: str
    n: int
    seed: int
    max_occurrences: int
    text_field: str
    on_bad_line: str


class DedupStats(Result):
    """What a dedup run did. Counts are of lines/documents; `seconds` is wall-clock time."""

    engine: str  # "streaming", "memory" or "ray"
    lines: int  # lines (or texts) read, bad ones included
    documents: int  # lines that held a document (lines - bad_lines)
    kept: int
    dropped: int  # duplicates removed (empty documents are never dropped)
    empty: int  # documents with no text after normalisation (all kept)
    bad_lines: int
    bad_line_ids: list[int]  # the first 100 bad lines, 0-based
    duplicate_clusters: int  # clusters with more than one member
    largest_cluster: int
    candidate_pairs: int  # distinct (member, bucket head) pairs from the LSH bands
    edges: int  # distinct links after verification, exact duplicates included
    input_bytes: int
    seconds: float
    docs_per_s: float
    mb_per_s: float  # input megabytes (10^6 bytes) per second
    parameters: DedupParameters
    out_path: str | None = None
    dropped_path: str | None = None


class DedupResult(Result):
    """In-memory dedup: the kept positions (ascending) and, per dropped position, its representative."""

    kept: list[int]
    duplicate_of: dict[int, int]
    stats: DedupStats


class SketchOptions(TypedDict, total=False):
    """The options that decide which documents are near duplicates (defaults: dedup_parameters)."""

    threshold: float
    lsh_threshold: float | None
    num_perm: int
    shingle: str
    n: int
    seed: int


class DedupOptions(SketchOptions, total=False):
    """SketchOptions plus the occurrence cap."""

    max_occurrences: int


class JsonlOptions(DedupOptions, total=False):
    """DedupOptions plus how JSONL lines are read."""

    text_field: str
    on_bad_line: OnBadLine


@functools.lru_cache(maxsize=64)
def _bands_rows(threshold: float, num_perm: int) -> tuple[int, int]:
    return lsh_parameters(threshold, num_perm)


def dedup_parameters(
    *,
    threshold: float = DEFAULT_THRESHOLD,
    lsh_threshold: float | None = None,
    num_perm: int = 128,
    shingle: str = "word",
    n: int = 5,
    seed: int = 1,
    max_occurrences: int = 1,
    text_field: str = "text",
    on_bad_line: str = "error",
) -> DedupParameters:
    """Checked parameters with the LSH bands and rows filled in; ConfigError says which is wrong."""

    def is_int(x: object) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    if not isinstance(threshold, int | float) or not 0.0 < threshold < 1.0:
        raise ConfigError(f"threshold must lie strictly between 0 and 1, got {threshold!r}")
    if lsh_threshold is None:
        lsh_threshold = round(max(0.05, threshold - LSH_MARGIN), 6)
    if not isinstance(lsh_threshold, int | float) or not 0.0 < lsh_threshold < 1.0:
        raise ConfigError(f"lsh_threshold must lie strictly between 0 and 1, got {lsh_threshold!r}")
    if not is_int(num_perm) or not 1 <= num_perm <= 4096:
        raise ConfigError(f"num_perm must be an int from 1 to 4096, got {num_perm!r}")
    if shingle not in ("word", "char"):
        raise ConfigError(f"shingle must be 'word' or 'char', not {shingle!r}")
    if not is_int(n) or not 1 <= n <= 64:
        raise ConfigError(f"shingle size n must be an int from 1 to 64, got {n!r}")
    if not is_int(seed):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    if not is_int(max_occurrences) or max_occurrences < 1:
        raise ConfigError(f"max_occurrences must be an int >= 1, got {max_occurrences!r}")
    if not isinstance(text_field, str) or not text_field:
        raise ConfigError(f"text_field must be a non-empty string, got {text_field!r}")
    if on_bad_line not in ("error", "skip"):
        raise ConfigError(f"on_bad_line must be 'error' or 'skip', not {on_bad_line!r}")
    bands, rows = _bands_rows(float(lsh_threshold), num_perm)
    return DedupParameters(
        threshold=float(threshold),
        lsh_threshold=float(lsh_threshold),
        num_perm=num_perm,
        bands=bands,
        rows=rows,
        shingle=shingle,
        n=n,
        seed=seed,
        max_occurrences=max_occurrences,
        text_field=text_field,
        on_bad_line=on_bad_line,
    )
