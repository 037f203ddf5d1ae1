"""The gateway's audit log: one row per request, in the gateway's SQLite file (WAL).

Each row is its own transaction, committed before the response's last byte leaves the server
(server/middleware.py). Under WAL with synchronous=NORMAL a committed row survives the process
being killed (SIGKILL); only a power cut may lose the last rows. Rows are validated before they
are written, so bad input raises InvalidInputError and never reaches the file.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import Field, ValidationError

from genguard.errors import InvalidInputError
from genguard.storage.gateway_db import GatewayStore, utc_text
from genguard.types import Result

MAX_ROWS = 100_000  # most rows one query returns


class AuditRecord(Result):
    """One request as the gateway saw it. Texts are present only when the config's audit.log_text is on."""

    id: int | None = None  # the row id (None before it is stored)
    time: str  # UTC, ISO 8601, when the request arrived
    request_id: str  # also sent to the client as the x-request-id header
    key_id: str | None = None  # None: no key (loopback-only mode) or not authenticated
    client: str | None = None  # the client's address
    route: str  # the request path
    method: str
    status: int  # the HTTP status sent (0: the client left before any response)
    # complete: the whole response was sent; disconnected: the client left while it was sent;
    # error: the server failed while answering.
    outcome: Literal["complete", "disconnected", "error"] = "complete"
    model: str | None = None
    backend: str | None = None
    action: str | None = None  # the strictest guard action: allow, annotate, redact or block
    rules: list[str] = Field(default_factory=list)  # names of the rules that fired
    watermark_key_id: str | None = None
    scheme: str | None = None
    latency_ms: float  # arrival to the last byte (or to the disconnect)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    bytes_sent: int = 0  # response body bytes handed to the server
    prompt_text: str | None = None
    completion_text: str | None = None


_FIELDS = [name for name in AuditRecord.model_fields if name != "id"]


class AuditLog(GatewayStore):
    """Append-only audit rows in the gateway file at `path` (created if missing); thread-safe."""

    def append(self, record: AuditRecord | dict) -> AuditRecord:
        """Store one row in its own transaction; returns it with its row id.

        Raises InvalidInputError for a record that does not validate (nothing is written)."""
        try:
            record = AuditRecord.model_validate(record)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidInputError(f"audit record field {where}: {first['msg']}") from exc
        values = record.model_dump(exclude={"id"})
        values["rules"] = json.dumps(values["rules"], ensure_ascii=False)
        with self._db.write() as conn:
            cursor = conn.execute(
                f"INSERT INTO audit_log ({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})",
                [values[name] for name in _FIELDS],
            )
        return record.model_copy(update={"id": cursor.lastrowid})

    def rows(
        self, since: datetime | None = None, limit: int = 1000, key_id: str | None = None
    ) -> list[AuditRecord]:
        """The latest `limit` rows (at most MAX_ROWS) that arrived at or after `since` (naive: UTC),
        of `key_id` when given, oldest first."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ROWS:
            raise InvalidInputError(f"limit must be a whole number from 1 to {MAX_ROWS}, got {limit!r}")
        where, params = [], []
        if since is not None:
            where.append("time >= ?")
            params.append(utc_text(since))
        if key_id is not None:
            where.append("key_id = ?")
            params.append(key_id)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._db.read() as conn:
            found = conn.execute(
                f"SELECT id, {', '.join(_FIELDS)} FROM audit_log {clause} ORDER BY id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [_record(row) for row in reversed(found)]

    def count(self) -> int:
        """How many rows the log holds."""
        with self._db.read() as conn:
            return conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


def _record(row: tuple) -> AuditRecord:
    values = dict(zip(["id", *_FIELDS], row, strict=True))
    values["rules"] = json.loads(values["rules"])
    return AuditRecord(**values)
