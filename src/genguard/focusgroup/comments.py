"""Free-text answers of the personas, every one checked by a guard profile before it is kept.

Each persona writes `samples` short answers ("A or B and why, in one sentence"); answer c of
persona i is about pair (i * samples + c) mod #pairs, in alternating order, so every pair and both
orders get comments. Generation and storage go through the fairness audits' resumable sampler
(`genguard.fairness.collect.run_sampled`): a killed run resumes and no answer is generated twice.
The guard's verdict is stored with each answer: "removed" (the profile blocks it), "redacted"
(personal data replaced), and the letter the answer starts with ("choice": 1 A, 2 B, 0 neither,
see `prompts.parse_choice`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from genguard.fairness.collect import SamplingSettings, run_sampled
from genguard.focusgroup.prompts import parse_choice, survey_prompt
from genguard.focusgroup.spec import StudySpec
from genguard.lm.base import LanguageModel
from genguard.storage.runs import RunStore, StoredSample

KIND = "focusgroup-comment"
CHOICE_CODES = {"A": 1.0, "B": 2.0, None: 0.0}


def comment_items(spec: StudySpec) -> list[tuple[str, str, str, int]]:
    """(key, persona id, pair id, order) of every free-text question, in work order."""
    items = []
    n = len(spec.pairs)
    for i, persona in enumerate(spec.personas):
        for c in range(spec.comments.samples):
            number = i * spec.comments.samples + c
            pair = spec.pairs[number % n]
            order = (number // n) % 2
            items.append(
                (f"{persona.persona_id}/{pair.pair_id}/{order}/c{c}", persona.persona_id, pair.pair_id, order)
            )
    return items


class GuardScore:
    """Scores a batch of answers with a guard profile's output rules: per answer {"removed",
    "redacted", "choice"} plus "blocked_by:<scorer>" = 1.0 for each scorer whose rule blocked it.
    `model_ids` names the profile and every scorer version (they key the stored run)."""

    def __init__(self, profile: str) -> None:
        from genguard.guard.pipeline import Guard

        self.guard = Guard.from_policy(profile=profile)
        probe = self.guard.check(["ok"], stage="output")[0]
        self.model_ids = {"profile": profile, **probe.model_ids}

    def __call__(self, _prompts: list[str], texts: list[str]) -> list[dict[str, float]]:
        verdicts = self.guard.check(texts, stage="output")
        out = []
        for text, v in zip(texts, verdicts, strict=True):
            row = {
                "removed": float(v.action == "block"),
                "redacted": float(v.action == "redact"),
                "choice": CHOICE_CODES[parse_choice(text)],
            }
            for flag in v.flags:
                if flag.action == "block":
                    row[f"blocked_by:{flag.scorer}"] = 1.0
            out.append(row)
        return out


def collect_comments(
    model: LanguageModel,
    store: RunStore,
    spec: StudySpec,
    prompt_set: str,
    score: GuardScore,
    *,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> tuple[str, list[tuple[str, str, int, StoredSample]]]:
    """Generate (or resume) the free-text answers and return (run id, [(persona id, pair id,
    order, stored answer)]) in work order. Empty when the spec asks for no comments."""
    items = comment_items(spec)
    if not items:
        return "", []
    personas = {p.persona_id: p for p in spec.personas}
    pairs = {p.pair_id: p for p in spec.pairs}
    prompts = [
        (key, survey_prompt(personas[pid], pairs[pair], order, spec.question, why=True))
        for key, pid, pair, order in items
    ]
    c = spec.comments
    sampling = SamplingSettings(
        samples=1,
        max_new_tokens=c.max_new_tokens,
        temperature=c.temperature,
        top_p=c.top_p,
        seed=spec.seed,
        chunk_size=spec.chunk_size,
    )
    done = run_sampled(
        KIND,
        model,
        store,
        prompt_set,
        prompts,
        sampling,
        score=score,
        scorer_ids=score.model_ids,
        progress=progress,
        after_chunk=after_chunk,
    )
    return done.run.run_id, [
        (pid, pair, order, s) for (_, pid, pair, order), s in zip(items, done.samples, strict=True)
    ]


def removal_counts(samples: Sequence[StoredSample]) -> dict[str, int]:
    """How many answers each guard scorer's rule blocked (an answer may count for several)."""
    counts: dict[str, int] = {}
    for s in samples:
        for key in s.scores:
            if key.startswith("blocked_by:"):
                counts[key.split(":", 1)[1]] = counts.get(key.split(":", 1)[1], 0) + 1
    return dict(sorted(counts.items()))
