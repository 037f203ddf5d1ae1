"""Local transformers models behind genguard's LanguageModel interface.

`HFLanguageModel` wraps an AutoModelForCausalLM and runs genguard's own sampling loop (left-padded
batches, KV cache, logits processors that see the full ids, seeded sampling) instead of
`model.generate`, so that watermark processors and every sampling detail are under genguard's
control and reproducible. The tokenizer wrapper lives in `lm.tokenizer`, the sampling step in
`lm.sampling`, the argument checks in `lm.checks`; their public names are re-exported here.
"""

from __future__ import annotations

import inspect
import logging
import math
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from genguard.errors import InvalidInputError, ModelLoadError
from genguard.lm.base import Generation, LanguageModel, SamplingOptions
from genguard.lm.checks import check_batch, reason
from genguard.lm.loading import load_hint, quiet_transformers
from genguard.lm.sampling import choose, row_generator
from genguard.lm.tokenizer import KNOWN_VOCABULARIES, HFTokenizer

__all__ = ["KNOWN_VOCABULARIES", "HFLanguageModel", "HFTokenizer", "quiet_transformers"]

logger = logging.getLogger(__name__)

# Special tokens that end a turn or a document. The tokenizer's own eos id is always a stop
# token; these are added when the vocabulary has them, because chat models (SmolLM2-Instruct)
# end a reply with <|im_end|> and may also emit <|endoftext|> at a document boundary.
_EXTRA_STOP_TOKENS = ("<|im_end|>", "<|endoftext|>")


