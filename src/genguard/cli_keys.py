"""(being written: `genguard keys create|revoke|list` and `genguard audit log`)"""

from __future__ import annotations

import typer

keys_app = typer.Typer(help="API keys of the gateway.", no_args_is_help=True)


def audit_log() -> None:
    """(being written)"""
