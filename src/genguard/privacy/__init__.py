"""Privacy: membership-inference audits and differentially private training.

- `threshold_attack`, `lira_attack` (attacks), `evaluate_scores` (metrics): how far a model's
  outputs give away which records it was trained on, as ROC AUC and TPR at 0.1 % / 1 % FPR with
  bootstrap intervals.
- `DPTorchClassifier` (Opacus) and `dp_logistic_regression` (diffprivlib): training with a stated
  (epsilon, delta); optional extra `privacy`.
Measured figures: benchmarks/results/privacy_audit.json.
"""

from genguard.privacy.attacks import MAX_SHADOWS, lira_attack, membership_score, threshold_attack
from genguard.privacy.metrics import AttackResult, TprAtFpr, evaluate_scores

__all__ = [
    "MAX_SHADOWS",
    "AttackResult",
    "TprAtFpr",
    "evaluate_scores",
    "lira_attack",
    "membership_score",
    "threshold_attack",
]
