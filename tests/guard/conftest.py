"""Guard fixtures: the built-in policy's default profile, with its real scorers, built once per session."""

from __future__ import annotations

import pytest

from genguard.guard.pipeline import Guard


@pytest.fixture(scope="session")
def default_guard() -> Guard:
    return Guard.from_policy()
