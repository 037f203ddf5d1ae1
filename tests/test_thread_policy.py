"""genguard's thread policy at import: numpy's OpenBLAS on one thread and OpenMP waiting passively,
unless the user chose otherwise or loaded numpy first. Each case runs in a fresh interpreter,
since both settings are read once, when the libraries load."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json, os, sys
{first}
import genguard
import numpy
from threadpoolctl import threadpool_info
blas = [d["num_threads"] for d in threadpool_info() if d["internal_api"] == "openblas"]
print(json.dumps({{"one": genguard.BLAS_ONE_THREAD, "env": os.environ.get("OPENBLAS_NUM_THREADS"),
                  "threads": blas, "omp": os.environ.get("OMP_WAIT_POLICY")}}))
"""


def probe(first: str = "", **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(first=first)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_genguard_first_runs_blas_on_one_thread_and_openmp_passive() -> None:
    got = probe()
    assert got["one"] is True
    assert got["env"] == "1" and got["omp"] == "PASSIVE"
    assert got["threads"] in ([], [1])  # [] where numpy is built on another BLAS


def test_a_thread_count_the_user_set_wins() -> None:
    got = probe(OPENBLAS_NUM_THREADS="2")
    assert got["one"] is False
    assert got["env"] == "2"


def test_numpy_loaded_first_keeps_its_threads_and_says_so() -> None:
    got = probe(first="import numpy")
    assert got["one"] is False
    assert got["env"] is None  # not set behind numpy's back: it would only reach child processes
