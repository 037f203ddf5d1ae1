"""The ONNX Runtime encoder: the exported graph computes the torch embedder's features (fp32),
int8 stays close to them, and the embedder selects a runtime by name."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genguard.scoring.embedder import DIM, SentenceEmbedder
from genguard.scoring.encoder_onnx import cache_dir, model_key

from .test_embedder import mixed_texts

pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def reference() -> SentenceEmbedder:
    return SentenceEmbedder(dtype=torch.float32)


def cosines(a: np.ndarray, b: np.ndarray, layers: int) -> np.ndarray:
    return np.stack(
        [(a[:, k * DIM : (k + 1) * DIM] * b[:, k * DIM : (k + 1) * DIM]).sum(1) for k in range(layers)]
    )


def test_fp32_graph_gives_the_torch_features(reference: SentenceEmbedder) -> None:
    onnx = SentenceEmbedder(runtime="onnx")
    assert onnx.runtime == "onnx" and "onnxruntime" in onnx.model_id and "fp32" in onnx.model_id
    texts = mixed_texts(30, seed=3)  # some beyond 256 word pieces: truncated alike
    layers = (0, 4, 6)
    got, want = onnx.embed(texts, layers=layers, token_budget=1024), reference.embed(texts, layers=layers)
    assert got.shape == want.shape == (30, 3 * DIM)
    assert cosines(got, want, 3).min() > 0.99999
    assert (cache_dir() / model_key(onnx.folder) / "pooled.fp32.onnx").exists()


def test_int8_stays_close(reference: SentenceEmbedder) -> None:
    int8 = SentenceEmbedder(runtime="onnx-int8")
    assert int8.runtime == "onnx-int8" and "int8" in int8.model_id
    texts = mixed_texts(30, seed=4)
    got, want = int8.embed(texts, layers=(4, 6)), reference.embed(texts, layers=(4, 6))
    # Measured on tweets and prose chunks: cosine 0.97-0.98 at worst (benchmarks/encoder_runtime.py).
    assert cosines(got, want, 2).min() > 0.95


def test_unknown_runtime_is_refused() -> None:
    with pytest.raises(ValueError, match="onnx-int8"):
        SentenceEmbedder(runtime="tensorrt")
