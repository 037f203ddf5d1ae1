"""Train the toxicity model's first-pass screen (genguard.scoring.screen) by distillation.

The teacher is the packaged head itself (head.safetensors): every chunk of every text below is
scored by it exactly as ToxicityScorer scores chunks, and the screen learns, from MiniLM's input
layer alone, whether the head scores the chunk >= 0.2. No labels are used, so any text may teach,
but the splits still matter for the miss rates: texts are split as the head's own training was
(Davidson, written.yaml, BOLD train domains: 80/10/10 with build.py's seed), Tiny Shakespeare by
position (first 80 % / next 10 % / last 10 %), and the test part also holds what neither model
ever saw: BOLD's gender and race domains, the project's held-out register and probe sets, the
held-out injection prompts.

The cut per threshold is chosen on the calibration part: at most MISS_GOAL of the calibration
chunks the head scores at or over the threshold fall under it. Miss rates and cleared shares on
the test part, per threshold and source, go into screen.json.

Usage: python models/toxicity-minilm/build_screen.py  (about 15 minutes on 2 cores; the teacher's
scores are cached in benchmarks/.cache/screen_teacher.npz)
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / "benchmarks" / ".cache" / "screen_teacher.npz"
DATA = ROOT / "benchmarks" / "data"
THRESHOLDS = (0.2, 0.5, 0.7, 0.9)  # the policies' toxicity thresholds
MISS_GOAL = 0.005
FLAG = 0.2  # the network learns "head P(toxic) >= 0.2", the lowest threshold a policy uses
HIDDEN = 64


def _build():
    spec = importlib.util.spec_from_file_location("toxicity_build", HERE / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _jsonl(path: Path) -> list[dict]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if "text" in r]


def texts_by_part() -> dict[str, list[tuple[str, str]]]:
    """(source, text) pairs for the train, cal and test parts."""
    from genguard.datasets import bold_wikipedia_sentences, shakespeare_text
    from genguard.guard.train import split_indices

    build = _build()
    parts: dict[str, list[tuple[str, str]]] = {"train": [], "cal": [], "test": []}
    for source in build.sources():
        if source.role == "train":
            parts["train"] += [(source.name, t) for t in source.texts]
            continue
        for part, idx in zip(parts, split_indices(source.labels, build.SEED), strict=True):
            parts[part] += [(source.name, source.texts[i]) for i in idx]
    lines = [x for x in shakespeare_text().split("\n\n") if x.strip()]
    a, b = int(0.8 * len(lines)), int(0.9 * len(lines))
    for part, block in zip(parts, (lines[:a], lines[a:b], lines[b:]), strict=True):
        parts[part] += [("shakespeare", t) for t in block]
    for row in _jsonl(DATA / "injection_prompts.jsonl"):
        parts["train" if row.get("split") == "dev" else "test"].append(("injection-prompts", row["text"]))
    rng = np.random.default_rng(0)
    held = bold_wikipedia_sentences(build.BOLD_HELD_OUT_DOMAINS)
    parts["test"] += [("bold-gender-race", held[i]) for i in rng.choice(len(held), 3000, replace=False)]
    for name in (
        "toxicity_registers_test",
        "toxicity_probe",
        "injection_heldout_attacks",
        "injection_heldout_benign",
    ):
        parts["test"] += [(name, r["text"]) for r in _jsonl(DATA / f"{name}.jsonl")]
    return parts


def chunks_and_teacher(
    parts: dict[str, list[tuple[str, str]]],
) -> dict[str, tuple[list[str], list[str], np.ndarray]]:
    """Per part: the source of each chunk, the prepared chunk text, and the head's logit."""
    from genguard.scoring.toxicity import ToxicityScorer, chunk_spans, prepare

    out = {}
    cached = dict(np.load(CACHE, allow_pickle=True)) if CACHE.exists() else {}
    tox = ToxicityScorer()
    for part, rows in parts.items():
        sources, texts = [], []
        for source, text in rows:
            for s, e in chunk_spans(text):
                sources.append(source)
                texts.append(prepare(text[s:e]))
        if f"{part}_logit" in cached and list(cached[f"{part}_text"]) == texts:
            logit = cached[f"{part}_logit"]
        else:
            t0 = time.perf_counter()
            p = tox.head.probabilities(tox.embedder.embed(texts, layers=tox.head.layers))
            p = np.clip(p, 1e-7, 1 - 1e-7)
            logit = np.log(p / (1 - p)).astype(np.float32)
            print(f"teacher: {part} {len(texts)} chunks in {time.perf_counter() - t0:.0f} s", flush=True)
        out[part] = (sources, texts, logit)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        CACHE,
        **{f"{k}_text": np.array(v[1], dtype=object) for k, v in out.items()},
        **{f"{k}_logit": v[2] for k, v in out.items()},
    )
    return out


