"""(being written)"""

from __future__ import annotations


class Metrics:
    def render(self) -> tuple[bytes, str]:
        return b"", "text/plain; version=0.0.4"
