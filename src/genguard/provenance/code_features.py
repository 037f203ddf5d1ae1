"""The fragments two programs can share, per family, as sorted arrays of distinct uint64 hashes.

Families (from code_normalize's structural stream and raw evidence):

- "kgrams": every k-gram (k = KGRAM, not winnowed: a 40-line program has only ~150 of them) of
  the structural stream; what alignment sees, order kept locally;
- "statements": one hash per simple statement (its structural tokens): order-free, so reordered
  independent statements and moved declarations still match;
- "strings": string literals' text (lower-cased): a copy keeps prompts and messages even when its
  structure was edited; independent solutions word them differently unless the task dictates them;
- "comments": comment and docstring words (3+ letters).

Weighted containment of two fragment sets = weight of the shared fragments / the smaller side's
total weight, in [0, 1]; with unit weights it is plain containment. Families with no fragment on
either side score 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genguard.provenance.code_normalize import StructuralStream, normalize
from genguard.provenance.code_tokens import token_hash
from genguard.provenance.winnow import kgram_hashes

KGRAM = 5
FAMILIES: tuple[str, ...] = ("kgrams", "statements", "strings", "comments")


@dataclass(frozen=True)
class Fragments:
    """A program's structural stream and its fragment sets (family -> sorted distinct uint64)."""

    stream: StructuralStream
    sets: dict[str, np.ndarray]


def _hashes(items: list[str]) -> np.ndarray:
    return np.unique(np.array([token_hash(x) for x in items], dtype=np.uint64))


def fragments(source: str | bytes, language: str) -> Fragments:
    """The fragment sets of one source (see the module docstring); InvalidInputError as
    code_normalize.normalize for a bad source or language."""
    stream = normalize(source, language)
    strings = [e for e in stream.evidence if e.startswith("string:") and len(e) > len("string:")]
    comments = [e for e in stream.evidence if e.startswith("comment:")]
    sets = {
        "kgrams": np.unique(kgram_hashes(stream.hashes, KGRAM)),
        "statements": np.unique(stream.statement_hashes()),
        "strings": _hashes(strings),
        "comments": _hashes(comments),
    }
    return Fragments(stream=stream, sets=sets)


def weighted_containment(a: np.ndarray, b: np.ndarray, weight: dict[int, float] | None = None) -> float:
    """Shared weight / the smaller side's weight, in [0, 1], for two sorted distinct uint64 arrays;
    unit weights when `weight` is None. 0.0 when either side is empty or weighs nothing."""
    if a.size == 0 or b.size == 0:
        return 0.0
    shared = np.intersect1d(a, b, assume_unique=True)
    if weight is None:
        return shared.size / min(a.size, b.size)

    def total(x: np.ndarray) -> float:
        return float(sum(weight.get(h, 1.0) for h in x.tolist()))

    low = min(total(a), total(b))
    return total(shared) / low if low > 0 else 0.0
