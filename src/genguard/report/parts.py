"""The parts of a report run, each computing one result model from the model and the preset.

Each function is pure given its inputs (seeded), so a stored result and a recomputed one agree;
`genguard.report.runner` stores every result as it finishes and skips what is stored.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from genguard.datasets import named_documents, shakespeare_text
from genguard.errors import ConfigError
from genguard.guard.error_rates import error_rate, error_rates
from genguard.lm.base import Generation, LanguageModel
from genguard.report.presets import PROMPTS, SAMPLE_PROMPTS, Preset
from genguard.report.results import (
    DetectionItem,
    DetectionRun,
    GuardItem,
    GuardRule,
    GuardRun,
    ProtectedCheck,
    WatermarkItem,
    WatermarkRun,
)

if TYPE_CHECKING:
    from genguard.watermark import WatermarkDetector

Answers = dict[str, list[tuple[str, str]]]  # "watermarked" / "plain" -> (prompt, text) per prompt
INDEX_MIN_CHARS = 300  # a protected passage: consecutive speeches of Tiny Shakespeare up to this size


def watermark_processor(model: LanguageModel, preset: Preset):
    """The logits processor of the preset's scheme with the public reference key, and the key."""
    from genguard.watermark import WatermarkKey, WatermarkLogitsProcessor

    key = WatermarkKey.reference()
    proc = WatermarkLogitsProcessor(
        model.tokenizer.vocab_size, key, scheme=preset.scheme, gamma=preset.gamma, delta=preset.delta
    )
    return proc, key


def watermark_detector(model: LanguageModel, preset: Preset) -> WatermarkDetector:
    """The detector of the preset's scheme for the public reference key (watermark_processor's)."""
    from genguard.watermark import WatermarkDetector, WatermarkKey

    return WatermarkDetector(
        model.tokenizer, keys=[WatermarkKey.reference()], scheme=preset.scheme, gamma=preset.gamma
    )


def generate_answers(model: LanguageModel, preset: Preset, seed: int, watermarked: bool) -> list[Generation]:
    """The model's answers to the preset's prompts (one batch), watermarked or plain, at least half
    of `max_new_tokens` long so that the detector has tokens to count."""
    processors = [watermark_processor(model, preset)[0]] if watermarked else []
    return model.generate(
        list(PROMPTS[: preset.prompts]),
        max_new_tokens=preset.max_new_tokens,
        min_new_tokens=preset.max_new_tokens // 2,
        seed=seed,
        logits_processors=processors,
    )


def human_texts(tokenizer, preset: Preset) -> list[tuple[str, str]]:
    """(kind, text) pairs of human text of about the answers' length: BOLD and Shakespeare chunks."""
    from genguard.datasets import human_token_chunks

    texts: list[tuple[str, str]] = []
    for source in ("bold", "shakespeare"):
        try:
            chunks = human_token_chunks(tokenizer, preset.max_new_tokens, preset.human_texts, source)
        except ConfigError:
            continue
        texts += [(f"human ({source})", t) for t in tokenizer.decode(chunks)]
    return texts


def watermark_run(model: LanguageModel, preset: Preset, seed: int, answers: Answers) -> WatermarkRun:
    """Detect the watermark in the watermarked and plain answers and in human texts."""
    items = [(kind, prompt, text) for kind in ("watermarked", "plain") for prompt, text in answers[kind]]
    items += [(kind, "", text) for kind, text in human_texts(model.tokenizer, preset)]
    detector = watermark_detector(model, preset)
    (key,) = detector.keys
    ids = detector.encode([text for _, _, text in items])
    detections = detector.detect_ids(ids)
    return WatermarkRun(
        model_id=model.model_id,
        tokenizer_id=model.tokenizer.tokenizer_id,
        scheme=preset.scheme,
        gamma=preset.gamma,
        delta=preset.delta,
        key_id=key.key_id,
        z_threshold=detector.z_threshold,
        false_positive_rate=detector.alpha,
        max_new_tokens=preset.max_new_tokens,
        seed=seed,
        items=[
            WatermarkItem(
                kind=kind, prompt=prompt, text=text, tokens=model.tokenizer.token_strings(tok), detection=d
            )
            for (kind, prompt, text), tok, d in zip(items, ids, detections, strict=True)
        ],
    )


def _rules(profiles: Sequence[str]) -> list[GuardRule]:
    from genguard.guard.policy import Policy

    policy = Policy.load()
    rules = []
    for name in profiles:
        profile = policy.profile(name)
        for stage in ("input", "output"):
            unit = "sentence" if stage == "input" else "paragraph"
            for rule in profile.stages[stage]:
                measured = error_rate(rule.scorer, rule.threshold, unit) or next(
                    iter(error_rates(rule.scorer, rule.threshold)), None
                )
                rules.append(
                    GuardRule(
                        profile=name,
                        stage=stage,
                        scorer=rule.scorer,
                        threshold=rule.threshold,
                        action=rule.action,
                        measured=measured,
                    )
                )
    return rules


