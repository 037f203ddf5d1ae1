"""Fitting a first-pass screen (genguard.scoring.screen) for any MiniLM head, by distillation.

Used by the models' build scripts (models/toxicity-minilm/build_screen.py,
models/injection-minilm/build_screen.py); nothing here runs when genguard scores text.

The teacher is the packaged head itself: every unit (a prepared chunk, as the scorer embeds it)
of the train, calibration and test parts is scored by the head, and the screen learns, from
MiniLM's input layer alone, whether the head scores the unit at or over `flag`. No labels are
used. The cut per threshold is chosen on the calibration part (at most `miss_goal` of the
calibration units the head flags fall under it); miss rates and cleared shares on the test part,
per threshold and source, go into the screen's JSON.

MiniLM features of every unit are cached on disk (`FeatureCache`), so a retrained head gets its
screen in minutes instead of re-embedding some 60,000 units.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from genguard.scoring.screen import InputLayer, Screen

__all__ = ["FeatureCache", "Part", "build", "fit_network", "miss_table"]

Part = tuple[list[str], list[str]]
"""(source of each unit, prepared unit text), in the same order."""


class FeatureCache:
    """MiniLM features (float32, as the embedder returns them) of prepared texts for fixed
    layers, kept in a folder as texts.json + features.npy; `features(texts)` embeds only the
    texts it has not seen."""

    def __init__(self, folder: Path, layers: Sequence[int]) -> None:
        self.folder = Path(folder) / ("layers-" + "-".join(str(k) for k in layers))
        self.layers = tuple(layers)
        self._rows: dict[str, int] = {}
        self._x = np.zeros((0, 0), np.float32)
        if (self.folder / "texts.json").exists():
            texts = json.loads((self.folder / "texts.json").read_text(encoding="utf-8"))
            self._x = np.load(self.folder / "features.npy")
            self._rows = {t: i for i, t in enumerate(texts)}

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), d) float32 features, embedding (and saving) the missing texts first."""
        from genguard.scoring.embedder import default_embedder

        missing = sorted(set(texts) - self._rows.keys())
        if missing:
            t0 = time.perf_counter()
            new = default_embedder().embed(missing, layers=self.layers).astype(np.float32)
            print(f"features: embedded {len(missing)} units in {time.perf_counter() - t0:.0f} s", flush=True)
            start = len(self._rows)
            self._x = new if not self._rows else np.concatenate([self._x, new])
            self._rows.update({t: start + i for i, t in enumerate(missing)})
            self.folder.mkdir(parents=True, exist_ok=True)
            np.save(self.folder / "features.npy", self._x)
            ordered = sorted(self._rows, key=self._rows.__getitem__)
            (self.folder / "texts.json").write_text(json.dumps(ordered), encoding="utf-8")
        return self._x[[self._rows[t] for t in texts]].astype(np.float32)


def miss_table(teacher: np.ndarray, logits: np.ndarray, cuts: dict[float, float]) -> dict[str, dict]:
    """Per threshold: units the head flags, how many of them the screen would clear (missed), and
    the share of the units under the threshold that the screen clears."""
    table = {}
    for t, cut in cuts.items():
        flagged = teacher >= t
        cleared = logits < cut
        table[str(t)] = {
            "flagged_by_head": int(flagged.sum()),
            "missed": int((flagged & cleared).sum()),
            "miss_rate": float((flagged & cleared).sum() / max(flagged.sum(), 1)),
            "cleared_share_of_unflagged": float(cleared[~flagged].mean()) if (~flagged).any() else None,
        }
    return table


def fit_network(x: np.ndarray, y: np.ndarray, hidden: int, epochs: int = 40) -> dict[str, np.ndarray]:
    """A d -> hidden -> 1 ReLU network fitted with torch (Adam, batches of 512, seed 0), as tensors."""
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-5)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.float32))
    loss = torch.nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        for idx in torch.randperm(len(xt), generator=gen).split(512):
            opt.zero_grad()
            loss(net(xt[idx])[:, 0], yt[idx]).backward()
            opt.step()
    first, last = net[0], net[2]
    return {
        "w1": first.weight.detach().numpy().T.copy(),
        "b1": first.bias.detach().numpy().copy(),
        "w2": last.weight.detach().numpy()[0].copy(),
        "b2": last.bias.detach().numpy().copy(),
    }