def miss_table(teacher: np.ndarray, logits: np.ndarray, cuts: dict[float, float]) -> dict[str, dict]:
    """Per threshold: chunks the head flags, how many the screen would clear (missed), and the
    share of the chunks under the threshold that the screen clears."""
    table = {}
    for t, cut in cuts.items():
        flagged = teacher >= float(np.log(t / (1 - t)))
        cleared = logits < cut
        table[str(t)] = {
            "flagged_by_head": int(flagged.sum()),
            "missed": int((flagged & cleared).sum()),
            "miss_rate": float((flagged & cleared).sum() / max(flagged.sum(), 1)),
            "cleared_share_of_unflagged": float(cleared[~flagged].mean()) if (~flagged).any() else None,
        }
    return table


def fit_network(x: np.ndarray, y: np.ndarray, epochs: int = 40) -> dict[str, np.ndarray]:
    """A 384 -> HIDDEN -> 1 ReLU network fitted with torch (Adam, batches of 512, seed 0), as tensors."""
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 1)
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


def main() -> None:
    from genguard.scoring.embedder import default_embedder
    from genguard.scoring.screen import InputLayer, Screen

    parts = chunks_and_teacher(texts_by_part())
    folder = Path(default_embedder().folder)
    layer = InputLayer(folder)
    t0 = time.perf_counter()
    x = {k: layer(v[1]) for k, v in parts.items()}
    rate = sum(len(v[1]) for v in parts.values()) / (time.perf_counter() - t0)
    y = (parts["train"][2] >= np.log(FLAG / (1 - FLAG))).astype(np.int64)
    tensors = fit_network(x["train"], y)
    screen = Screen(tensors, {}, {}, folder)
    logits = {k: screen.network(rows) for k, rows in x.items()}
    cuts = {}
    for t in THRESHOLDS:
        flagged = parts["cal"][2] >= np.log(t / (1 - t))
        cuts[t] = float(np.quantile(logits["cal"][flagged], MISS_GOAL)) if flagged.any() else float("-inf")
    per_source = {}
    sources = np.array(parts["test"][0])
    for name in sorted(set(sources)):
        mask = sources == name
        per_source[name] = miss_table(parts["test"][2][mask], logits["test"][mask], cuts)
    config = {
        "teacher": json.loads((HERE / "config.json").read_text(encoding="utf-8"))["name"],
        "features": "MiniLM input layer (word-piece, position, type embeddings; LayerNorm), mean-pooled",
        "network": f"384 -> {HIDDEN} ReLU -> 1, tells head P(toxic) >= {FLAG} (torch Adam, seed 0)",
        "cut_rule": f"per threshold: the {MISS_GOAL:.1%} quantile of calibration chunks the head flags",
        "chunks": {k: len(v[1]) for k, v in parts.items()},
        "input_layer_texts_per_s": round(rate),
        "calibration": miss_table(parts["cal"][2], logits["cal"], cuts),
        "test": miss_table(parts["test"][2], logits["test"], cuts),
        "test_by_source": per_source,
    }
    Screen(tensors, {str(k): v for k, v in cuts.items()}, config, folder).save(HERE)
    print(
        json.dumps(
            {k: config[k] for k in ("chunks", "input_layer_texts_per_s", "calibration", "test")}, indent=2
        )
    )
    for name, table in per_source.items():
        print(
            name,
            {
                t: (r["missed"], r["flagged_by_head"], round(r["cleared_share_of_unflagged"] or 0, 3))
                for t, r in table.items()
            },
        )


if __name__ == "__main__":
    main()
