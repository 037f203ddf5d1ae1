"""Scorers shared by every check, behind one batch-first interface, found by name in a registry.

Importing this package registers the built-in scorers: pii, lexicon, injection (rules),
injection-model (learned), language, sentiment, toxicity and style (models load only when a scorer
is built).
"""

from genguard.scoring import injection, injection_model, language, lexicon, pii, sentiment, style, toxicity
from genguard.scoring.base import Scorer, available, get_scorer, parameters, register

__all__ = [
    "Scorer",
    "available",
    "get_scorer",
    "injection",
    "injection_model",
    "language",
    "lexicon",
    "parameters",
    "pii",
    "register",
    "sentiment",
    "style",
    "toxicity",
]
