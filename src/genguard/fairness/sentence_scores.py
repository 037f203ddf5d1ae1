"""Sentence log-likelihoods under a causal language model, every token scored.

A causal model predicts each token from the ones before it, so the first token of a text can only
be scored after something. Scoring the bare token ids (as `LanguageModel.token_logprobs` does)
leaves the first word unscored and predicts the second from the first alone: "He is a nurse" and
"She is a nurse" then differ only in how well each pronoun predicts "is", never in how likely the
pronoun itself is. `score_sentences` puts the model's start-of-text token in front of every text,
as the model saw documents begin in pretraining, and scores every token of the text.

The start token is chosen by `genguard.lm.start_token.start_token` (see its rules).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.lm.base import LanguageModel
from genguard.lm.checks import check_texts
from genguard.lm.start_token import StartToken, start_token
from genguard.types import Result


class SentenceScores(Result):
    """Log-likelihoods (natural log, nats) of texts, one entry per text in input order.

    `token_logprobs[i]` holds one value per token of text i, the first token included (each
    predicted from the start token and the tokens before it); `total` is their sum (the text's
    log-probability given the start of a document), `mean` their mean (length-normalised, nats per
    token) and `n_tokens` their number. `model_id` and `start` say what produced the scores.
    """

    model_id: str
    start: StartToken
    token_logprobs: list[list[float]]
    total: list[float]
    mean: list[float]
    n_tokens: list[int]

    def values(self, kind: str = "total") -> np.ndarray:
        """`total` or `mean` as a float64 array (one value per text)."""
        if kind not in ("total", "mean"):
            raise InvalidInputError(f"kind must be 'total' or 'mean', got {kind!r}")
        return np.asarray(self.total if kind == "total" else self.mean, dtype=np.float64)


def score_sentences(
    model: LanguageModel,
    texts: Sequence[str],
    *,
    batch_size: int = 32,
    start_token_id: int | None = None,
) -> SentenceScores:
    """Score every token of each text after the model's start-of-text token (see `start_token`).

    Returns SentenceScores (per-token, summed and mean log-probabilities in nats, in input order).
    Texts are batched by length (less padding); a text's scores do not depend on its batch beyond
    float rounding (about 1e-5 nats). Raises InvalidInputError for a text with no tokens (empty),
    naming its index, and ConfigError for a model that does not expose log-probabilities.
    """
    texts = check_texts(texts, "texts")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a positive integer, got {batch_size!r}")
    start = start_token(model.tokenizer, start_token_id)
    ids = model.tokenizer.encode(texts) if texts else []
    empty = [i for i, seq in enumerate(ids) if not seq]
    if empty:
        raise InvalidInputError(
            f"text {empty[0]} has no tokens ({len(empty)} empty text(s)); drop empty texts before scoring"
        )
    rows: list[list[float]] = [[] for _ in ids]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for begin in range(0, len(order), batch_size):
        chunk = order[begin : begin + batch_size]
        scored = model.token_logprobs([[start.token_id, *ids[i]] for i in chunk])
        for i, row in zip(chunk, scored, strict=True):
            rows[i] = [float(x) for x in row]
    return SentenceScores(
        model_id=model.model_id,
        start=start,
        token_logprobs=rows,
        total=[float(np.sum(r)) for r in rows],
        mean=[float(np.mean(r)) for r in rows],
        n_tokens=[len(r) for r in rows],
    )
