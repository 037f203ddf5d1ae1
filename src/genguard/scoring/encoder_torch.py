"""The MiniLM encoder on torch, written out as its functional operations.

transformers' BertModel wraps each of the 6 layers' ~15 operations in module calls, output
capturing, keyword deprecation shims and a signature inspection per layer; for one short prompt
that wrapping cost more than the arithmetic (guard_speed, one 32-word-piece prompt, bf16: 9.6 ms
per pass through BertModel with pooling hooks, 5.2-6.7 ms here). The operations, their order and
their dtypes are BertModel's own (embedding sums, LayerNorm, linear projections, scaled-dot-product
attention with a boolean padding mask, exact GELU), so the pooled features are bit-identical to it
(checked on 1,088 guard_speed chunks in bf16: max |difference| 0.0; tests/scoring/test_encoder_torch.py
checks it on every run). It also stops after the highest layer asked for.

In bfloat16 the linear layers run on weights reordered once for oneDNN (`prepacked_linear`) instead
of F.linear, which reorders them on every call, and the query, key and value projections are one
product: one single prompt's pass (one thread, idle CPU) took 6.7-7.0 ms instead of 9.0-10.5, and
stacking q, k and v saved about another 10 %. The
results are the same bits (checked when the encoder is built, else it keeps F.linear; the tests
compare with BertModel; 3,800 tweets, paragraphs and long-text chunks, layers 1-6: max |difference|
0.0). Speed: README's guard speed table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

HEADS = 12
HEAD_DIM = 32
DIM = HEADS * HEAD_DIM
EPS = 1e-12  # MiniLM's layer_norm_eps


class TorchEncoder:
    """MiniLM's weights (in the loaded model's dtype) and forward passes that return pooled layers:
    `packed` (what the embedder runs) and `pooled` (one text per row, padded: BertModel's own
    inputs, which the tests compare with BertModel bit for bit)."""

    def __init__(self, model: torch.nn.Module) -> None:
        """`model`: a loaded transformers BertModel (all-MiniLM-L6-v2); its weights are shared, not copied."""
        w = {k: v.detach() for k, v in model.state_dict().items()}
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.type0 = w["embeddings.token_type_embeddings.weight"][0]  # every text is token type 0
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers: list[dict[str, tuple[torch.Tensor, torch.Tensor]]] = []
        for i in range(len(model.encoder.layer)):

            def pair(name: str, i: int = i) -> tuple[torch.Tensor, torch.Tensor]:
                return w[f"encoder.layer.{i}.{name}.weight"], w[f"encoder.layer.{i}.{name}.bias"]

            self.layers.append(
                {
                    "q": pair("attention.self.query"),
                    "k": pair("attention.self.key"),
                    "v": pair("attention.self.value"),
                    "out": pair("attention.output.dense"),
                    "norm1": pair("attention.output.LayerNorm"),
                    "up": pair("intermediate.dense"),
                    "down": pair("output.dense"),
                    "norm2": pair("output.LayerNorm"),
                }
            )
        self.linear: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor] = F.linear
        packed = prepacked_linear(self.layers) if self.words.dtype == torch.bfloat16 else None
        if packed is not None:
            self.layers, self.linear = packed, _mkldnn_linear

    @property
    def prepacked(self) -> bool:
        """Whether the linear layers run on oneDNN's reordered weights (`prepacked_linear`)."""
        return self.linear is _mkldnn_linear

    def pooled(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, layers: Sequence[int]
    ) -> np.ndarray:
        """(rows, 384 * len(layers)) float32: per requested layer (0 = embeddings, 6 = last), the
        mask-weighted mean of its token states, L2-normalised; layers side by side in the order asked."""
        rows, length = input_ids.shape
        mask = attention_mask.unsqueeze(-1).float()
        count = mask.sum(1).clamp(min=1.0)
        wanted = self._wanted(layers)
        pooled: dict[int, torch.Tensor] = {}

        def keep(k: int, states: torch.Tensor) -> None:
            if k in wanted:
                pooled[k] = F.normalize((states.float() * mask).sum(1) / count, dim=-1)

        positions = torch.arange(length).expand(rows, length)
        attend = attention_mask.bool()[:, None, None, :].expand(rows, 1, length, length)
        self._forward(input_ids, positions, attend, max(wanted), keep)
        return torch.cat([pooled[k] for k in layers], 1).numpy()

    def packed(
        self,
        token_ids: Sequence[Sequence[int]],
        rows: Sequence[Sequence[int]],
        row_len: int,
        layers: Sequence[int],
    ) -> np.ndarray:
        """(len(token_ids), 384 * len(layers)) float32, as `pooled` gives for each text alone, with
        several texts packed into each row of `row_len` word pieces (`rows[r]`: the indices of the
        texts in row r, in order; see `pack_rows`). Positions restart at each text and a word piece
        attends only to its own text's, so the arithmetic per text is the unpacked one; in bf16 the
        rounding still depends on the pass's shape (see genguard.scoring.embedder).

        Why pack: a pass padded to its longest text, texts of 5 to 60 word pieces, computes up to
        three times the word pieces it needs (guard_speed's ordinary traffic: 58,400 padded for
        18,879 real); packed rows are about 98 % full."""
        wanted = self._wanted(layers)
        n = len(token_ids)
        ids = np.zeros((len(rows), row_len), np.int64)
        positions = np.zeros((len(rows), row_len), np.int64)
        owner = np.full((len(rows), row_len), -1, np.int64)  # the text of each word piece; -1: padding
        for r, members in enumerate(rows):
            at = 0
            for i in members:
                k = len(token_ids[i])
                if at + k > row_len:
                    raise ValueError(f"row {r} holds more than {row_len} word pieces")
                ids[r, at : at + k] = token_ids[i]
                positions[r, at : at + k] = np.arange(k)
                owner[r, at : at + k] = i
                at += k
        segment = torch.from_numpy(owner)
        # Padding pieces attend to each other (a row of them alone would attend to nothing: NaN).
        attend = (segment[:, :, None] == segment[:, None, :])[:, None]
        flat = segment.reshape(-1)
        real = flat >= 0
        where = flat[real]
        count = torch.zeros(n).index_add_(0, where, torch.ones(len(where))).clamp(min=1.0)
        pooled: dict[int, torch.Tensor] = {}

        def keep(k: int, states: torch.Tensor) -> None:
            if k in wanted:
                total = torch.zeros(n, DIM).index_add_(0, where, states.float().reshape(-1, DIM)[real])
                pooled[k] = F.normalize(total / count[:, None], dim=-1)

        self._forward(torch.from_numpy(ids), torch.from_numpy(positions), attend, max(wanted), keep)
        return torch.cat([pooled[k] for k in layers], 1).numpy()

    def _wanted(self, layers: Sequence[int]) -> set[int]:
        wanted = set(layers)
        if not wanted or min(wanted) < 0 or max(wanted) > len(self.layers):
            raise ValueError(f"layers must lie in 0-{len(self.layers)}, got {list(layers)}")
        return wanted

    def _forward(
        self,
        input_ids: torch.Tensor,
        positions: torch.Tensor,
        attend: torch.Tensor,
        top: int,
        keep: Callable[[int, torch.Tensor], None],
    ) -> None:
        """Layers 0 to `top`, each layer's token states handed to `keep(k, states)` as it finishes."""
        rows, length = input_ids.shape
        # BertEmbeddings' order of sums: (word + token type) + position.
        x = F.embedding(input_ids, self.words) + self.type0
        x = F.layer_norm(x + F.embedding(positions, self.positions), (DIM,), *self.norm, EPS)
        keep(0, x)
        heads = (rows, length, HEADS, HEAD_DIM)
        linear = self.linear
        for k, w in enumerate(self.layers[:top], start=1):
            if "qkv" in w:  # one product for the three projections (prepacked_linear)
                q, key, v = linear(x, *w["qkv"]).view(rows, length, 3, HEADS, HEAD_DIM).permute(2, 0, 3, 1, 4)
            else:
                q = linear(x, *w["q"]).view(heads).transpose(1, 2)
                key = linear(x, *w["k"]).view(heads).transpose(1, 2)
                v = linear(x, *w["v"]).view(heads).transpose(1, 2)
            a = F.scaled_dot_product_attention(q, key, v, attn_mask=attend, scale=HEAD_DIM**-0.5)
            a = a.transpose(1, 2).contiguous().reshape(rows, length, DIM)
            h = F.layer_norm(linear(a, *w["out"]) + x, (DIM,), *w["norm1"], EPS)
            up = F.gelu(linear(h, *w["up"]))
            x = F.layer_norm(linear(up, *w["down"]) + h, (DIM,), *w["norm2"], EPS)
            keep(k, x)