def guard_run(answers: Answers, profiles: Sequence[str] = ("default", "strict")) -> GuardRun:
    """Every profile of the built-in policy on the sample prompts (input) and the model's answers
    (output, the watermarked ones: what a user of the watermarked model would receive)."""
    from genguard.guard.pipeline import Guard

    guards = {p: Guard.from_policy(profile=p) for p in profiles}
    batches = [
        ("input", [(kind, text, expected) for kind, text, expected in SAMPLE_PROMPTS]),
        ("output", [("answer", text, None) for _, text in answers["watermarked"]]),
    ]
    items = []
    for stage, batch in batches:
        texts = [text for _, text, _ in batch]
        verdicts = {p: g.check(texts, stage) for p, g in guards.items()}
        for i, (kind, text, expected) in enumerate(batch):
            items.append(
                GuardItem(
                    stage=stage,
                    kind=kind,
                    text=text,
                    expected=expected,
                    verdicts={p: verdicts[p][i] for p in profiles},
                )
            )
    return GuardRun(policy="built-in (genguard/guard/policies/default.yaml)", profiles=list(profiles),
                    rules=_rules(profiles), items=items)  # fmt: skip


def shakespeare_passages(limit: int) -> list[str]:
    """The first `limit` passages of Tiny Shakespeare: consecutive speeches joined until a passage
    has INDEX_MIN_CHARS characters."""
    passages, current = [], ""
    for speech in shakespeare_text().split("\n\n"):
        current = f"{current}\n\n{speech}" if current else speech
        if len(current) >= INDEX_MIN_CHARS:
            passages.append(current)
            current = ""
            if len(passages) == limit:
                break
    return passages


def protected_check(
    index_path, preset: Preset, seed: int, answers: Answers, min_span: int = 150
) -> ProtectedCheck:
    """Build a protected index of Shakespeare passages at `index_path` (recreated), query every
    answer, and query `preset.planted` known copies (a 200-character excerpt of an indexed passage
    inside an answer) to show the index finds them."""
    from pathlib import Path

    from genguard.provenance.index import ProtectedIndex

    passages = shakespeare_passages(preset.index_passages)
    keys = [f"shakespeare-{i:05d}" for i in range(len(passages))]
    Path(index_path).unlink(missing_ok=True)
    texts = [text for kind in ("watermarked", "plain") for _, text in answers[kind]]
    rng = random.Random(seed)
    chosen = rng.sample(range(len(passages)), min(preset.planted, len(passages)))
    planted = []
    for n, i in enumerate(chosen):
        start = rng.randrange(max(1, len(passages[i]) - 200))
        host = texts[n % len(texts)]
        planted.append((keys[i], f"{host[:120]} {passages[i][start : start + 200]} {host[120:]}"))
    with ProtectedIndex(index_path) as index:
        index.add(passages, keys=keys)
        found = index.query(texts, min_span=min_span)
        planted_matches = index.query([t for _, t in planted], min_span=min_span)
    return ProtectedCheck(
        source="Tiny Shakespeare",
        documents=len(passages),
        answers=len(texts),
        answer_matches=found,
        planted=len(planted),
        planted_found=sum(
            any(m.key == key for m in ms) for (key, _), ms in zip(planted, planted_matches, strict=True)
        ),
        min_span=min_span,
        measured_recall=[
            r for r in error_rates("protected-content", 0.5) if r.measure == "true-positive rate"
        ],
    )


def memorization_documents(sources: Sequence[str], max_chars: int | None = None) -> list[tuple[str, str]]:
    """(source, text) documents of the shared data sets named, at most `max_chars` characters of each."""
    return [doc for source in sources for doc in named_documents(source, max_chars)]


def detection_run(model: LanguageModel, preset: Preset, texts: Sequence[tuple[str, str]]) -> DetectionRun:
    """Score (kind, text) pairs with the zero-shot detector on `model` (one batch), the watermark
    detector of the preset's scheme beside it, decided with the packaged calibration."""
    from genguard.detection import MachineTextDetector

    detector = MachineTextDetector(model)
    results = detector.detect([text for _, text in texts], watermark=watermark_detector(model, preset))
    t = detector.calibration.text
    return DetectionRun(
        model_id=model.model_id,
        calibration=detector.calibration.source,
        threshold=t.threshold,
        target_fpr=t.target_fpr,
        fpr_interval=t.fpr_interval,
        min_tokens=detector.calibration.min_tokens,
        items=[DetectionItem(kind=k, text=x, detection=r) for (k, x), r in zip(texts, results, strict=True)],
    )
