"""The start-of-text token of a causal language model: what to put before a text so that its
first token is scored too (genguard.fairness.sentence_scores, genguard.detection,
genguard.focusgroup and the decision audits all use it).

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

from typing import Any

import numpy as np

from genguard.errors import ConfigError, InvalidInputError
from genguard.lm.base import Tokenizer
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
