"""The base of the project's learned heads: logistic regression over MiniLM features of chosen layers.

A head is a weight vector and a bias over the features `SentenceEmbedder.embed(texts,
layers=head.layers)` returns, plus a JSON config (its name, threshold, training figures), saved
in a folder as `head.safetensors` and `config.json`. The toxicity model (`ToxicityHead`, which
adds per-category heads) and the prompt-injection model (`InjectionHead`) share this code;
subclasses add tensors through `extra_tensors` and read them back in `from_saved`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Self

import numpy as np
from safetensors.numpy import load_file, save_file

from genguard.errors import ModelLoadError

__all__ = ["LinearHead", "sigmoid"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) elementwise, in z's dtype (the formula the heads have always used, so that
    scores stay bit-identical). exp overflows to inf for z < -709 (float64) and the result is then
    exactly 0, its limit, so the overflow is not warned about."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


class LinearHead:
    """P(positive) = sigmoid(features @ weight + bias) over MiniLM features of `layers`.

    `config` must hold "threshold" (the decision threshold the scorer uses by default); `save`
    adds "layers". Subclasses set `what` and `written_by` (for load errors) and may carry more
    tensors (`extra_tensors`, `extra_config`, `from_saved`).
    """

    what = "a linear head"
    written_by = "its build script"

    def __init__(self, weight: np.ndarray, bias: float, layers: Sequence[int], config: dict) -> None:
        self.weight = np.asarray(weight, dtype=np.float32)
        self.bias = float(bias)
        self.layers = tuple(int(k) for k in layers)
        self.config = config

    @property
    def threshold(self) -> float:
        """The model's own decision threshold (from config.json)."""
        return float(self.config["threshold"])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(positive) in [0, 1] for each row of `SentenceEmbedder.embed(..., layers=self.layers)`."""
        return sigmoid(features @ self.weight + self.bias)

    def extra_tensors(self) -> dict[str, np.ndarray]:
        """Tensors a subclass saves beside weight and bias (none here)."""
        return {}

    def extra_config(self) -> dict:
        """Config entries a subclass adds when saving (none here)."""
        return {}

    def save(self, folder: Path) -> None:
        """Write head.safetensors and config.json into `folder` (created if missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        tensors = {"weight": self.weight, "bias": np.array([self.bias], np.float32)}
        save_file(tensors | self.extra_tensors(), folder / "head.safetensors")
        config = {**self.config, "layers": list(self.layers), **self.extra_config()}
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def from_saved(cls, tensors: Mapping[str, np.ndarray], config: dict) -> Self:
        """The head from what `save` wrote; ValueError or KeyError when something is missing or wrong."""
        return cls(tensors["weight"], float(tensors["bias"][0]), config["layers"], config)

    @classmethod
    def load(cls, folder: Path) -> Self:
        """The head saved in `folder`; ModelLoadError saying what is missing or wrong."""
        try:
            tensors = load_file(folder / "head.safetensors")
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            return cls.from_saved(tensors, config)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelLoadError(
                f"cannot load {cls.what} from {folder} ({exc}); it needs head.safetensors and "
                f"config.json as written by {cls.written_by}"
            ) from exc
