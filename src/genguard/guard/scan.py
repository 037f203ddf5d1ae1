"""Scan a JSONL training corpus through the guard's training stage: streaming and resumable.

Records the policy lets through are written to the output (redacted where it says so); removed
records and unreadable lines go to `<out>.rejects.jsonl` with the reason; `<out>.summary.json`
counts what happened and why. Memory stays constant in the corpus size (one batch of lines at a
time). After each batch the outputs are flushed to disk and `<out>.checkpoint.json` records how
far the input was read and how long the outputs were, so a re-run after an interruption
truncates the outputs to that point and continues: no record is lost or written twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pydantic import Field

from genguard.errors import ConfigError, InvalidInputError
from genguard.types import Result

if TYPE_CHECKING:  # the guard's models load only when a scan runs, not for the checks before it
    from genguard.guard.pipeline import Guard

_CHECKPOINT_VERSION = 1
MAX_BROKEN_LISTED = 100
_SNIFF_BYTES = 1 << 16  # the head of the corpus that must look like text before a scan starts


class ScanSummary(Result):
    """What a scan did: line counts by outcome, and the reasons records were removed or redacted."""

    input: str
    output: str
    rejects: str
    profile: str
    lines: int = 0
    kept: int = 0
    annotated: int = 0
    redacted: int = 0
    removed: int = 0
    broken: int = 0
    blank: int = 0
    removed_by_reason: dict[str, int] = Field(default_factory=dict)
    redacted_by_reason: dict[str, int] = Field(default_factory=dict)
    broken_lines: list[int] = Field(default_factory=list)
    resumed_at_line: int = 0
    complete: bool = False


def _paths(out: Path) -> tuple[Path, Path, Path]:
    return (
        out.with_name(out.name + ".rejects.jsonl"),
        out.with_name(out.name + ".checkpoint.json"),
        out.with_name(out.name + ".summary.json"),
    )


def _fingerprint(path: Path, guard: Guard, text_field: str) -> dict:
    """What must not change between an interrupted run and its resumption."""
    with path.open("rb") as f:
        head = hashlib.sha256(f.read(1 << 16)).hexdigest()
    return {
        "input": str(path.resolve()),
        "input_size": path.stat().st_size,
        "input_head_sha256": head,
        "profile": hashlib.sha256(guard.profile.model_dump_json().encode()).hexdigest(),
        "text_field": text_field,
    }


def _write_atomic(path: Path, payload: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(payload, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def scan_corpus(
    corpus: str | Path,
    out: str | Path,
    guard: Guard,
    text_field: str = "text",
    stage: str = "training",
    batch_size: int = 256,
    restart: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ScanSummary:
    """Scan `corpus` (JSONL) into `out`; resumes a scan interrupted earlier unless `restart`.

    ConfigError when `out` exists without a checkpoint (it is never overwritten unless
    `restart`), or when a checkpoint was made for another input, policy or text field.
    `progress(n)` is called with the number of input bytes consumed by each batch.
    """
    corpus, out = Path(corpus), Path(out)
    check_scan(corpus, out, restart)
    rejects, checkpoint, summary_path = _paths(out)
    fingerprint = _fingerprint(corpus, guard, text_field)
    state: dict = {}
    if checkpoint.exists() and not restart:
        state = json.loads(checkpoint.read_text(encoding="utf-8"))
        stale = [k for k, v in fingerprint.items() if state.get("fingerprint", {}).get(k) != v]
        if state.get("version") != _CHECKPOINT_VERSION or stale:
            raise ConfigError(
                f"{checkpoint} belongs to a scan with a different {', '.join(stale) or 'format'}; "
                "re-run with --restart to start over"
            )
        for path, key in ((out, "out_bytes"), (rejects, "rejects_bytes")):
            size = path.stat().st_size if path.exists() else 0
            if size < state[key]:
                raise ConfigError(
                    f"{path} is shorter ({size:,} bytes) than when {checkpoint.name} was written "
                    f"({state[key]:,}); it was changed since, so the scan cannot resume: "
                    "re-run with --restart"
                )
        if state["summary"]["complete"]:
            return ScanSummary(**state["summary"])

    counts = (
        state.get("summary")
        or ScanSummary(
            input=str(corpus), output=str(out), rejects=str(rejects), profile=guard.profile.name
        ).model_dump()
    )
    removed_by, redacted_by = Counter(counts["removed_by_reason"]), Counter(counts["redacted_by_reason"])
    offset = state.get("offset", 0)
    counts["resumed_at_line"] = counts["lines"]

    with (
        corpus.open("rb") as src,
        _open_truncated(out, state.get("out_bytes", 0)) as dst,
        _open_truncated(rejects, state.get("rejects_bytes", 0)) as rej,
    ):
        src.seek(offset)
        while True:
            batch = _read_batch(src, batch_size)
            if not batch:
                break
            records, texts = [], []
            for raw in batch:
                counts["lines"] += 1
                lineno = counts["lines"]
                record, error = _parse(raw, text_field)
                if record is None and error is None:
                    counts["blank"] += 1
                elif error is not None:
                    counts["broken"] += 1
                    if len(counts["broken_lines"]) < MAX_BROKEN_LISTED:
                        counts["broken_lines"].append(lineno)
                    rej.write(
                        _line({"line": lineno, "error": error, "raw": raw[:200].decode("utf-8", "replace")})
                    )
                else:
                    records.append((lineno, record))
                    texts.append(record[text_field])
            for (lineno, record), verdict in zip(
                records, guard.check(texts, stage) if texts else [], strict=True
            ):
                if verdict.action == "block":
                    counts["removed"] += 1
                    removed_by.update(verdict.reasons)
                    rej.write(
                        _line(
                            {"line": lineno, "action": "block", "reasons": verdict.reasons, "record": record}
                        )
                    )
                    continue
                if verdict.action == "redact":
                    counts["redacted"] += 1
                    redacted_by.update(verdict.reasons)
                    record = {**record, text_field: verdict.text}
                elif verdict.action == "annotate":
                    counts["annotated"] += 1
                else:
                    counts["kept"] += 1
                dst.write(_line(record))
            consumed = sum(len(raw) for raw in batch)
            offset += consumed
            counts["removed_by_reason"], counts["redacted_by_reason"] = dict(removed_by), dict(redacted_by)
            _commit(dst, rej, checkpoint, fingerprint, offset, counts)
            if progress is not None:
                progress(consumed)
        counts["complete"] = True
        _commit(dst, rej, checkpoint, fingerprint, offset, counts)
    if counts["lines"] == counts["blank"] + counts["broken"]:
        _no_records(corpus, out, text_field, counts["broken"])
    result = ScanSummary(**counts)
    summary_path.write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return result


def check_scan(corpus: Path, out: Path, restart: bool = False) -> None:
    """The checks a scan makes before it loads the guard or writes anything: InvalidInputError for
    a corpus that is missing, empty or binary (see _refuse_binary; its first 64 KB are read) and
    for an output folder that does not exist; ConfigError when the output is the corpus, or exists
    with content but no checkpoint (it is never overwritten unless `restart`)."""
    corpus, out = Path(corpus), Path(out)
    if not corpus.is_file():
        raise InvalidInputError(f"corpus {corpus} does not exist or is not a file")
    if corpus.resolve() == out.resolve():
        raise ConfigError("the output must be a different file from the corpus")
    if not out.parent.is_dir():
        raise InvalidInputError(f"the output's folder {out.parent} does not exist; create it first")
    with corpus.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
    if not head.strip():
        raise InvalidInputError(f"corpus {corpus} is empty; a corpus is JSONL, one record per line")
    _refuse_binary(corpus, head, at_end=len(head) < _SNIFF_BYTES)
    checkpoint = _paths(out)[1]
    if not checkpoint.exists() and out.exists() and out.stat().st_size and not restart:
        raise ConfigError(
            f"{out} already exists and has no checkpoint; choose another --out or pass --restart"
        )


def _refuse_binary(corpus: Path, head: bytes, at_end: bool) -> None:
    """InvalidInputError when the head of the corpus holds binary data (a NUL byte, or bytes that
    are not UTF-8) and no line of it is a JSON object: not a corpus with a few bad lines, but not
    text at all. (A text file without records is found by the scan itself, which then scores nothing.)"""
    bad = head.find(b"\0")
    if bad < 0:
        try:
            (head if at_end else head[:-4]).decode("utf-8")  # a character cut by the sample is fine
        except UnicodeDecodeError as exc:
            bad = exc.start
    if bad < 0:
        return
    lines = head.split(b"\n") if at_end else head.split(b"\n")[:-1]  # the last line may be cut
    for line in lines:
        try:
            if isinstance(json.loads(line), dict):
                return
        except ValueError:  # JSONDecodeError and UnicodeDecodeError
            continue
    raise InvalidInputError(
        f"corpus {corpus} is not UTF-8 text (binary data at byte {bad:,}, and no JSON record in its "
        f"first {len(head):,} bytes); a corpus is JSONL, one record per line"
    )


def _no_records(corpus: Path, out: Path, text_field: str, broken: int) -> None:
    """Raise InvalidInputError for a corpus without one usable record, after removing the outputs
    that would look like a successful scan (the rejects file stays: it says what was wrong)."""
    rejects, checkpoint, summary = _paths(out)
    for path in (out, checkpoint, summary) if broken else (out, checkpoint, summary, rejects):
        path.unlink(missing_ok=True)
    where = f"; the reasons are in {rejects}" if broken else ""
    raise InvalidInputError(
        f"no line of {corpus} is a JSON object with a text in field {text_field!r} "
        f"({broken:,} unreadable lines{where}); choose the field with --text-field"
    )


def _open_truncated(path: Path, size: int) -> BinaryIO:
    """`path` opened for appending after cutting it back to `size` bytes (created if missing)."""
    f = path.open("ab")
    f.truncate(size)
    f.seek(size)
    return f


def _read_batch(src: BinaryIO, batch_size: int) -> list[bytes]:
    batch: list[bytes] = []
    while len(batch) < batch_size:
        raw = src.readline()
        if not raw:
            break
        batch.append(raw)
    return batch


def _parse(raw: bytes, text_field: str) -> tuple[dict | None, str | None]:
    """(record, None) for a usable line, (None, None) for a blank one, (None, why) for a broken one."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start})"
    if not line.strip():
        return None, None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(record, dict):
        return None, f"a JSON {type(record).__name__}, not an object"
    if not isinstance(record.get(text_field), str):
        return None, f"no text in field {text_field!r}"
    return record, None


def _line(obj: dict) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


def _commit(
    dst: BinaryIO, rej: BinaryIO, checkpoint: Path, fingerprint: dict, offset: int, counts: dict
) -> None:
    """Outputs to disk first, then the checkpoint that points at them."""
    for f in (dst, rej):
        f.flush()
        os.fsync(f.fileno())
    state = {
        "version": _CHECKPOINT_VERSION,
        "fingerprint": fingerprint,
        "offset": offset,
        "out_bytes": dst.tell(),
        "rejects_bytes": rej.tell(),
        "summary": counts,
    }
    _write_atomic(checkpoint, state)
