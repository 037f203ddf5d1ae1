"""(being written: body limit, audit row, metrics)"""

from __future__ import annotations

from fastapi import FastAPI


def install_middleware(app: FastAPI) -> None:
    """(stub)"""
