"""Local transformers models behind genguard's LanguageModel interface.

`HFTokenizer` wraps a transformers tokenizer; `HFLanguageModel` wraps an AutoModelForCausalLM
and runs genguard's own sampling loop (left-padded batches, KV cache, logits processors that
see the full ids, seeded sampling) instead of `model.generate`, so that watermark processors
and every sampling detail are under genguard's control and reproducible.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import secrets
from collections.abc import Iterator, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import torch

from genguard.errors import GenguardError, InvalidInputError, ModelLoadError
from genguard.lm.base import Generation, LanguageModel, LogitsProcessorFn, Tokenizer

logger = logging.getLogger(__name__)

# Special tokens that end a turn or a document. The tokenizer's own eos id is always a stop
# token; these are added when the vocabulary has them, because chat models (SmolLM2-Instruct)
# end a reply with <|im_end|> and may also emit <|endoftext|> at a document boundary.
_EXTRA_STOP_TOKENS = ("<|im_end|>", "<|endoftext|>")

# Names of vocabularies genguard knows, by vocab_hash: a tokenizer loaded without an explicit
# name (a local folder, a GGUF file) gets this name, so its tokenizer_id is the same wherever
# the files came from. The SmolLM2 family (135M, 360M, 1.7B) shares one vocabulary.
KNOWN_VOCABULARIES: dict[str, str] = {
    "67966a898ec240ba26e285d38d43287078681c5660ce3bf9b59fe5199f79e442": "HuggingFaceTB/SmolLM2-135M-Instruct",
}


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' progress bars while loading (restored afterwards)."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _load_hint(path_or_id: str | Path, gguf_file: str | None) -> str:
    """A sentence telling the user what to check when `path_or_id` failed to load."""
    if gguf_file is not None:
        return (
            f"check that {Path(path_or_id) / gguf_file} exists and is a GGUF file of an architecture "
            "transformers supports (loading GGUF needs the packages `gguf` and `accelerate`)"
        )
    if Path(path_or_id).exists():
        return "check that the folder holds a transformers model (config.json, weights, tokenizer files)"
    return (
        "it is not a local path, so it was treated as a model hub id, which needs network access; "
        "on an offline machine use 'default' (the embedded SmolLM2-135M-Instruct) or a local folder, "
        "and set HF_HUB_OFFLINE=1 to fail fast instead of retrying"
    )


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """Inverse of GPT-2's bytes_to_unicode table: the printable stand-in character -> its byte."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    byte_values = list(printable)
    chars = list(printable)
    n = 0
    for b in range(256):
        if b not in printable:
            byte_values.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(byte_values, chars, strict=True)}