class HFLanguageModel(LanguageModel):
    """A local transformers causal LM (float32, eval mode, inference only) with genguard's sampler.

    Logits always have the tokenizer's vocabulary size V = tokenizer.vocab_size: a model whose
    output layer is wider (padded embeddings) is sliced, a narrower one is padded with -inf so that
    logits processors written against the tokenizer's vocabulary line up with token ids.
    """

    def __init__(self, model: Any, tokenizer: HFTokenizer, model_id: str) -> None:
        self.model = model.eval()
        self.tokenizer: HFTokenizer = tokenizer
        self.model_id = model_id
        self.vocab_size = tokenizer.vocab_size
        self.model_vocab_size = int(model.get_output_embeddings().weight.shape[0])
        if self.model_vocab_size < self.vocab_size:
            logger.warning(
                "%s: model output size %d < tokenizer vocabulary %d; the missing ids get -inf logits",
                model_id,
                self.model_vocab_size,
                self.vocab_size,
            )
        self.device = next(model.parameters()).device
        eos = tokenizer.eos_token_id
        pad = getattr(tokenizer.hf_tokenizer, "pad_token_id", None)
        # Padded positions are masked out, so the pad id's value never matters; it only has to exist.
        self.pad_token_id: int = int(pad if pad is not None else (eos if eos is not None else 0))
        self.stop_token_ids: list[int] = self._stop_ids()
        self.max_positions: int | None = getattr(model.config, "max_position_embeddings", None)
        # transformers 5.24 renamed the forward argument and output field `past_key_values` to `cache`
        # and warns twice per call at the old name; 5.23 knows only the old one.
        forward_args = inspect.signature(model.forward).parameters
        self._cache_name = "cache" if "cache" in forward_args else "past_key_values"

    def _stop_ids(self) -> list[int]:
        """Ids that end a generation: the tokenizer's and model's eos ids, <|im_end|>, <|endoftext|>."""
        ids: set[int] = set()
        if self.tokenizer.eos_token_id is not None:
            ids.add(int(self.tokenizer.eos_token_id))
        gen_eos = getattr(getattr(self.model, "generation_config", None), "eos_token_id", None)
        if isinstance(gen_eos, int):
            ids.add(gen_eos)
        elif isinstance(gen_eos, list | tuple):
            ids.update(int(i) for i in gen_eos)
        for token in _EXTRA_STOP_TOKENS:
            tid = self.tokenizer.token_id(token)
            if tid is not None:
                ids.add(tid)
        return sorted(i for i in ids if 0 <= i < self.vocab_size)

    @classmethod
    def from_pretrained(
        cls, path_or_id: str | Path, gguf_file: str | None = None, model_id: str | None = None
    ) -> HFLanguageModel:
        """Load model and tokenizer from a local folder, a GGUF file inside `path_or_id`, or a hub id.

        Returns the model in float32 and eval mode; `model_id` defaults to the path or hub id.
        Raises ModelLoadError (saying what was tried and what to do) when loading fails.
        """
        from transformers import AutoModelForCausalLM

        tokenizer = HFTokenizer.from_pretrained(path_or_id, gguf_file=gguf_file)
        try:
            with quiet_transformers():
                model = AutoModelForCausalLM.from_pretrained(
                    str(path_or_id), gguf_file=gguf_file, dtype=torch.float32
                )
        except Exception as exc:
            where = f"{path_or_id}" + (f" (GGUF file {gguf_file})" if gguf_file else "")
            raise ModelLoadError(
                f"could not load a causal language model from {where}: {reason(exc)}. "
                f"{load_hint(path_or_id, gguf_file)}."
            ) from exc
        if model_id is None:
            model_id = str(Path(path_or_id) / gguf_file) if gguf_file else str(path_or_id)
        return cls(model, tokenizer, model_id)

    # ------------------------------------------------------------------ prompts and logits

    def prompt_ids(self, prompt: str, chat: bool = True) -> list[int]:
        """Ids the model is conditioned on for `prompt`.

        With `chat` and a tokenizer that has a chat template: the template applied to one user
        message, with the assistant generation prompt appended (for SmolLM2 this adds the default
        system message). Otherwise the plain encoding. Returns a non-empty list of ids.
        """
        if not isinstance(prompt, str):
            raise InvalidInputError(f"a prompt must be a str, got {type(prompt).__name__}")
        if chat and self.tokenizer.has_chat_template:
            text = self.tokenizer.hf_tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False
            )
            ids = self.tokenizer.encode([text])[0]
        else:
            ids = self.tokenizer.encode([prompt])[0]
        if not ids:
            raise InvalidInputError("the prompt encodes to no tokens; pass a non-empty prompt (or chat=True)")
        return ids

    def _left_pad(self, batch: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Left-pad id lists into (input_ids, attention_mask, position_ids), each [B, L].

        Position ids count real tokens only (0 at each row's first real token), so a padded row
        sees the same positions, and hence the same rotary embeddings, as the row on its own.
        """
        length = max(len(seq) for seq in batch)
        input_ids = torch.full((len(batch), length), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(batch), length), dtype=torch.long)
        for row, seq in enumerate(batch):
            input_ids[row, length - len(seq) :] = torch.tensor(seq, dtype=torch.long)
            mask[row, length - len(seq) :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        return input_ids.to(self.device), mask.to(self.device), positions.to(self.device)

    def _fit_vocab(self, logits: torch.Tensor) -> torch.Tensor:
        """Last-position logits [B, V_model] -> float32 [B, V_tokenizer] (sliced or -inf padded)."""
        logits = logits.float()
        if self.model_vocab_size > self.vocab_size:
            return logits[:, : self.vocab_size].contiguous()
        if self.model_vocab_size < self.vocab_size:
            pad = logits.new_full((logits.shape[0], self.vocab_size - self.model_vocab_size), -math.inf)
            return torch.cat([logits, pad], dim=-1)
        return logits

    @torch.inference_mode()
    def next_token_logits(self, batch: Sequence[Sequence[int]]) -> torch.Tensor:
        """Float32 logits [B, V] for the token after each id sequence (lengths may differ).

        Sequences are left-padded with an attention mask and real-token position ids, so each
        row's logits equal those of the sequence run on its own (up to float rounding).
        """
        seqs = [self.tokenizer._check_ids(seq) for seq in check_batch(batch, "batch")]
        if not seqs:
            raise InvalidInputError("next_token_logits needs at least one id sequence")
        if any(not seq for seq in seqs):
            raise InvalidInputError("every id sequence must hold at least one token")
        self._check_length(max(len(s) for s in seqs))
        input_ids, mask, positions = self._left_pad(seqs)
        out = self.model(
            input_ids=input_ids,
            attention_mask=mask,
            position_ids=positions,
            use_cache=False,
            logits_to_keep=1,
        )
        return self._fit_vocab(out.logits[:, -1, :])

    @torch.inference_mode()
    def token_logprobs(self, batch: Sequence[Sequence[int]]) -> list[list[float]]:
        """Natural-log probability of each token after the first given the tokens before it.

        Returns one list of len(seq) - 1 floats per id sequence (float32 log-softmax; padded rows
        equal the row run on its own up to float rounding).
        """
        seqs = [self.tokenizer._check_ids(seq) for seq in check_batch(batch, "batch")]
        if not seqs or any(len(seq) < 2 for seq in seqs):
            raise InvalidInputError("token_logprobs needs id sequences of at least two tokens")
        self._check_length(max(len(s) for s in seqs))
        input_ids, mask, positions = self._left_pad(seqs)
        out = self.model(input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=False)
        logprobs = torch.log_softmax(out.logits[:, :-1, : self.vocab_size].float(), dim=-1)
        picked = logprobs.gather(-1, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        length = input_ids.shape[1]
        return [picked[row, length - len(seq) :].tolist() for row, seq in enumerate(seqs)]

    def _check_length(self, length: int) -> None:
        if self.max_positions is not None and length > self.max_positions:
            raise InvalidInputError(
                f"{length} tokens exceed the model's context of {self.max_positions}; "
                "shorten the prompt or ask for fewer new tokens"
            )

    # ------------------------------------------------------------------ sampling

    def _sample(self, prompts: list[str], options: SamplingOptions) -> list[Generation]:
        """genguard's own sampling loop (`generate` has checked the arguments); temperature 0 is greedy.

        Each step computes float32 last-position logits [B, V], masks the stop tokens while fewer
        than `min_new_tokens` were generated, calls each processor as
        proc(input_ids [B, L] = left padding + prompt + tokens so far, scores [B, V]) -> scores,
        then applies temperature, top_k (0 = off) and top_p (1.0 = off) and samples.

        Randomness: row i draws from its own torch.Generator seeded from (seed, i), so the same
        seed and prompts give the same outputs whatever `batch_size` is (up to float rounding of
        padded batches); seed None draws a fresh random seed. `row_seeds` (one int per prompt)
        seeds each row on its own instead, so a prompt's sample does not depend on its position
        (resumable audits; counterfactual pairs drawn with common random numbers).

        Returns one Generation per prompt, in prompt order: `token_ids` are the new tokens without
        the stop token, finish_reason "stop" (a stop token was sampled), "length" or "cancelled"
        (`on_token` returned True).
        """
        o = options
        prompt_ids = [self.prompt_ids(p, chat=o.chat) for p in prompts]
        self._check_length(max(len(ids) for ids in prompt_ids) + o.max_new_tokens)
        base_seed = o.seed if o.seed is not None else secrets.randbits(63)

        # Batch prompts of similar length together (less padding); row seeds follow the prompt's
        # original index, so the grouping does not change what is sampled.
        order = sorted(range(len(prompts)), key=lambda i: len(prompt_ids[i]))
        results: dict[int, tuple[list[int], str]] = {}
        for start in range(0, len(order), o.batch_size):
            chunk = order[start : start + o.batch_size]
            generators = [
                row_generator(base_seed, i, self.device)
                if o.row_seeds is None
                else row_generator(o.row_seeds[i], -1, self.device)
                for i in chunk
            ]
            outputs = self._generate_batch([prompt_ids[i] for i in chunk], generators, o, chunk)
            results.update(zip(chunk, outputs, strict=True))

        token_lists = [results[i][0] for i in range(len(prompts))]
        texts = self.tokenizer.decode(token_lists)
        return [
            Generation(
                prompt=prompts[i],
                text=texts[i],
                token_ids=token_lists[i],
                finish_reason=results[i][1],
                model_id=self.model_id,
            )
            for i in range(len(prompts))
        ]

    @torch.inference_mode()
    def _generate_batch(
        self,
        batch: list[list[int]],
        generators: list[torch.Generator],
        o: SamplingOptions,
        indices: list[int],
    ) -> list[tuple[list[int], str]]:
        """Sample one left-padded batch (rows are prompts `indices`, for `o.on_token`); returns
        (new ids without the stop token, finish reason) per row."""
        n = len(batch)
        input_ids, mask, positions = self._left_pad(batch)
        stop_ids = torch.tensor(self.stop_token_ids, dtype=torch.long, device=self.device)
        finished = torch.zeros(n, dtype=torch.bool, device=self.device)
        new_tokens: list[list[int]] = [[] for _ in range(n)]
        reasons = ["length"] * n

        out = self.model(
            input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1
        )
        for step in range(o.max_new_tokens):
            scores = self._fit_vocab(out.logits[:, -1, :])
            if step < o.min_new_tokens and stop_ids.numel():
                scores[:, stop_ids] = -math.inf
            for k, proc in enumerate(o.processors):
                scores = proc(input_ids, scores)
                if not isinstance(scores, torch.Tensor) or scores.shape != (n, self.vocab_size):
                    raise InvalidInputError(
                        f"logits processor #{k} must return a tensor of shape {(n, self.vocab_size)}, "
                        f"got {getattr(scores, 'shape', type(scores).__name__)}"
                    )
            next_ids = choose(scores.float(), generators, o.temperature, o.top_k, o.top_p, finished)
            # Rows already finished keep receiving the pad id (ignored) so the batch stays rectangular.
            next_ids = torch.where(finished, torch.full_like(next_ids, self.pad_token_id), next_ids)
            input_ids = torch.cat([input_ids, next_ids[:, None]], dim=-1)

            is_stop = torch.isin(next_ids, stop_ids) & ~finished
            for row, (tid, stop, done) in enumerate(
                zip(next_ids.tolist(), is_stop.tolist(), finished.tolist(), strict=True)
            ):
                if done:
                    continue
                if stop:
                    reasons[row] = "stop"
                    continue
                new_tokens[row].append(tid)
                if o.on_token is not None and o.on_token(indices[row], tid):
                    reasons[row] = "cancelled"
                    is_stop[row] = True
            finished |= is_stop
            if bool(finished.all()) or step == o.max_new_tokens - 1:
                break

            mask = torch.cat([mask, mask.new_ones((n, 1))], dim=-1)
            positions = positions[:, -1:] + 1
            # The KV cache (a transformers Cache object) goes back under the name this transformers
            # version uses; see _cache_name.
            out = self.model(
                input_ids=next_ids[:, None],
                attention_mask=mask,
                position_ids=positions,
                use_cache=True,
                **{self._cache_name: getattr(out, self._cache_name)},
            )
        return list(zip(new_tokens, reasons, strict=True))

    def __repr__(self) -> str:
        return f"HFLanguageModel({self.model_id!r}, vocab_size={self.vocab_size})"
