"""A virtual focus group: personas asked which of two products they prefer, position bias taken
out, preferences compared between demographic groups, free-text answers checked by the guard.

`load_study(path)` reads the YAML spec (genguard.focusgroup.spec), `run_study(model, store, spec)`
runs or resumes it (genguard.focusgroup.study) and returns a FocusGroupResult.
"""

from genguard.focusgroup.spec import StudySpec, load_study, study_from_dict
from genguard.focusgroup.study import FocusGroupResult, run_study

__all__ = ["FocusGroupResult", "StudySpec", "load_study", "run_study", "study_from_dict"]
