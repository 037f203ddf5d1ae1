"""Scorers shared by every check, behind one batch-first interface, found by name in a registry."""

from genguard.scoring import pii
from genguard.scoring.base import Scorer, available, get_scorer, register

__all__ = ["Scorer", "available", "get_scorer", "pii", "register"]
