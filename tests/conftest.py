"""Shared fixtures: the real default tokenizer and model, loaded once per session.

`make test` runs the suite in two pytest-xdist workers (`-n 2 --dist loadgroup`): most of its
time is single-threaded (Python, subprocesses starting, servers, LLM generation one token at a
time), so one core per worker nearly halves the wall time. Each worker and every process a test
starts use one torch thread; a test file's tests stay in one worker (module fixtures start once),
and the files that start a Ray instance share one worker, so two never run at once.
"""

from __future__ import annotations

import os
import sys

import pytest

RAY_FILES = {
    "tests/pipeline/test_ray_dedup.py",
    "tests/pipeline/test_scan_ray.py",
    "tests/provenance/test_cli_provenance.py",
}


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ["OMP_NUM_THREADS"] = "1"  # read by torch in this process and in every child
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            path = item.path.relative_to(root).as_posix()
            item.add_marker(pytest.mark.xdist_group("ray" if path in RAY_FILES else path))


@pytest.fixture(scope="session")
def tokenizer():
    from genguard.lm import load_default_tokenizer

    return load_default_tokenizer()


@pytest.fixture(scope="session")
def model():
    from genguard.lm import load_default_model

    return load_default_model()
