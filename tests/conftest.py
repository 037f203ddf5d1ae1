"""Shared fixtures: the real default tokenizer and model, loaded once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tokenizer():
    from genguard.lm import load_default_tokenizer

    return load_default_tokenizer()


@pytest.fixture(scope="session")
def model():
    from genguard.lm import load_default_model

    return load_default_model()
