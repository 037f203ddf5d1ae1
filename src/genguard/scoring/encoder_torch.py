"""The MiniLM encoder on torch, written out as its functional operations.

transformers' BertModel wraps each of the 6 layers' ~15 operations in module calls, output
capturing, keyword deprecation shims and a signature inspection per layer; for one short prompt
that wrapping cost more than the arithmetic (guard_speed, one 32-word-piece prompt, bf16: 9.6 ms
per pass through BertModel with pooling hooks, 5.2-6.7 ms here). The operations, their order and
their dtypes are BertModel's own (embedding sums, LayerNorm, linear projections, scaled-dot-product
attention with a boolean padding mask, exact GELU), so the pooled features are bit-identical to it
(checked on 1,088 guard_speed chunks in bf16: max |difference| 0.0; tests/scoring/test_encoder_torch.py
checks it on every run). It also stops after the highest layer asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

HEADS = 12
HEAD_DIM = 32
DIM = HEADS * HEAD_DIM
EPS = 1e-12  # MiniLM's layer_norm_eps


class TorchEncoder:
    """MiniLM's weights in `dtype` and a forward pass that returns pooled layers."""

    def __init__(self, model: torch.nn.Module) -> None:
        """`model`: a loaded transformers BertModel (all-MiniLM-L6-v2); its weights are shared, not copied."""
        w = {k: v.detach() for k, v in model.state_dict().items()}
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.type0 = w["embeddings.token_type_embeddings.weight"][0]  # every text is token type 0
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
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

    def pooled(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, layers: Sequence[int]
    ) -> np.ndarray:
        """(rows, 384 * len(layers)) float32: per requested layer (0 = embeddings, 6 = last), the
        mask-weighted mean of its token states, L2-normalised; layers side by side in the order asked."""
        rows, length = input_ids.shape
        mask = attention_mask.unsqueeze(-1).float()
        count = mask.sum(1).clamp(min=1.0)
        wanted = set(layers)
        if not wanted or min(wanted) < 0 or max(wanted) > len(self.layers):
            raise ValueError(f"layers must lie in 0-{len(self.layers)}, got {list(layers)}")
        pooled: dict[int, torch.Tensor] = {}

        def keep(k: int, states: torch.Tensor) -> None:
            if k in wanted:
                pooled[k] = F.normalize((states.float() * mask).sum(1) / count, dim=-1)

        # BertEmbeddings' order of sums: (word + token type) + position.
        x = F.embedding(input_ids, self.words) + self.type0
        x = F.layer_norm(x + self.positions[:length], (DIM,), *self.norm, EPS)
        keep(0, x)
        attend = attention_mask.bool()[:, None, None, :].expand(rows, 1, length, length)
        heads = (rows, length, HEADS, HEAD_DIM)
        for k, w in enumerate(self.layers[: max(wanted)], start=1):
            q = F.linear(x, *w["q"]).view(heads).transpose(1, 2)
            key = F.linear(x, *w["k"]).view(heads).transpose(1, 2)
            v = F.linear(x, *w["v"]).view(heads).transpose(1, 2)
            a = F.scaled_dot_product_attention(q, key, v, attn_mask=attend, scale=HEAD_DIM**-0.5)
            a = a.transpose(1, 2).contiguous().reshape(rows, length, DIM)
            h = F.layer_norm(F.linear(a, *w["out"]) + x, (DIM,), *w["norm1"], EPS)
            x = F.layer_norm(
                F.linear(F.gelu(F.linear(h, *w["up"])), *w["down"]) + h, (DIM,), *w["norm2"], EPS
            )
            keep(k, x)
        return torch.cat([pooled[k] for k in layers], 1).numpy()