# Shapes the reordered weights are checked on: one word piece, a single prompt, and a full pass.
_PROBE_SHAPES = ((1, 1), (1, 37), (4, 256))


def _mkldnn_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", [], "")


def prepacked_linear(
    layers: list[dict[str, tuple[torch.Tensor, torch.Tensor]]],
) -> list[dict[str, tuple[torch.Tensor, torch.Tensor]]] | None:
    """`layers` with the query, key and value weights stacked into one ("qkv") and every linear
    weight reordered for oneDNN (torch.ops.mkldnn, what torch's own compiler uses for CPU linears),
    for `_mkldnn_linear`. None where this torch lacks the ops or their output differs in any bit
    from F.linear's (q, k and v apart) on random inputs of `_PROBE_SHAPES` (the first layer's
    weights: the kernel oneDNN picks depends on shapes, which every layer shares), so that the
    encoder keeps F.linear rather than change the features every head was trained on."""
    if not torch.backends.mkldnn.is_available():
        return None
    generator = torch.Generator().manual_seed(0)
    out = []
    try:
        for i, w in enumerate(layers):
            parts = {"qkv": ("q", "k", "v"), "out": ("out",), "up": ("up",), "down": ("down",)}
            packed = {"norm1": w["norm1"], "norm2": w["norm2"]}
            for name, sources in parts.items():
                weight = torch.cat([w[k][0] for k in sources])
                packed[name] = (
                    torch.ops.mkldnn._reorder_linear_weight(weight, 1),
                    torch.cat([w[k][1] for k in sources]),
                )
                for shape in _PROBE_SHAPES if i == 0 else ():
                    x = torch.randn(*shape, weight.shape[1], generator=generator).to(weight.dtype)
                    expected = torch.cat([F.linear(x, *w[k]) for k in sources], -1)
                    if not torch.equal(_mkldnn_linear(x, *packed[name]), expected):
                        return None
            out.append(packed)
    except (AttributeError, RuntimeError):  # ops missing or refusing this dtype
        return None
    return out


def pack_rows(lengths: Sequence[int], row_len: int) -> list[list[int]]:
    """Text indices per row, so that no row holds more than `row_len` word pieces: best fit by
    decreasing length (each text into the row it leaves least room in), rows about 98 % full on
    sentence chunks. Every length must lie in 1..row_len."""
    rows: list[list[int]] = []
    by_room: list[list[int]] = [[] for _ in range(row_len + 1)]  # room left -> rows with that room
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        k = int(lengths[i])
        if not 0 < k <= row_len:
            raise ValueError(f"text {i} has {k} word pieces; rows hold 1 to {row_len}")
        room = next((r for r in range(k, row_len + 1) if by_room[r]), None)
        if room is None:
            rows.append([i])
            by_room[row_len - k].append(len(rows) - 1)
        else:
            r = by_room[room].pop()
            rows[r].append(i)
            by_room[room - k].append(r)
    return rows
