"""A first-pass screen in front of a MiniLM head: MiniLM's own input layer (word-piece, position
and type embeddings, LayerNorm, mean-pooled) and a one-hidden-layer network, trained to tell
whether the head would score a text at or above 0.2 (distillation from the head, no labels).

Embedding a sentence with all six MiniLM layers costs milliseconds; its input layer costs
microseconds (a table lookup, computed here in numpy). A chunk whose screen logit lies under the
screen's cut for the threshold is taken as clearly under the threshold and never embedded; every
other chunk goes to MiniLM as before. So the screen can only change scores that were under the
threshold anyway, or miss a chunk the head would have flagged: how often that happens (per
threshold and data set, on held-out data) is measured by the screen's build script and written to
its JSON beside the weights; the model card reads it from there.

A second screen further up (MiniLM's layer 1 or 2, the passes stopped there and resumed for the
units it leaves) was measured and dropped: distilled from the toxicity head the same way, on
build_screen.py's test part (11,201 units) at the same miss goal, it cleared 25-29 % (layer 2) and
16-18 % (layer 1) of the unflagged units the input-layer screen leaves, at thresholds 0.2 and 0.5;
a unit would then cost 2 + 4 x 0.73 layers instead of 6, at best 18 % less, before the injection
model's own needs. Richer cheap features were measured on the same test part for the toxicity
screen (2026-12-05, refitted at the same miss goal; cleared share of the units the head leaves
under 0.5, against 73.6 % for the mean alone): max-pooled input-layer vectors beside the mean
74.1 %, a hashed word and character n-gram logistic logit stacked in 74.9 %, the n-gram model
alone 55.0 %. Too little to carry, so dropped.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

from genguard.errors import ModelLoadError
from genguard.scoring.linear_head import sigmoid

MAX_TOKENS = 256  # as the embedder truncates
CACHE_ROWS = 8192
"""Input-layer vectors kept per encoder (text -> 384 floats, 1.5 KB each): the toxicity and the
injection screens look at the same chunks of a text, so the second gets them from the first."""
_EPS = 1e-12  # MiniLM's layer_norm_eps


class InputLayer:
    """MiniLM's embedding layer in numpy: (n, 384) mean-pooled, L2-normalised vectors per text.
    The last CACHE_ROWS texts' vectors are kept (use `shared_input_layer` for one per encoder)."""

    def __init__(self, folder: Path) -> None:
        from safetensors import safe_open
        from tokenizers import Tokenizer

        names = (
            "embeddings.word_embeddings.weight",
            "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight",
            "embeddings.LayerNorm.bias",
        )
        with safe_open(Path(folder) / "model.safetensors", framework="np") as f:  # the input layer only
            tensors = {name: f.get_tensor(name) for name in names}
        self.words = tensors["embeddings.word_embeddings.weight"]
        # Every text has token type 0, so its row folds into the position table.
        self.positions = (
            tensors["embeddings.position_embeddings.weight"]
            + tensors["embeddings.token_type_embeddings.weight"][0]
        )
        self.gamma = tensors["embeddings.LayerNorm.weight"]
        self.beta = tensors["embeddings.LayerNorm.bias"]
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the gateway's worker threads share one layer

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._vectors(texts)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _vectors(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.words.shape[1]), np.float32)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            hit = self._cache.get(text)
            if hit is None:
                todo.setdefault(text, []).append(i)
            else:
                out[i] = hit
        for text, enc in zip(todo, self.tokenizer.encode_batch(list(todo)) if todo else [], strict=True):
            ids = np.asarray(enc.ids)
            x = self.words[ids] + self.positions[: len(ids)]
            x = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + _EPS)
            v = (x * self.gamma + self.beta).mean(0)
            v /= max(float(np.linalg.norm(v)), 1e-12)
            out[todo[text]] = v
            self._cache[text] = v
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        return out


_SHARED: dict[Path, InputLayer] = {}


def shared_input_layer(folder: Path) -> InputLayer:
    """One InputLayer (and its cache) per encoder folder, for every screen in the process."""
    if folder not in _SHARED:
        _SHARED[folder] = InputLayer(folder)
    return _SHARED[folder]


def clear_input_caches() -> None:
    """Forget every remembered input-layer vector (benchmarks start each run cold)."""
    for layer in _SHARED.values():
        layer.clear_cache()


class Screen:
    """Screen logit per text, and which texts are clearly under a threshold.

    The network: 384 input-layer features -> `hidden` ReLU units -> one logit; `cuts` maps each
    threshold it was calibrated for (as a string, "0.5") to the logit under which a text is cleared.
    """

    def __init__(
        self, tensors: dict[str, np.ndarray], cuts: dict[str, float], config: dict, folder: Path
    ) -> None:
        self.w1, self.b1 = tensors["w1"].astype(np.float32), tensors["b1"].astype(np.float32)
        self.w2, self.b2 = tensors["w2"].astype(np.float32), tensors["b2"].astype(np.float32)
        self.cuts = {float(k): float(v) for k, v in cuts.items()}
        self.config = config
        self.encoder_folder = folder

    @property
    def input_layer(self) -> InputLayer:
        return shared_input_layer(Path(self.encoder_folder))

    def logits(self, texts: list[str]) -> np.ndarray:
        """The screen's logit for each (prepared) text: higher = more likely the head flags it."""
        if not texts:
            return np.zeros(0, np.float32)
        return self.network(self.input_layer(texts))

    def network(self, features: np.ndarray) -> np.ndarray:
        """The logit for each row of InputLayer features."""
        return np.maximum(features @ self.w1 + self.b1, 0.0) @ self.w2 + self.b2

    def cut(self, threshold: float) -> float | None:
        """The logit under which a text is cleared for `threshold`: the cut of the highest
        calibrated threshold at or under it (a cut safe for 0.5 is safe for 0.7); None when
        `threshold` is under every calibrated one (nothing is cleared)."""
        safe = [t for t in self.cuts if t <= threshold]
        return self.cuts[max(safe)] if safe else None

    def stand_ins(self, texts: list[str], threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """(cleared mask, scores) per (prepared) text: where the screen clears a text for
        `threshold`, a stand-in for the head's score that keeps the screen's order but stays
        under half the threshold, threshold x sigmoid(logit - cut); 0 elsewhere (embed those)."""
        scores = np.zeros(len(texts))
        cut = self.cut(threshold)
        if cut is None or not texts:
            return np.zeros(len(texts), bool), scores
        logits = self.logits(texts)
        cleared = logits < cut
        scores[cleared] = threshold * sigmoid(logits[cleared] - cut)
        return cleared, scores

    def save(self, folder: Path) -> None:
        save_file({"w1": self.w1, "b1": self.b1, "w2": self.w2, "b2": self.b2}, folder / "screen.safetensors")
        config = {**self.config, "cuts": {str(k): v for k, v in self.cuts.items()}}
        (folder / "screen.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, encoder_folder: Path) -> Screen | None:
        """The screen saved in `folder`, or None where the model has none."""
        if not (folder / "screen.json").exists():
            return None
        try:
            config = json.loads((folder / "screen.json").read_text(encoding="utf-8"))
            return cls(load_file(folder / "screen.safetensors"), config["cuts"], config, encoder_folder)
        except (OSError, KeyError, ValueError, SafetensorError) as exc:
            raise ModelLoadError(f"cannot load the screen in {folder} ({exc})") from exc


@lru_cache(maxsize=8)
def packaged_screen(folder: Path, encoder_folder: Path) -> Screen | None:
    """The screen saved in a model folder (loaded once per folder), or None where it has none."""
    return Screen.load(folder, encoder_folder)
