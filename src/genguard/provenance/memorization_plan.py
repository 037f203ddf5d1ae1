"""Drawing the audit's samples: checked inputs, seeded non-overlapping windows of prefix + target
tokens per source, decoded into prompts and targets."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.lm.base import LanguageModel
from genguard.provenance.shingles import normalize_for_shingles
from genguard.types import Result

_ENCODE_CHUNK = 256  # documents tokenised per call (bounds memory for large sources)


def check_documents(documents: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """`documents` as a list of (source, text) str pairs; InvalidInputError saying what is wrong."""
    if isinstance(documents, str | bytes) or not isinstance(documents, Sequence):
        raise InvalidInputError(
            f"documents must be a list of (source name, text) pairs, got {type(documents).__name__}"
        )
    if not documents:
        raise InvalidInputError("documents is empty; pass at least one (source name, text) pair")
    out = []
    for i, item in enumerate(documents):
        if isinstance(item, str | bytes) or not isinstance(item, Sequence) or len(item) != 2:
            raise InvalidInputError(
                f"documents[{i}] must be a (source name, text) pair, got {type(item).__name__}"
            )
        source, text = item
        if not isinstance(source, str) or not source.strip():
            raise InvalidInputError(
                f"documents[{i}]: the source name must be a non-empty str, got {source!r}"
            )
        if not isinstance(text, str):
            raise InvalidInputError(
                f"documents[{i}] ({source}): the text must be a str, got {type(text).__name__}"
            )
        out.append((source, text))
    return out


def check_count(name: str, value: object, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidInputError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def source_rng(seed: int, source: str) -> np.random.Generator:
    """A generator for one source, so its windows do not depend on the other sources or their order."""
    digest = hashlib.sha256(f"genguard-memorization:{seed}:{source}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def draw_windows(lengths: Sequence[int], width: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """(document, start) of non-overlapping windows of `width` tokens: a random phase per document,
    then every window after it, so each position is equally likely to start a window."""
    out = []
    for doc, length in enumerate(lengths):
        if length < width:
            continue
        start = int(rng.integers(0, min(width, length - width + 1)))
        out += [(doc, p) for p in range(start, length - width + 1, width)]
    return out


class Planned(Result):
    """One drawn window, decoded: ids and texts of prefix and target."""

    source: str
    document: int
    position: int
    prefix_ids: list[int]
    target_ids: list[int]
    prefix: str
    target: str


def plan_source(
    lm: LanguageModel,
    source: str,
    texts: list[tuple[int, str]],
    prefix_tokens: int,
    suffix_tokens: int,
    samples: int,
    seed: int,
) -> tuple[list[Planned], dict[str, int]]:
    """Draw up to `samples` windows of one source; returns them and the counts of what was skipped.

    Windows whose prefix is blank or whose target has no word (empty normal form) cannot be judged
    and are passed over in favour of the next drawn window.
    """
    width = prefix_tokens + suffix_tokens
    kept = [(doc, text) for doc, text in texts if text.strip()]
    ids: list[list[int]] = []
    for start in range(0, len(kept), _ENCODE_CHUNK):
        ids += lm.tokenizer.encode([text for _, text in kept[start : start + _ENCODE_CHUNK]])
    counts = {
        "documents": len(texts),
        "skipped_empty": len(texts) - len(kept),
        "skipped_short": sum(len(x) < width for x in ids),
    }
    rng = source_rng(seed, source)
    windows = draw_windows([len(x) for x in ids], width, rng)
    counts["windows_available"] = len(windows)
    planned: list[Planned] = []
    order = rng.permutation(len(windows))
    for start in range(0, len(order), max(samples, 16)):
        chosen = [windows[i] for i in order[start : start + max(samples, 16)]]
        prefixes = [ids[d][p : p + prefix_tokens] for d, p in chosen]
        targets = [ids[d][p + prefix_tokens : p + width] for d, p in chosen]
        prefix_texts = lm.tokenizer.decode(prefixes)
        target_texts = lm.tokenizer.decode(targets)
        for (d, p), pi, ti, pt, tt in zip(chosen, prefixes, targets, prefix_texts, target_texts, strict=True):
            if pt.strip() and normalize_for_shingles(tt):
                planned.append(
                    Planned(
                        source=source,
                        document=kept[d][0],
                        position=p,
                        prefix_ids=pi,
                        target_ids=ti,
                        prefix=pt,
                        target=tt,
                    )
                )
            if len(planned) == samples:
                return planned, counts
    return planned, counts


def derangement(n: int, rng: np.random.Generator) -> np.ndarray:
    """A random permutation with no fixed point (a random cycle through all n >= 2 indices)."""
    perm = rng.permutation(n)
    sigma = np.empty(n, dtype=np.int64)
    sigma[perm] = np.roll(perm, -1)
    return sigma
