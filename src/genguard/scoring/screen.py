"""A first-pass screen in front of a MiniLM head: hashed character and word n-grams, one linear
layer, trained to predict the head's own logit (distillation, no labels).

Embedding a sentence with MiniLM costs milliseconds; hashing its n-grams costs microseconds. A
chunk whose predicted logit lies `margin` below the threshold's logit is taken as clearly under
the threshold and never embedded; every other chunk goes to MiniLM as before. So the screen can
only lower scores that were under the threshold anyway, or miss a chunk the head would have
flagged: how often that happens (per threshold, on held-out data) is measured by the screen's
build script and written to its JSON beside the weights; the model card reads it from there.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from genguard.errors import ModelLoadError

N_FEATURES = 2**17  # per analyser; two analysers -> 2**18 weights (512 KB in float16)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


class Screen:
    """Predicted head logit per text, and which texts are clearly under a threshold.

    `weight` has 2 * N_FEATURES entries: char_wb 2-5-grams, then word 1-2-grams, both hashed with
    scikit-learn's HashingVectorizer (MurmurHash3, signs kept, rows L2-normalised).
    """

    def __init__(self, weight: np.ndarray, bias: float, margin: float, config: dict) -> None:
        self.weight = np.asarray(weight, dtype=np.float32)
        self.bias = float(bias)
        self.margin = float(margin)
        self.config = config

    @cached_property
    def _vectorizers(self) -> tuple:
        from sklearn.feature_extraction.text import HashingVectorizer

        chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=N_FEATURES)
        words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=N_FEATURES)
        return chars, words

    def features(self, texts: list[str]):
        """(len(texts), 2 * N_FEATURES) sparse rows: the hashed n-grams of each (prepared) text."""
        from scipy.sparse import hstack

        chars, words = self._vectorizers
        return hstack([chars.transform(texts), words.transform(texts)]).tocsr()

    def logits(self, texts: list[str]) -> np.ndarray:
        """The predicted logit of the head's P(toxic) for each text (float32)."""
        if not texts:
            return np.zeros(0, np.float32)
        return np.asarray(self.features(texts) @ self.weight + self.bias, dtype=np.float32)

    def clear(self, texts: list[str], threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """(cleared, estimate) per text: cleared is True where the screen is sure the head would
        score the text under `threshold` (predicted logit + margin < logit(threshold)), so it
        needs no embedding; estimate is the predicted P(toxic), meaningful where cleared."""
        logits = self.logits(texts)
        return logits + self.margin < _logit(threshold), 1.0 / (1.0 + np.exp(-logits))

    def save(self, folder: Path) -> None:
        save_file({"weight": self.weight.astype(np.float16)}, folder / "screen.safetensors")
        config = {**self.config, "bias": self.bias, "margin": self.margin}
        (folder / "screen.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Screen | None:
        """The screen saved in `folder`, or None where the model has none."""
        if not (folder / "screen.json").exists():
            return None
        try:
            config = json.loads((folder / "screen.json").read_text(encoding="utf-8"))
            weight = load_file(folder / "screen.safetensors")["weight"]
            if weight.shape != (2 * N_FEATURES,):
                raise ValueError(f"weights of shape {weight.shape}, expected ({2 * N_FEATURES},)")
            return cls(weight, config["bias"], config["margin"], config)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelLoadError(f"cannot load the screen in {folder} ({exc})") from exc
