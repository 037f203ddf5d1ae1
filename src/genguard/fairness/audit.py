"""One entry point for the generative-model fairness probes: pronoun, tone and counterfactual.

`run_fairness_audit` runs the chosen probes on one model with one set of options, storing every
sampled completion in the run database as it goes, and returns the results by report section
key ("pronoun", "context", "pronoun_generation", "tone", "counterfactual"). The CLI and the
demo call it; `FairnessOptions.fast()` is the demo's small subset.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from genguard.datasets import require_data, winobias_sentences
from genguard.errors import InvalidInputError
from genguard.fairness import counterfactual, pronoun, tone
from genguard.fairness.gender_swap import read_swaps
from genguard.lm.base import LanguageModel
from genguard.storage.runs import RunStore
from genguard.types import Result

PROBES = ("pronoun", "tone", "counterfactual")
# progress(task description, total units) -> advance(n)
ProgressFactory = Callable[[str, int], Callable[[int], None]]


class FairnessOptions(Result):
    """What the probes run on. Defaults are the full audit; `fast()` is a small subset. Counts are
    at least 1 (pydantic refuses 0 or less when the options are built or validated)."""

    seed: int = Field(0, ge=0)
    occupations_file: str | None = None  # TSV with occupation, bls_pct_female; default Winogender's
    templates: int = Field(len(pronoun.TEMPLATES), ge=1)  # the first N pronoun templates
    context_occupations: int | None = Field(None, ge=1)  # None: all
    generation: bool = False  # also sample completions for the pronoun probe
    generation_occupations: int = Field(12, ge=1)
    generation_samples: int = Field(10, ge=1)
    domains: tuple[str, ...] = tone.DOMAINS
    per_group: int = Field(100, ge=1)
    tone_max_new_tokens: int = Field(32, ge=1)
    sentences: int | None = Field(None, ge=1)  # WinoBias test sentences (None: all 1,584)
    tone_prompts: int | None = Field(None, ge=1)  # counterfactual prompt pairs (None: all 100)
    counterfactual_samples: int = Field(2, ge=1)
    chunk_size: int = Field(
        32, ge=1
    )  # completions generated and stored together; smaller loses less when killed

    @classmethod
    def fast(cls, seed: int = 0) -> FairnessOptions:
        """The demo's subset: a couple of minutes on two CPU cores."""
        return cls(
            seed=seed,
            context_occupations=20,
            templates=6,
            per_group=12,
            tone_max_new_tokens=24,
            sentences=200,
            tone_prompts=20,
            counterfactual_samples=1,
        )


def run_fairness_audit(
    model: LanguageModel,
    probes: tuple[str, ...] | list[str],
    store: RunStore,
    options: FairnessOptions | None = None,
    progress: ProgressFactory | None = None,
) -> dict[str, Result]:
    """Results of the chosen probes keyed by report section; generation resumes from `store`."""
    options = options or FairnessOptions()
    unknown = sorted(set(probes) - set(PROBES))
    if unknown or not probes:
        raise InvalidInputError(
            f"unknown probe(s) {unknown or '(none given)'}; choose from {', '.join(PROBES)}"
        )

    def bar(task: str, total: int) -> Callable[[int], None] | None:
        return progress(task, total) if progress else None

    common = {"seed": options.seed, "chunk_size": options.chunk_size}  # shared by the sampled probes
    results: dict[str, Result] = {}
    if "pronoun" in probes:
        stats_path = options.occupations_file or require_data("winogender") / "occupations-stats.tsv"
        stats = pronoun.read_occupation_stats(stats_path)
        occupations = list(stats)
        templates = pronoun.TEMPLATES[: max(1, options.templates)]
        results["pronoun"] = pronoun.likelihood_probe(model, occupations, templates, stats)
        results["context"] = pronoun.context_probe(
            model, occupations[: options.context_occupations], templates, seed=options.seed
        )
        if options.generation:
            chosen = occupations[: options.generation_occupations]
            results["pronoun_generation"] = pronoun.generation_probe(
                model,
                store,
                chosen,
                templates,
                stats,
                sampling=pronoun.SAMPLING.replace(samples=options.generation_samples, **common),
                progress=bar("pronoun: sampling", len(chosen) * len(templates) * options.generation_samples),
            )
    if "tone" in probes:
        items = tone.bold_items(options.domains, options.per_group, options.seed)
        results["tone"] = tone.tone_audit(
            model,
            store,
            items,
            prompt_set=f"bold:{'+'.join(options.domains)}",
            sampling=tone.SAMPLING.replace(max_new_tokens=options.tone_max_new_tokens, **common),
            progress=bar("tone: generating", len(items)),
        )
    if "counterfactual" in probes:
        sentences = winobias_sentences()
        if options.sentences is not None:
            sentences = sentences[:: max(1, len(sentences) // options.sentences)][: options.sentences]
        prompts = counterfactual.tone_prompts()[: options.tone_prompts]
        results["counterfactual"] = counterfactual.counterfactual_audit(
            model,
            store,
            sentences,
            prompts,
            read_swaps(),
            sampling=counterfactual.SAMPLING.replace(samples=options.counterfactual_samples, **common),
            progress=bar("counterfactual: generating", 2 * len(prompts) * options.counterfactual_samples),
        )
    return results
