"""Learned prompt-injection detector: a head on the toxicity model's MiniLM features.

The model (models/injection-minilm, see its model card) was trained on attacks and ordinary and
tricky-but-benign prompts written by the project, and BOLD Wikipedia sentences. It reads the same
features as the toxicity model (MiniLM layers 4 and 6 of toxicity.prepare'd text) and the same
pieces (genguard.text.sentences.chunk_spans), so that when both scorers see a text the embedder
serves the second from what it computed for the first. A prompt of several pieces and at most WHOLE_MAX_CHARS
characters is also scored whole (one more embedding, not shared): many attacks are several
sentences that each look harmless. A text scores its most suspicious unit.

Two kinds of head read these units (the model folder's config.json says which): a logistic
regression over each unit's features alone (`InjectionHead`, models 1-4), or a small network
over each unit's features together with its text's context (`ContextHead`, models 5 and 6: the whole
text where it is scored whole, else its first piece, and the first piece, which usually holds the
request that frames attached material), so that the same instruction can score low when it is
quoted in a report to summarise and high when it is planted in a page to process. The context
units are units the scorer embeds anyway, so the context costs no embedding.

A model folder may also hold an n-gram head (genguard.scoring.ngram_head, config.json
"ngram_fusion"): a logistic regression over character and word n-grams of the raw text, which
reads the words of other languages that the English encoder cannot. A text's n-gram logit is
added to each of its units' logits and the sum calibrated (NgramFusion); the threshold then
applies to the fused probability.

A first-pass screen (genguard.scoring.screen, the same kind as the toxicity model's; weights and
held-out miss rates in the model folder's screen.json) clears the units that MiniLM's input layer
alone shows to be far under the threshold, so ordinary prompts are mostly never embedded.

Measured error rates at the model's threshold (held-out recall on attacks written before the
model and false-positive rates on ordinary and tricky-but-benign prompts, with intervals) are in
genguard/guard/error_rates.json (scorer "injection-model"), produced by
benchmarks/injection_quality.py; the model card has the full tables. Use it beside the rule-based
`injection` scorer, which catches the phrasings it knows but also fires on prompts that only talk
about attacks (4-11 % of held-out tricky prompts): the built-in policy lets the rules block only
where this model confirms (the step its build chose, config.json out_of_fold.policy_confirm).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

from genguard.errors import ModelLoadError
from genguard.scoring.base import check_texts, register
from genguard.scoring.embedder import DIM, EmbeddingRequest, SentenceEmbedder, default_embedder
from genguard.scoring.linear_head import LinearHead, sigmoid
from genguard.scoring.ngram_head import NgramFusion
from genguard.scoring.screen import packaged_screen
from genguard.scoring.toxicity import prepare, screened_units
from genguard.text.sentences import chunk_spans
from genguard.types import Finding, ScoreResult, Span

__all__ = [
    "DEFAULT_MODEL_DIR",
    "LABEL",
    "WHOLE_MAX_CHARS",
    "ContextHead",
    "InjectionHead",
    "InjectionModelScorer",
    "context_rows",
    "load_head",
    "unit_flags",
    "unit_spans",
]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "injection-minilm"
LABEL = "INJECTION"
WHOLE_MAX_CHARS = 1000
"""Texts up to this long (about 250 word pieces, within MiniLM's 256) are also scored whole when
they have several pieces. Out of fold on the training data (models/injection-minilm/build.py),
adding the whole text raised recall at 1 % FPR on written benign prompts from 0.848 to 0.894."""


def unit_spans(text: str) -> tuple[list[tuple[int, int]], bool]:
    """([start, end) spans the model scores, whether the last one is the whole text): the
    genguard.text.sentences.chunk_spans pieces, plus the span from the first piece's start to the last one's
    end when there are two or more pieces and the text is at most WHOLE_MAX_CHARS long."""
    spans = chunk_spans(text)
    if len(spans) > 1 and len(text) <= WHOLE_MAX_CHARS:
        return [*spans, (spans[0][0], spans[-1][1])], True
    return spans, False


class InjectionHead(LinearHead):
    """A logistic-regression head over MiniLM features of chosen layers; `probabilities` gives
    P(injection). Saved as safetensors + JSON (see LinearHead)."""

    what = "an injection model"
    written_by = "models/injection-minilm/build.py"


def unit_flags(n_units: int, has_whole: bool) -> np.ndarray:
    """(n_units, 3) float32 flags a ContextHead reads with each unit of one text: the unit is the
    whole text, the unit is the first piece, the text has several pieces."""
    pieces = n_units - has_whole
    flags = np.zeros((n_units, 3), np.float32)
    if n_units:
        flags[-1, 0] = float(has_whole)
        flags[0, 1] = 1.0
        flags[:, 2] = float(pieces > 1)
    return flags


def context_rows(owners: Sequence[int], whole: Sequence[bool]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the units of several texts (a text's units consecutive, `owners` says whose, `whole`
    which unit is its text whole): per unit, the index of its context unit (its text whole where
    the text is scored whole, else its first piece), the index of its text's first piece, and its
    `unit_flags` row."""
    n = len(owners)
    context, frame = np.zeros(n, np.int64), np.zeros(n, np.int64)
    flags = np.zeros((n, 3), np.float32)
    start = 0
    while start < n:
        end = start + 1
        while end < n and owners[end] == owners[start]:
            end += 1
        has_whole = bool(whole[end - 1])
        context[start:end] = end - 1 if has_whole else start
        frame[start:end] = start
        flags[start:end] = unit_flags(end - start, has_whole)
        start = end
    return context, frame, flags


class ContextHead:
    """P(injection) of a unit in its text: a one-hidden-layer ReLU network over the concatenation
    of the unit's features (MiniLM layers `layers`, as the embedder returns them), its context's
    (the whole text where it is scored whole, else its first piece) and the first piece's (both of
    `context_layers`, a subset of `layers`, so one embedding of each unit serves all three) and
    `unit_flags`. The input standardisation of training is folded into the first layer. Saved as
    head.safetensors (w1, b1, w2, b2) and config.json ("head": "context", "context_layers")."""

    what = "an injection model"
    written_by = "models/injection-minilm/build.py"
    kind = "context"

    def __init__(
        self,
        w1: np.ndarray,
        b1: np.ndarray,
        w2: np.ndarray,
        b2: float,
        layers: Sequence[int],
        config: dict,
        context_layers: Sequence[int] | None = None,
    ) -> None:
        # C order: safetensors writes an array's memory as it lies (a transposed w1 would come back scrambled)
        self.w1 = np.ascontiguousarray(w1, np.float32)
        self.b1 = np.ascontiguousarray(b1, np.float32)
        self.w2 = np.ascontiguousarray(w2, np.float32)
        self.b2 = float(b2)
        self.layers = tuple(int(k) for k in layers)
        self.context_layers = self.layers if context_layers is None else tuple(int(k) for k in context_layers)
        self.config = config
        if not set(self.context_layers) <= set(self.layers):
            raise ValueError(f"context layers {self.context_layers} are not among layers {self.layers}")
        self._context_columns = np.concatenate(
            [np.arange(DIM * i, DIM * (i + 1)) for i, k in enumerate(self.layers) if k in self.context_layers]
        )
        dim = self.w1.shape[0]
        if (
            dim != DIM * (len(self.layers) + 2 * len(self.context_layers)) + 3
            or self.w1.shape[1] != len(self.b1)
            or len(self.w2) != len(self.b1)
        ):
            raise ValueError(
                f"tensor shapes {self.w1.shape}, {self.b1.shape}, {self.w2.shape} "
                f"do not fit layers {self.layers} and context layers {self.context_layers}"
            )

    @property
    def threshold(self) -> float:
        """The model's own decision threshold (from config.json)."""
        return float(self.config["threshold"])

    def unit_probabilities(
        self, units: np.ndarray, contexts: np.ndarray, frames: np.ndarray, flags: np.ndarray
    ) -> np.ndarray:
        """P(injection) per row: features of the unit (as `SentenceEmbedder.embed(...,
        layers=self.layers)` returns them), of its context and of its text's first piece (of
        `context_layers`: see `context_features`), and its `unit_flags` row."""
        return sigmoid(self.unit_logits(units, contexts, frames, flags))

    def unit_logits(
        self, units: np.ndarray, contexts: np.ndarray, frames: np.ndarray, flags: np.ndarray
    ) -> np.ndarray:
        """The logits of `unit_probabilities`."""
        x = np.concatenate([units, contexts, frames, flags], axis=1).astype(np.float32)
        hidden = np.maximum(x @ self.w1 + self.b1, 0.0)
        return hidden @ self.w2 + self.b2

    def context_features(self, features: np.ndarray) -> np.ndarray:
        """The `context_layers` columns of features of `layers`."""
        return features[:, self._context_columns]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(injection) of texts of one piece each (the unit is its own context and first piece)."""
        ctx = self.context_features(features)
        return self.unit_probabilities(features, ctx, ctx, unit_flags(1, False).repeat(len(features), 0))

    def save(self, folder: Path) -> None:
        """Write head.safetensors and config.json into `folder` (created if missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        tensors = {"w1": self.w1, "b1": self.b1, "w2": self.w2, "b2": np.array([self.b2], np.float32)}
        save_file(tensors, folder / "head.safetensors")
        config = {
            **self.config,
            "head": self.kind,
            "layers": list(self.layers),
            "context_layers": list(self.context_layers),
        }
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> ContextHead:
        """The head saved in `folder`; ModelLoadError saying what is missing or wrong."""
        try:
            tensors = load_file(folder / "head.safetensors")
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            b2 = float(tensors["b2"][0])
            layers, context_layers = config["layers"], config.get("context_layers")
            return cls(tensors["w1"], tensors["b1"], tensors["w2"], b2, layers, config, context_layers)
        except (OSError, KeyError, ValueError, SafetensorError) as exc:
            raise ModelLoadError(
                f"cannot load {cls.what} from {folder} ({exc}); it needs head.safetensors and "
                f"config.json as written by {cls.written_by}"
            ) from exc


def load_head(folder: Path) -> InjectionHead | ContextHead:
    """The head saved in `folder`: a ContextHead where config.json says "head": "context", else
    an InjectionHead (models 1-4); ModelLoadError when it cannot be read."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    kind = config.get("head") if isinstance(config, dict) else None
    return ContextHead.load(folder) if kind == ContextHead.kind else InjectionHead.load(folder)


class InjectionModelScorer:
    """P(injection) per text: the highest of its pieces'; findings are the pieces at or over the threshold.

    `screen` (on by default, where the model folder has one): units the first-pass screen clears
    are not embedded and score a stand-in under half the threshold; off gives the head's exact
    scores (its held-out miss rate per threshold is in screen.json)."""

    name = "injection-model"
    # No `combine`: a prompt of at most WHOLE_MAX_CHARS is also scored whole, so a piece cut from a
    # long text would be scored as if it were a prompt, and the pieces' verdict would not be the
    # whole text's. The guard therefore hands this scorer whole texts.

    def __init__(
        self,
        model_dir: str | Path | None = None,
        threshold: float | None = None,
        embedder: SentenceEmbedder | None = None,
        screen: bool = True,
    ) -> None:
        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.head = _load_head(folder.resolve())
        self.fusion = _load_fusion(folder.resolve())
        self.threshold = self.head.threshold if threshold is None else float(threshold)
        self.embedder = embedder or default_embedder()
        self.screen = packaged_screen(folder.resolve(), Path(self.embedder.folder)) if screen else None
        self.model_id = f"{self.head.config.get('name', folder.name)} on {self.embedder.model_id}"

    @staticmethod
    def chosen(key: str, model_dir: str | Path | None = None, **_params: object) -> float | None:
        """What the model's build chose for a policy, read from its config.json without loading the
        model: "threshold" (its decision threshold, a probability) or "confirm" (the score at or
        over which a policy lets the injection rules block: out_of_fold.policy_confirm, the 0.1
        step that caught the most attacks on its development sets without more false positives
        there than model 11 had with its rules); None for another key or where the build chose
        none. ModelLoadError when config.json cannot be read or holds no number there."""
        path = (Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR) / "config.json"
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot read {path}: {exc}") from exc
        where = {"threshold": ("threshold",), "confirm": ("out_of_fold", "policy_confirm", "confirm")}
        value: object = config
        for name in where.get(key, ()):
            value = value.get(name) if isinstance(value, dict) else None
        if key not in where or value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelLoadError(f"{path}: {'.'.join(where[key])} is {value!r}, not a number")
        return float(value)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(injection) of each text taken whole (no pieces; the embedder truncates at 256 word pieces)."""
        features = self.embedder.embed([prepare(t) for t in texts], layers=self.head.layers)
        probs = self.head.probabilities(features)
        return probs if self.fusion is None else self.fusion.fuse(probs, self.fusion.text_logits(texts))

    @staticmethod
    def _units(texts: Sequence[str]) -> tuple[list[str], list[int], list[bool], list[tuple[int, int]]]:
        """Every text's units (`unit_spans`), in order: their texts, owners (text index), whether
        each is its text whole, and spans."""
        owners: list[int] = []
        spans: list[tuple[int, int]] = []
        whole: list[bool] = []
        for i, text in enumerate(texts):
            cuts, has_whole = unit_spans(text)
            owners += [i] * len(cuts)
            spans += cuts
            whole += [False] * (len(cuts) - has_whole) + [True] * has_whole
        return [texts[i][s:e] for i, (s, e) in zip(owners, spans, strict=True)], owners, whole, spans

    def _plan(
        self, units: list[str], owners: list[int], whole: list[bool], ngram: np.ndarray | None
    ) -> _Plan:
        """What scoring `units` takes: see _Plan. With an n-gram fusion the screen clears for the
        MiniLM head's own threshold, and a unit it clears is still embedded where its fused
        stand-in (the screen's stand-in fused with its text's n-gram logit, `ngram` per unit)
        reaches half the threshold, so that the n-grams alone can bring a unit to the head.
        Screening each unit instead at the head score its n-gram logit would demand (higher where
        its text's n-grams read benign: 90 % of the units left on guard_speed's ordinary traffic
        have a logit under -0.9) would clear nothing more: build_screen.py's conservative cuts make
        the cuts for 0.5 to 0.9 one value (model 19's screen: -6.44 at each)."""
        fusion = self.fusion
        screen_at = self.threshold if fusion is None else fusion.head_threshold
        prepared, cleared, probs = screened_units(self.screen, units, screen_at)
        if fusion is not None and ngram is not None:
            probs = np.where(cleared, fusion.fuse(probs, ngram), 0.0)
            cleared &= probs < self.threshold / 2
            probs[~cleared] = 0.0
        rows = context_rows(owners, whole) if isinstance(self.head, ContextHead) else None
        rest = np.flatnonzero(~cleared)
        needed = (
            rest
            if rows is None or not len(rest)
            else np.unique(np.concatenate([rest, rows[0][rest], rows[1][rest]]))
        )
        return _Plan(prepared, probs, rest, rows, needed, ngram)

    def embedding_requests(self, texts: Sequence[str]) -> list[EmbeddingRequest]:
        """What `score(texts)` will embed: the prepared units the screen leaves and their context
        units (see genguard.scoring.embedder.embed_together)."""
        units, owners, whole, _ = self._units(texts)
        plan = self._plan(units, owners, whole, self._ngram_logits(texts, owners))
        return [EmbeddingRequest(self.embedder, [plan.prepared[k] for k in plan.needed], self.head.layers)]

    def _ngram_logits(self, texts: Sequence[str], owners: list[int]) -> np.ndarray | None:
        """Each unit's n-gram logit: its text's (NgramFusion.text_logits), None without a fusion."""
        if self.fusion is None:
            return None
        return self.fusion.text_logits(texts)[np.asarray(owners, np.int64)]

    def _unit_scores(
        self, units: list[str], owners: list[int], whole: list[bool], ngram: np.ndarray | None = None
    ) -> np.ndarray:
        """P(injection) per unit (units of one text are consecutive, `owners` says whose, `whole`
        which unit is its text whole); units the screen clears are not embedded and get its stand-in
        (under half the threshold, see Screen.stand_ins). A ContextHead also needs the context units
        (the whole text or first piece) of every unit left to score, cleared or not."""
        prepared, probs, rest, rows, needed, ngram = self._plan(units, owners, whole, ngram)
        if not len(rest):
            return probs
        if rows is None:
            features = self.embedder.embed([prepared[k] for k in rest], layers=self.head.layers)
            probs[rest] = self.head.probabilities(features)
        else:
            context, frame, flags = rows
            vectors = self.embedder.embed([prepared[k] for k in needed], layers=self.head.layers)
            row = np.zeros(len(units), np.int64)
            row[needed] = np.arange(len(needed))
            contexts = self.head.context_features(vectors)
            probs[rest] = self.head.unit_probabilities(
                vectors[row[rest]], contexts[row[context[rest]]], contexts[row[frame[rest]]], flags[rest]
            )
        if self.fusion is not None and ngram is not None:
            probs[rest] = self.fusion.fuse(probs[rest], ngram[rest])
        return probs

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text: score = P(injection) of its most suspicious unit (see
        `unit_spans`; 0.0 for blank text), spans in characters of the text as given. Findings are
        the pieces at or over the threshold, or the whole text when only it is.

        InvalidInputError for a bare string, non-str items or texts over the size limit.
        """
        texts = check_texts(texts)
        units, owners, whole, spans = self._units(texts)
        probs = self._unit_scores(units, owners, whole, self._ngram_logits(texts, owners))
        best = np.zeros(len(texts))
        findings: list[list[Finding]] = [[] for _ in texts]
        for i, (s, e), p, is_whole in zip(owners, spans, probs, whole, strict=True):
            best[i] = max(best[i], p)
            if p >= self.threshold and not (is_whole and findings[i]):  # pieces are the precise finding
                span = Span(start=s, end=e, label=LABEL)
                findings[i].append(
                    Finding(scorer=self.name, label=LABEL, score=round(float(p), 4), span=span)
                )
        return [
            ScoreResult(scorer=self.name, model_id=self.model_id, score=round(float(b), 4), findings=f)
            for b, f in zip(best, findings, strict=True)
        ]


@lru_cache(maxsize=8)
def _load_head(folder: Path) -> InjectionHead | ContextHead:
    return load_head(folder)


@lru_cache(maxsize=8)
def _load_fusion(folder: Path) -> NgramFusion | None:
    """The n-gram fusion config.json names under "ngram_fusion", or None where it names none."""
    entry = _load_head(folder).config.get("ngram_fusion")
    return None if entry is None else NgramFusion.load(folder, entry)


class _Plan(NamedTuple):
    """How `InjectionModelScorer` scores a list of units."""

    prepared: list[str]  # the units through toxicity.prepare
    probs: np.ndarray  # the stand-in scores of the units the screen clears, 0 elsewhere
    rest: np.ndarray  # the units left to score with the head
    rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # a ContextHead's `context_rows`
    needed: np.ndarray  # the units to embed: those left and, for a ContextHead, their contexts
    ngram: np.ndarray | None  # every unit's n-gram logit (its text's), with a fusion


register("injection-model", InjectionModelScorer)
