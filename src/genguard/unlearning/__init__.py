"""Machine unlearning: SISA sharded ensembles whose `forget(ids)` retrains only what held the records.

`ShardedEnsemble` is a scikit-learn estimator over any scikit-learn classifier, or a small torch
network through `TorchClassifier`; its exactness guarantee and measured costs are in
`genguard.unlearning.ensemble` and benchmarks/results/unlearning.json.
"""

from genguard.unlearning.ensemble import FitReport, ForgetReport, ShardedEnsemble
from genguard.unlearning.torch_adapter import TorchClassifier
from genguard.unlearning.training import ConstantClassifier

__all__ = ["ConstantClassifier", "FitReport", "ForgetReport", "ShardedEnsemble", "TorchClassifier"]
