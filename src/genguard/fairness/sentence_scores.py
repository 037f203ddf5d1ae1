"""Sentence log-likelihoods under a causal language model, every token scored.

A causal model predicts each token from the ones before it, so the first token of a text can only
be scored after something. Scoring the bare token ids (as `LanguageModel.token_logprobs` does)
leaves the first word unscored and predicts the second from the first alone: "He is a nurse" and
"She is a nurse" then differ only in how well each pronoun predicts "is", never in how likely the
pronoun itself is. `score_sentences` puts the model's start-of-text token in front of every text,
as the model saw documents begin in pretraining, and scores every token of the text.

Which start token (`start_token`):
1. the tokenizer's BOS token, unless it is a chat-turn marker (`<|im_start|>` and the like, see
   CHAT_MARKERS): a chat marker announces a role name ("user", "assistant"), not a document;
2. otherwise `<|endoftext|>` when the vocabulary has it: the document separator of GPT-2-style
   pretraining (GPT-2, SmolLM, Qwen);
3. otherwise the EOS token, as GPT-2 does (its BOS and EOS are the same token);
4. otherwise ConfigError: pass `start_token_id` explicitly.

For the default model (SmolLM2-135M-Instruct, GGUF) the tokenizer declares `<|im_start|>` as BOS,
so rule 2 applies and `<|endoftext|>` (id 0) is used. Measured on 198 WinoBias test sentences:
mean log-probability of the first token -5.16 nats after `<|endoftext|>`, -8.25 after
`<|im_start|>`, -8.17 after `<|im_end|>`; mean per scored token -4.81 / -5.71 / -5.65 nats (-5.22
with no start token and the first token unscored).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from genguard.errors import ConfigError, InvalidInputError
from genguard.lm.base import LanguageModel, Tokenizer
from genguard.lm.checks import check_texts
from genguard.types import Result

# Special tokens that open a chat turn rather than a document; never used as the start of a text.
CHAT_MARKERS = frozenset(
    {"<|im_start|>", "<|start_header_id|>", "<start_of_turn>", "<|user|>", "<|system|>", "<|assistant|>"}
)
_DOCUMENT_SEPARATOR = "<|endoftext|>"


class StartToken(Result):
    """The token put before every text: its id, its string and the rule that chose it
    ("given", "bos", "endoftext" or "eos"; see the module docstring)."""

    token_id: int
    token: str
    rule: str


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


def _special(tokenizer: Tokenizer, name: str) -> tuple[int | None, str | None]:
    """(id, string) of the tokenizer's `name` special token ("bos" or "eos"), or (None, None)."""
    hf = getattr(tokenizer, "hf_tokenizer", None)
    if hf is None:
        return None, None
    token_id, token = getattr(hf, f"{name}_token_id", None), getattr(hf, f"{name}_token", None)
    if token_id is None or token is None:
        return None, None
    return int(token_id), str(token)


def start_token(tokenizer: Tokenizer, start_token_id: int | None = None) -> StartToken:
    """The start-of-text token for `tokenizer` by the rules of the module docstring.

    `start_token_id` overrides the rules (rule "given"). Raises ConfigError when no rule applies.
    """
    lookup: Any = getattr(tokenizer, "token_id", None)
    if start_token_id is not None:
        if isinstance(start_token_id, bool) or not isinstance(start_token_id, int | np.integer):
            raise InvalidInputError(f"start_token_id must be an int, got {start_token_id!r}")
        if not 0 <= start_token_id < tokenizer.vocab_size:
            raise InvalidInputError(
                f"start_token_id {start_token_id} is outside the vocabulary (0..{tokenizer.vocab_size - 1})"
            )
        text = tokenizer.token_strings([int(start_token_id)])[0]
        return StartToken(token_id=int(start_token_id), token=text, rule="given")
    bos_id, bos = _special(tokenizer, "bos")
    if bos_id is not None and bos not in CHAT_MARKERS:
        return StartToken(token_id=bos_id, token=str(bos), rule="bos")
    separator = lookup(_DOCUMENT_SEPARATOR) if callable(lookup) else None
    if separator is not None:
        return StartToken(token_id=int(separator), token=_DOCUMENT_SEPARATOR, rule="endoftext")
    eos_id, eos = _special(tokenizer, "eos")
    if eos_id is not None:
        return StartToken(token_id=eos_id, token=str(eos), rule="eos")
    raise ConfigError(
        f"{type(tokenizer).__name__} names no start-of-text token (no usable BOS, no "
        f"{_DOCUMENT_SEPARATOR}, no EOS); pass start_token_id"
    )


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