class HFTokenizer(Tokenizer):
    """A transformers tokenizer behind genguard's Tokenizer interface.

    `tokenizer_id` is `name@sha256:<hash>`: the hash covers what maps text to ids (vocabulary,
    merges, normaliser, pre-tokeniser); the name is the one passed, else the name of a known
    vocabulary (KNOWN_VOCABULARIES), else the source folder or hub id. So the SmolLM2 vocabulary
    has one id whether it was read from the GGUF file, the converted folder or any copy of them.
    """

    def __init__(self, tokenizer: Any, name: str | None = None) -> None:
        self.hf_tokenizer = tokenizer
        self._name = name
        # Added tokens (<|im_end|> ...) are stored verbatim, not in the byte-level alphabet.
        self._added_ids: frozenset[int] = frozenset(getattr(tokenizer, "added_tokens_decoder", {}))
        decoder = None
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is not None:
            decoder = backend.decoder
        self._byte_level = decoder is not None and type(decoder).__name__ == "ByteLevel"

    @classmethod
    def from_pretrained(
        cls, path_or_id: str | Path, gguf_file: str | None = None, name: str | None = None
    ) -> HFTokenizer:
        """Load a tokenizer from a local folder, a GGUF file in `path_or_id`, or a hub id.

        Returns the wrapped tokenizer; raises ModelLoadError (with what to do) when loading fails.
        """
        from transformers import AutoTokenizer

        try:
            with quiet_transformers():
                tok = AutoTokenizer.from_pretrained(str(path_or_id), gguf_file=gguf_file)
        except Exception as exc:  # transformers raises OSError, ValueError, KeyError ... here
            where = f"{path_or_id}" + (f" (GGUF file {gguf_file})" if gguf_file else "")
            raise ModelLoadError(
                f"could not load a tokenizer from {where}: {_reason(exc)}. "
                f"{_load_hint(path_or_id, gguf_file)}."
            ) from exc
        tokenizer = cls(tok, name=name)
        if name is None and tokenizer.vocab_hash not in KNOWN_VOCABULARIES:
            tokenizer._name = Path(gguf_file).stem if gguf_file else _display_name(path_or_id)
        return tokenizer

    @property
    def name(self) -> str:
        """Human-readable name of the vocabulary: the one given, a known vocabulary's, or the source's."""
        if self._name is None:
            known = KNOWN_VOCABULARIES.get(self.vocab_hash)
            self._name = known or str(getattr(self.hf_tokenizer, "name_or_path", "") or "tokenizer")
        return self._name

    @property
    def vocab_size(self) -> int:
        """Number of vocabulary entries including added tokens: len(get_vocab())."""
        return self._vocab_size

    @cached_property
    def _vocab_size(self) -> int:
        return len(self._vocab)

    @cached_property
    def _vocab(self) -> dict[str, int]:
        # get_vocab() builds a fresh dict on every call; keep one.
        return dict(self.hf_tokenizer.get_vocab())

    @cached_property
    def vocab_hash(self) -> str:
        """Hex sha256 of the sorted vocabulary plus merges, normaliser and pre-tokeniser.

        Equal hashes mean the same text encodes to the same ids; computed once (about 0.1 s).
        """
        digest = hashlib.sha256()
        digest.update(json.dumps(sorted(self._vocab.items())).encode())
        backend = getattr(self.hf_tokenizer, "backend_tokenizer", None)
        if backend is not None:
            spec = json.loads(backend.to_str())
            for key in ("normalizer", "pre_tokenizer"):
                digest.update(json.dumps(spec.get(key), sort_keys=True).encode())
            digest.update(json.dumps(spec.get("model", {}).get("merges")).encode())
        return digest.hexdigest()

    @property
    def tokenizer_id(self) -> str:  # type: ignore[override]  # base declares a plain attribute
        """`name@sha256:<first 16 hex digits of vocab_hash>`, the vocabulary's name.

        E.g. `HuggingFaceTB/SmolLM2-135M-Instruct@sha256:67966a898ec240ba`. Equal ids mean equal
        vocabularies; compare `vocab_hash` to ignore the name.
        """
        return f"{self.name}@sha256:{self.vocab_hash[:16]}"

    @property
    def eos_token_id(self) -> int | None:
        """The tokenizer's end-of-sequence id (None if it has none)."""
        return self.hf_tokenizer.eos_token_id

    @property
    def has_chat_template(self) -> bool:
        """Whether the tokenizer carries a chat template."""
        return bool(getattr(self.hf_tokenizer, "chat_template", None))

    def token_id(self, token: str) -> int | None:
        """Id of the vocabulary entry `token` (e.g. "<|im_end|>"), or None if it is not in the vocabulary."""
        return self._vocab.get(token)

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, without special tokens (no BOS/EOS added).

        Returns one list per text; raises InvalidInputError unless `texts` is a list of str.
        """
        texts = _check_texts(texts, "texts")
        if not texts:
            return []
        return [list(ids) for ids in self.hf_tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def decode(self, ids: Sequence[Sequence[int]]) -> list[str]:
        """Text of each id sequence with special tokens dropped; spaces are not "cleaned up", so
        decode(encode(t)) == t for byte-level tokenizers. Returns one string per sequence."""
        seqs = [self._check_ids(seq) for seq in _check_batch(ids, "ids")]
        if not seqs:
            return []
        return self.hf_tokenizer.batch_decode(
            seqs, skip_special_tokens=True, clean_up_tokenization_spaces=False
        )

    def token_strings(self, ids: Sequence[int]) -> list[str]:
        """The text each single token stands for ("Ġthe" -> " the"), one string per id.

        A token holding part of a multi-byte UTF-8 character shows as U+FFFD; special tokens
        show verbatim ("<|im_end|>").
        """
        ids = self._check_ids(ids)
        tokens = self.hf_tokenizer.convert_ids_to_tokens(ids)
        if not self._byte_level:
            return [self.hf_tokenizer.convert_tokens_to_string([t]) for t in tokens]
        table = _byte_decoder()
        out: list[str] = []
        for i, tok in zip(ids, tokens, strict=True):
            if i in self._added_ids or any(c not in table for c in tok):
                out.append(tok)
            else:
                out.append(bytes(table[c] for c in tok).decode("utf-8", errors="replace"))
        return out

    def _check_ids(self, ids: Sequence[int]) -> list[int]:
        """`ids` as a list of ints inside the vocabulary; InvalidInputError otherwise."""
        if hasattr(ids, "tolist"):  # torch tensors and numpy arrays
            ids = ids.tolist()
        if isinstance(ids, str | bytes) or not isinstance(ids, Sequence):
            raise InvalidInputError(f"expected a sequence of token ids, got {type(ids).__name__}")
        try:
            out = [int(i) for i in ids]
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"token ids must be integers: {exc}") from exc
        bad = [i for i in out if not 0 <= i < self.vocab_size]
        if bad:
            raise InvalidInputError(
                f"token id(s) {bad[:5]} outside the vocabulary [0, {self.vocab_size}) of {self.tokenizer_id}"
            )
        return out

    def __repr__(self) -> str:
        return f"HFTokenizer({self.name!r}, vocab_size={self.vocab_size})"


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
                f"could not load a causal language model from {where}: {_reason(exc)}. "
                f"{_load_hint(path_or_id, gguf_file)}."
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
        seqs = [self.tokenizer._check_ids(seq) for seq in _check_batch(batch, "batch")]
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
        seqs = [self.tokenizer._check_ids(seq) for seq in _check_batch(batch, "batch")]
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
        """Sample one completion per prompt with genguard's own loop; temperature 0 is greedy.

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
        the stop token, finish_reason "stop" (a stop token was sampled) or "length".
        """
        prompts = _check_texts(prompts, "prompts")
        _check_sampling(max_new_tokens, temperature, top_k, top_p, min_new_tokens, batch_size, seed)
        if row_seeds is not None and (
            len(row_seeds) != len(prompts)
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in row_seeds)
        ):
            raise InvalidInputError(f"row_seeds must be {len(prompts)} ints, one per prompt")
        if not prompts:
            return []
        processors = list(logits_processors)
        for proc in processors:
            if not callable(proc):
                raise InvalidInputError(f"logits processor {proc!r} is not callable")
        prompt_ids = [self.prompt_ids(p, chat=chat) for p in prompts]
        self._check_length(max(len(ids) for ids in prompt_ids) + max_new_tokens)
        base_seed = seed if seed is not None else secrets.randbits(63)

        # Batch prompts of similar length together (less padding); row seeds follow the prompt's
        # original index, so the grouping does not change what is sampled.
        order = sorted(range(len(prompts)), key=lambda i: len(prompt_ids[i]))
        results: dict[int, tuple[list[int], str]] = {}
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            generators = [
                self._row_generator(base_seed, i)
                if row_seeds is None
                else self._row_generator(row_seeds[i], -1)
                for i in chunk
            ]
            outputs = self._generate_batch(
                [prompt_ids[i] for i in chunk],
                generators,
                max_new_tokens=max_new_tokens,
                temperature=temperature,
                top_k=top_k,
                top_p=top_p,
                processors=processors,
                min_new_tokens=min_new_tokens,
            )
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

    def _row_generator(self, base_seed: int, index: int) -> torch.Generator:
        """A generator for prompt `index`, seeded by hashing (base_seed, index) into 63 bits."""
        digest = hashlib.sha256(f"genguard-sample:{base_seed}:{index}".encode()).digest()
        gen = torch.Generator(device=self.device)
        gen.manual_seed(int.from_bytes(digest[:8], "big") >> 1)
        return gen

    @torch.inference_mode()
    def _generate_batch(
        self,
        batch: list[list[int]],
        generators: list[torch.Generator],
        *,
        max_new_tokens: int,
        temperature: float,
        top_k: int,
        top_p: float,
        processors: list[LogitsProcessorFn],
        min_new_tokens: int,
    ) -> list[tuple[list[int], str]]:
        """Sample one left-padded batch; returns (new ids without the stop token, finish reason) per row."""
        n = len(batch)
        input_ids, mask, positions = self._left_pad(batch)
        stop_ids = torch.tensor(self.stop_token_ids, dtype=torch.long, device=self.device)
        finished = torch.zeros(n, dtype=torch.bool, device=self.device)
        new_tokens: list[list[int]] = [[] for _ in range(n)]
        reasons = ["length"] * n

        out = self.model(
            input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1
        )
        for step in range(max_new_tokens):
            scores = self._fit_vocab(out.logits[:, -1, :])
            if step < min_new_tokens and stop_ids.numel():
                scores[:, stop_ids] = -math.inf
            for k, proc in enumerate(processors):
                scores = proc(input_ids, scores)
                if not isinstance(scores, torch.Tensor) or scores.shape != (n, self.vocab_size):
                    raise InvalidInputError(
                        f"logits processor #{k} must return a tensor of shape {(n, self.vocab_size)}, "
                        f"got {getattr(scores, 'shape', type(scores).__name__)}"
                    )
            next_ids = self._choose(scores.float(), generators, temperature, top_k, top_p, finished)
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
                else:
                    new_tokens[row].append(tid)
            finished |= is_stop
            if bool(finished.all()) or step == max_new_tokens - 1:
                break

            mask = torch.cat([mask, mask.new_ones((n, 1))], dim=-1)
            positions = positions[:, -1:] + 1
            out = self.model(
                input_ids=next_ids[:, None],
                attention_mask=mask,
                position_ids=positions,
                past_key_values=out.past_key_values,
                use_cache=True,
            )
        return list(zip(new_tokens, reasons, strict=True))

    def _choose(
        self,
        scores: torch.Tensor,
        generators: list[torch.Generator],
        temperature: float,
        top_k: int,
        top_p: float,
        finished: torch.Tensor,
    ) -> torch.Tensor:
        """Pick the next id of each row from processed scores [B, V]; returns LongTensor [B]."""
        live = ~finished
        if bool(live.any()):
            bad = ~torch.isfinite(scores[live]).any(dim=-1) | torch.isnan(scores[live]).any(dim=-1)
            if bool(bad.any()):
                raise GenguardError(
                    "every token has score -inf (or a score is NaN) after the logits processors; "
                    "check the processors passed to generate()"
                )
        if temperature == 0:
            return scores.argmax(dim=-1)
        scores = scores / temperature
        if 0 < top_k < scores.shape[-1]:
            kth = torch.topk(scores, top_k, dim=-1).values[:, -1:]
            scores = scores.masked_fill(scores < kth, -math.inf)
        if top_p < 1.0:
            sorted_scores, sorted_idx = torch.sort(scores, descending=True, dim=-1)
            probs = sorted_scores.softmax(dim=-1)
            # Drop a token when the tokens ranked above it already hold top_p of the mass; the
            # most likely token is always kept.
            drop_sorted = (probs.cumsum(dim=-1) - probs) >= top_p
            drop = torch.zeros_like(drop_sorted).scatter(-1, sorted_idx, drop_sorted)
            scores = scores.masked_fill(drop, -math.inf)
        probs = scores.softmax(dim=-1)
        picks = [
            torch.multinomial(probs[row], 1, generator=gen) if alive else probs.new_zeros(1, dtype=torch.long)
            for row, (gen, alive) in enumerate(zip(generators, live.tolist(), strict=True))
        ]
        return torch.cat(picks)

    def __repr__(self) -> str:
        return f"HFLanguageModel({self.model_id!r}, vocab_size={self.vocab_size})"


# ---------------------------------------------------------------------- argument checks


def _reason(exc: BaseException) -> str:
    """An exception's message as one clause (no trailing period), for embedding in our messages."""
    return (str(exc).strip().rstrip(".") or type(exc).__name__).replace("\n", " ")


