"""`genguard keys create|revoke|list` (the gateway's API keys) and `genguard audit log` (its audit
log), working on the gateway's SQLite file while the server runs or not.

The file is the one a gateway config names (`--config gateway.yaml`, its `storage:`), or
`--storage PATH`, or by default the one `genguard serve` uses without a config
(out/gateway/gateway.sqlite in the current folder).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from genguard.cli_common import JsonOpt, emit, err, input_file, out, output_file, require_content
from genguard.errors import InvalidInputError

keys_app = typer.Typer(
    help="API keys of the gateway (stored hashed; a secret is shown once).", no_args_is_help=True
)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", callback=input_file, help="Gateway YAML whose `storage:` file to use."),
]
NewStorageOpt = Annotated[
    Path | None,
    typer.Option("--storage", callback=output_file, help="The gateway's SQLite file (created if missing)."),
]
StorageOpt = Annotated[
    Path | None,
    typer.Option("--storage", callback=input_file, help="The gateway's SQLite file (instead of --config)."),
]
_SINCE = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _since(value: str | None) -> datetime | None:
    """--since: '90s', '30m', '1h', '2d' ago, or an ISO time (UTC when it has no offset)."""
    if value is None:
        return None
    match = _SINCE.fullmatch(value.strip())
    if match:
        return datetime.now(UTC) - timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is neither a duration (30m, 1h, 2d) nor an ISO time (2025-01-31T12:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_since(value: str | None) -> str | None:
    _since(value)  # while parsing: a bad --since fails before the file is opened
    return value


def _storage(config: Path | None, storage: Path | None, must_exist: bool) -> Path:
    """The gateway file: --storage, else the config's, else the default of `genguard serve`.
    InvalidInputError when both are given, the config is empty, or (`must_exist`) no file is there."""
    if config is not None and storage is not None:
        raise InvalidInputError("give --config or --storage, not both")
    if storage is None:
        from genguard.server.config import load_config

        if config is not None:
            require_content(config, "gateway config")
        storage = load_config(config).storage
    if must_exist:
        if not storage.exists():
            raise InvalidInputError(
                f"no gateway database at {storage}; create a key (`genguard keys create NAME`) or start "
                "`genguard serve` first, or pass --config / --storage"
            )
        require_content(storage, "gateway database")
    return storage


def _check_profile(config: Path | None, profile: str | None) -> None:
    """ConfigError when the config's guard policy has no profile `profile` (checked with --config only:
    a bare --storage does not say which policy the server uses)."""
    if config is None or not profile:
        return
    from genguard.guard.policy import Policy
    from genguard.server.config import load_config

    Policy.load(load_config(config).guard.policy).profile(profile)


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A label for the key (the application or person using it).")],
    profile: Annotated[str | None, typer.Option(help="Guard profile of this key's requests.")] = None,
    rpm: Annotated[int | None, typer.Option("--rpm", min=1, help="Requests per minute (config's).")] = None,
    tpm: Annotated[int | None, typer.Option("--tpm", min=1, help="Tokens per minute (config's).")] = None,
    config: ConfigOpt = None,
    storage: NewStorageOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API key; its secret is printed once on standard output (store it now)."""
    from genguard.storage.api_keys import CreatedKey, KeyStore

    _check_profile(config, profile)
    with KeyStore(_storage(config, storage, must_exist=False)) as keys:
        key, secret = keys.create(name, profile, rpm, tpm)
    if as_json:
        emit(CreatedKey(key=key, secret=secret).model_dump(mode="json"))
        return
    limits = f"{key.requests_per_minute or 'default'} rpm, {key.tokens_per_minute or 'default'} tpm"
    err.print(
        f"created {key.key_id} ({key.name}; profile {key.profile or 'default'}; {limits}). "
        "The secret below is shown once; send it as `Authorization: Bearer <secret>`.",
        markup=False,
    )
    out.print(secret, markup=False)


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (`genguard keys list`).")],
    config: ConfigOpt = None,
    storage: StorageOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke an API key: requests with it are refused (401) from now on."""
    from genguard.storage.api_keys import KeyStore

    with KeyStore(_storage(config, storage, must_exist=True)) as keys:
        key = keys.revoke(key_id)
    if as_json:
        emit(key.model_dump(mode="json"))
    else:
        out.print(f"revoked {key.key_id} ({key.name}) at {key.revoked}", markup=False)


@keys_app.command("list")
def list_keys(config: ConfigOpt = None, storage: StorageOpt = None, as_json: JsonOpt = False) -> None:
    """List the API keys (never their secrets), revoked ones included."""
    from genguard.storage.api_keys import KeyStore

    with KeyStore(_storage(config, storage, must_exist=True)) as keys:
        found = keys.list()
    if as_json:
        emit([k.model_dump(mode="json") for k in found])
        return
    from rich.table import Table

    table = Table("key id", "name", "profile", "rpm", "tpm", "created", "revoked")
    for k in found:
        row = (k.key_id, k.name, k.profile, k.requests_per_minute, k.tokens_per_minute, k.created, k.revoked)
        table.add_row(*("-" if v is None else str(v) for v in row))
    if found:
        out.print(table)
    if not any(k.revoked is None for k in found):
        err.print("no active API keys: the gateway serves loopback clients only", markup=False)


def audit_log(
    since: Annotated[
        str | None,
        typer.Option(
            callback=_check_since, help="Rows since a duration ago (30m, 1h, 2d) or an ISO time (UTC)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="The latest this many rows.")] = 50,
    key: Annotated[str | None, typer.Option("--key", help="Only the rows of this key id.")] = None,
    config: ConfigOpt = None,
    storage: StorageOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Show the gateway's audit log, oldest first: a table, or JSON lines with --json."""
    start = _since(since)
    from genguard.storage.audit_log import AuditLog

    with AuditLog(_storage(config, storage, must_exist=True)) as log:
        rows = log.rows(since=start, limit=limit, key_id=key)
    if as_json:
        for row in rows:
            out.print(json.dumps(row.model_dump(mode="json"), ensure_ascii=False), markup=False)
        return
    from rich.table import Table

    table = Table("time (UTC)", "key", "request", "status", "model", "action", "rules", "ms", "tokens")
    for r in rows:
        tokens = f"{r.prompt_tokens or 0}+{r.completion_tokens or 0}" if r.prompt_tokens is not None else "-"
        status = str(r.status) if r.outcome == "complete" else f"{r.status} {r.outcome}"
        request = f"{r.method} {r.route}"
        rules = ",".join(r.rules) or "-"
        when = r.time[:19].replace("T", " ")
        table.add_row(
            when, r.key_id or "-", request, status, r.model or "-", r.action or "-", rules,
            f"{r.latency_ms:.0f}", tokens,
        )  # fmt: skip
    if not rows:
        out.print("no audit rows" + (" in that time" if since else ""), markup=False)
        return
    # A pipe or a log file gets the whole row on one line rather than rich's 80 columns squeezed.
    from rich.console import Console

    (out if out.is_terminal else Console(width=240, highlight=False)).print(table, markup=False)
