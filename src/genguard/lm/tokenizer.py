"""`HFTokenizer`: a transformers tokenizer behind genguard's Tokenizer interface, named by a hash
of what maps text to ids so that one vocabulary has one id wherever its files came from."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from genguard.errors import InvalidInputError, ModelLoadError
from genguard.lm.base import Tokenizer
from genguard.lm.checks import check_batch, check_texts, reason
from genguard.lm.loading import display_name, load_hint, quiet_transformers

# Names of vocabularies genguard knows, by vocab_hash: a tokenizer loaded without an explicit
# name (a local folder, a GGUF file) gets this name, so its tokenizer_id is the same wherever
# the files came from. The SmolLM2 family (135M, 360M, 1.7B) shares one vocabulary.
KNOWN_VOCABULARIES: dict[str, str] = {
    "67966a898ec240ba26e285d38d43287078681c5660ce3bf9b59fe5199f79e442": "HuggingFaceTB/SmolLM2-135M-Instruct",
}


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
                f"could not load a tokenizer from {where}: {reason(exc)}. {load_hint(path_or_id, gguf_file)}."
            ) from exc
        tokenizer = cls(tok, name=name)
        if name is None and tokenizer.vocab_hash not in KNOWN_VOCABULARIES:
            tokenizer._name = Path(gguf_file).stem if gguf_file else display_name(path_or_id)
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
        texts = check_texts(texts, "texts")
        if not texts:
            return []
        return [list(ids) for ids in self.hf_tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def decode(self, ids: Sequence[Sequence[int]]) -> list[str]:
        """Text of each id sequence with special tokens dropped; spaces are not "cleaned up", so
        decode(encode(t)) == t for byte-level tokenizers. Returns one string per sequence."""
        seqs = [self._check_ids(seq) for seq in check_batch(ids, "ids")]
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
