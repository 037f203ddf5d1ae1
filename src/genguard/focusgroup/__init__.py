"""A virtual focus group: personas asked which of two products they prefer, position bias taken
out, preferences compared between demographic groups, free-text answers checked by the guard.

`load_study(path)` reads the YAML spec (genguard.focusgroup.spec), `run_study(model, store, spec)`
runs or resumes it (genguard.focusgroup.study) and returns a FocusGroupResult.

Measured (benchmarks/focusgroup_run.py -> benchmarks/results/focusgroup_run.json): on the default
model, 200 personas x 5 pairs x 2 orders, " A" was the top answer in 2,000 of 2,000 questions
(position bias; same product in both orders 0 %), 56.7 % [53.4, 60.0] after the held-out
correction; the strict guard removed 12.5 % of 400 comments, all harmless (toxicity false
positives at its 0.2 threshold). With a synthetic model (same interface): a planted 1-nat
preference of one gender was found in 10 of 10 runs; unbiased runs had a significant gap in 1 of
40 (Holm, family-wise alpha 0.05; 145 comparisons per run).
"""

from genguard.focusgroup.spec import StudySpec, load_study, study_from_dict
from genguard.focusgroup.study import FocusGroupResult, run_study

__all__ = ["FocusGroupResult", "StudySpec", "load_study", "run_study", "study_from_dict"]