def _display_name(path_or_id: str | Path) -> str:
    """A readable name for a tokenizer source: the hub id, or a local folder's last component."""
    path = Path(path_or_id)
    return path.name if path.exists() else str(path_or_id)


def _check_texts(texts: Sequence[str], what: str) -> list[str]:
    """`texts` as a list of str; InvalidInputError for a bare string or a non-str item."""
    if isinstance(texts, str | bytes):
        raise InvalidInputError(f"{what} must be a list of strings, not a single {type(texts).__name__}")
    if not isinstance(texts, Sequence):
        raise InvalidInputError(f"{what} must be a list of strings, got {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInputError(f"{what}[{i}] must be a str, got {type(text).__name__}")
    return list(texts)


def _check_batch(batch: Sequence[Sequence[int]], what: str) -> list[Sequence[int]]:
    """`batch` as a list of id sequences; InvalidInputError for a flat list or a non-sequence."""
    if isinstance(batch, torch.Tensor) or hasattr(batch, "ndim"):  # torch tensor or numpy array
        if batch.ndim != 2:
            raise InvalidInputError(f"{what} must be 2-dimensional [B, L], got shape {tuple(batch.shape)}")
        return list(batch.tolist())
    if isinstance(batch, str | bytes) or not isinstance(batch, Sequence):
        raise InvalidInputError(f"{what} must be a list of id sequences, got {type(batch).__name__}")
    if any(isinstance(item, int) for item in batch):
        raise InvalidInputError(
            f"{what} must be a list of id sequences (a list of lists), not a flat list of ids"
        )
    return list(batch)


def _check_sampling(
    max_new_tokens: int,
    temperature: float,
    top_k: int,
    top_p: float,
    min_new_tokens: int,
    batch_size: int,
    seed: int | None,
) -> None:
    """Raise InvalidInputError naming the first out-of-range sampling argument."""

    def is_int(x: object) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    def is_num(x: object) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)

    if not is_int(max_new_tokens) or max_new_tokens < 1:
        raise InvalidInputError(f"max_new_tokens must be an int >= 1, got {max_new_tokens!r}")
    if not is_int(min_new_tokens) or not 0 <= min_new_tokens <= max_new_tokens:
        raise InvalidInputError(
            f"min_new_tokens must be an int in [0, max_new_tokens={max_new_tokens}], got {min_new_tokens!r}"
        )
    if not is_num(temperature) or temperature < 0:
        raise InvalidInputError(f"temperature must be a finite number >= 0 (0 = greedy), got {temperature!r}")
    if not is_int(top_k) or top_k < 0:
        raise InvalidInputError(f"top_k must be an int >= 0 (0 = off), got {top_k!r}")
    if not is_num(top_p) or not 0 < top_p <= 1:
        raise InvalidInputError(f"top_p must be in (0, 1] (1.0 = off), got {top_p!r}")
    if not is_int(batch_size) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if seed is not None and not is_int(seed):
        raise InvalidInputError(f"seed must be an int or None, got {seed!r}")