def build(
    parts: dict[str, Part],
    teacher: Callable[[list[str]], np.ndarray],
    *,
    thresholds: Sequence[float],
    flag: float,
    miss_goal: float,
    hidden: int,
    out: Path,
    config: dict,
    invariant_pairs: tuple[list[str], list[str]] | None = None,
    directions: int = 8,
) -> dict:
    """Fit, calibrate and save a screen into `out` (screen.safetensors, screen.json).

    `parts` holds "train", "cal" and "test"; `teacher(texts)` gives the head's P(positive) per
    prepared unit. `invariant_pairs` (texts, the same texts changed in a way the screen must
    ignore, e.g. gender words swapped): the top `directions` principal directions of their
    input-layer differences are projected out of the features before fitting and folded into
    the first layer's weights, so the saved screen reads raw features as before. Returns the
    screen's JSON config (with "calibration", "test" and "test_by_source" miss tables)."""
    from genguard.scoring.embedder import default_embedder

    probs = {k: teacher(v[1]) for k, v in parts.items()}
    folder = Path(default_embedder().folder)
    layer = InputLayer(folder)
    t0 = time.perf_counter()
    x = {k: layer(v[1]) for k, v in parts.items()}
    rate = sum(len(v[1]) for v in parts.values()) / (time.perf_counter() - t0)
    basis = np.zeros((layer.words.shape[1], 0), np.float32)
    if invariant_pairs is not None and invariant_pairs[0]:
        diffs = layer(invariant_pairs[1]) - layer(invariant_pairs[0])
        basis = np.linalg.svd(diffs, full_matrices=False)[2][:directions].T.astype(np.float32)
        x = {k: v - (v @ basis) @ basis.T for k, v in x.items()}
    tensors = fit_network(x["train"], (probs["train"] >= flag).astype(np.int64), hidden)
    tensors["w1"] = tensors["w1"] - basis @ (basis.T @ tensors["w1"])  # the projection, folded in
    screen = Screen(tensors, {}, {}, folder)
    logits = {k: screen.network(rows) for k, rows in x.items()}
    cuts = {}
    for t in thresholds:
        flagged = probs["cal"] >= t
        cuts[t] = float(np.quantile(logits["cal"][flagged], miss_goal)) if flagged.any() else float("-inf")
    sources = np.array(parts["test"][0])
    per_source = {
        name: miss_table(probs["test"][sources == name], logits["test"][sources == name], cuts)
        for name in sorted(set(sources))
    }
    config = {
        **config,
        "features": "MiniLM input layer (word-piece, position, type embeddings; LayerNorm), mean-pooled",
        "network": f"384 -> {hidden} ReLU -> 1, tells head P >= {flag} (torch Adam, seed 0)",
        "cut_rule": f"per threshold: the {miss_goal:.2%} quantile of calibration units the head flags",
        "units": {k: len(v[1]) for k, v in parts.items()},
        "directions_removed": {
            "count": int(basis.shape[1]),
            "pairs": len(invariant_pairs[0]) if invariant_pairs else 0,
        },
        "input_layer_texts_per_s": round(rate),
        "calibration": miss_table(probs["cal"], logits["cal"], cuts),
        "test": miss_table(probs["test"], logits["test"], cuts),
        "test_by_source": per_source,
    }
    Screen(tensors, {str(k): v for k, v in cuts.items()}, config, folder).save(out)
    return config


def print_summary(config: dict) -> None:
    """The calibration and test tables, then (missed, flagged, cleared share) per test source."""
    print(
        json.dumps(
            {k: config[k] for k in ("units", "input_layer_texts_per_s", "calibration", "test")}, indent=2
        )
    )
    for name, table in config["test_by_source"].items():
        summary = {
            t: (r["missed"], r["flagged_by_head"], round(r["cleared_share_of_unflagged"] or 0, 3))
            for t, r in table.items()
        }
        print(name, summary)
