"""Scorers shared by every check, behind one batch-first interface, found by name in a registry.

Importing this package registers the built-in scorers: pii, lexicon, injection, sentiment and toxicity
(the toxicity model itself loads only when a ToxicityScorer is built).
"""

from genguard.scoring import injection, lexicon, pii, sentiment, toxicity
from genguard.scoring.base import Scorer, available, get_scorer, parameters, register

__all__ = [
    "Scorer",
    "available",
    "get_scorer",
    "injection",
    "lexicon",
    "parameters",
    "pii",
    "register",
    "sentiment",
    "toxicity",
]
