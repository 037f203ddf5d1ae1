"""Shared fixtures: the real default tokenizer/model (loaded once per session) and the shared data."""

from __future__ import annotations

import pytest

from genguard.datasets import shared_data_dir


@pytest.fixture(scope="session")
def tokenizer():
    from genguard.lm import load_default_tokenizer

    return load_default_tokenizer()


@pytest.fixture(scope="session")
def model():
    from genguard.lm import load_default_model

    return load_default_model()


@pytest.fixture(scope="session")
def shared_data():
    root = shared_data_dir()
    if root is None:
        pytest.skip("../shared/data is absent (a user's own clone); CI has it")
    return root
