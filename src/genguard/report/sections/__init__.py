"""Section builders: each turns one capability's result model into a `page.Section`.

`BUILDERS` maps a section key to its builder; the key is the section's anchor and its key in the
JSON. The fairness keys are also those of `run_fairness_audit`'s results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from genguard.report.page import Section
from genguard.report.sections.fairness_counterfactual import counterfactual_section
from genguard.report.sections.fairness_decisions import decisions_section
from genguard.report.sections.fairness_pronoun import context_section, generation_section, pronoun_section
from genguard.report.sections.fairness_tabular import tabular_section
from genguard.report.sections.fairness_tone import tone_section
from genguard.report.sections.focusgroup import focusgroup_section
from genguard.report.sections.privacy import load_privacy_results, privacy_section

SectionBuilder = Callable[[Any], Section]

FAIRNESS_BUILDERS: dict[str, SectionBuilder] = {
    "pronoun": pronoun_section,
    "context": context_section,
    "pronoun_generation": generation_section,
    "tone": tone_section,
    "counterfactual": counterfactual_section,
    "tabular": tabular_section,
    "decisions": decisions_section,
    "focusgroup": focusgroup_section,
}

# Measured sections built from benchmark results (genguard.report.sections.privacy), not from a run.
MEASURED_BUILDERS: dict[str, tuple[Callable[[], Any], SectionBuilder]] = {
    "privacy": (load_privacy_results, privacy_section),
}
