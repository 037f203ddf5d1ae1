"""(being written)"""

from __future__ import annotations

from pathlib import Path


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def close(self) -> None: ...
