"""Attribution: which indexed training documents a generated text came from, with the passages.

For each text, the index's candidates (documents sharing LSH bands or span fingerprints) are
searched for every maximal shared run of at least `min_chars` normalised characters. Runs are
then assigned greedily, longest first, to the parts of the text not yet attributed, so each
character of the text is credited to at most one document. Sources are ranked by the characters
credited to them. Runs of GUARANTEED_CHARS (124) or more are always found; shorter runs down to
`min_chars` are found in documents that are candidates for another reason.

With `paraphrase=True`, reworded copies are searched beside the exact runs (paraphrase_index.py:
sentence alignment with the MiniLM embedder, 0.34 s for 1 KB and 2.2 s for 10 KB of text once the
index's sentences are cached, against 0.01 s and 0.12 s exact: benchmarks/results/
paraphrase_speed.json), and `score` combines both layers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from genguard.errors import InvalidInputError
from genguard.provenance.index import ProtectedIndex
from genguard.provenance.paraphrase import ParaphraseMatch, combined_score
from genguard.provenance.spans import K_CHARS, SharedSpan, located_span, shared_runs
from genguard.types import Result


class Source(Result):
    """An indexed document credited with `chars` normalised characters of the text, in `spans`."""

    key: str
    chars: int
    spans: list[SharedSpan]
    meta: dict[str, Any]


class Attribution(Result):
    """The sources of one text: `coverage` is the share of its normal form credited to any source.

    With the paraphrase layer on, `paraphrased` lists the sources the text rewords (aligned
    sentences and their cosines) and `score` is the larger of `coverage` and the best paraphrase
    score (paraphrase.combined_score); both stay empty / None when the layer is off."""

    chars: int
    attributed_chars: int
    coverage: float
    sources: list[Source]
    paraphrased: list[ParaphraseMatch] = Field(default_factory=list)
    score: float | None = None


def attribute(
    index: ProtectedIndex,
    texts: Sequence[str],
    min_chars: int = 50,
    top_k: int = 5,
    paraphrase: bool = False,
    min_paraphrase: float | None = None,
) -> list[Attribution]:
    """One Attribution per text with its `top_k` sources, longest credited first; with `paraphrase`,
    also the `top_k` sources it rewords at score `min_paraphrase` or more (default
    paraphrase.THRESHOLD) and the combined `score`."""
    if min_chars < K_CHARS:
        raise InvalidInputError(f"min_chars must be at least {K_CHARS}, got {min_chars}")
    exact = _exact(index, texts, min_chars, top_k)
    if not paraphrase:
        return exact
    from genguard.provenance.paraphrase import THRESHOLD
    from genguard.provenance.paraphrase_index import paraphrase_search

    threshold = THRESHOLD if min_paraphrase is None else min_paraphrase
    found = paraphrase_search(index, texts, top_k=top_k, min_score=threshold)
    return [
        a.model_copy(
            update={
                "paraphrased": p,
                "score": combined_score(a.coverage, max((m.score for m in p), default=0.0)),
            }
        )
        for a, p in zip(exact, found, strict=True)
    ]


def _exact(index: ProtectedIndex, texts: Sequence[str], min_chars: int, top_k: int) -> list[Attribution]:
    """The exact layer: maximal shared runs, credited greedily (module docstring)."""
    out = []
    for query in index.candidates(texts):
        runs = [
            (length, q, d, c)
            for c in query.candidates
            for q, d, length in shared_runs(query.norm, c.norm, min_chars)
        ]
        taken = bytearray(len(query.norm))
        credited: dict[str, list[SharedSpan]] = {}
        for length, q, d, c in sorted(runs, key=lambda r: (-r[0], r[1], r[3].key)):
            # Keep the first stretch of the run that no longer run has claimed.
            start = next((i for i in range(q, q + length) if not taken[i]), q + length)
            end = start
            while end < q + length and not taken[end]:
                end += 1
            if end - start < min_chars:
                continue
            taken[start:end] = b"\x01" * (end - start)
            span = located_span(query.norm, query.where, (start, d + start - q, end - start))
            credited.setdefault(c.key, []).append(span)
        metas = {c.key: c.meta for c in query.candidates}
        sources = sorted(
            (
                Source(
                    key=k,
                    chars=sum(s.chars for s in spans),
                    spans=sorted(spans, key=lambda s: s.query_start),
                    meta=metas[k],
                )
                for k, spans in credited.items()
            ),
            key=lambda s: (-s.chars, s.key),
        )
        attributed = sum(s.chars for s in sources)
        out.append(
            Attribution(
                chars=len(query.norm),
                attributed_chars=attributed,
                coverage=attributed / len(query.norm) if query.norm else 0.0,
                sources=sources[:top_k],
            )
        )
    return out
