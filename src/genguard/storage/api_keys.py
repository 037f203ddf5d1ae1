"""(being written)"""

from __future__ import annotations

from pathlib import Path

from genguard.types import Result


class ApiKey(Result):
    key_id: str
    name: str
    profile: str | None = None


class KeyStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def close(self) -> None: ...
