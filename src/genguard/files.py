"""Reading a file the user named, with typed errors: every reader (a key file, a data table ...)
says the same three things when it cannot (not found, a folder, unreadable), and names the byte and
line where a text file stops being UTF-8."""

from __future__ import annotations

import codecs
from pathlib import Path

from genguard.errors import GenguardError


def read_bytes(path: Path, error: type[GenguardError], what: str = "file", hint: str = "") -> bytes:
    """The bytes of `path`. Raises `error` naming the file as "<what> <path>" when it does not
    exist (followed by `hint`, what to do, when given), is a folder, or cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise error(f"{what} {path} not found" + (f"; {hint}" if hint else "")) from exc
    except IsADirectoryError as exc:
        raise error(f"{path} is a folder; give a {what}") from exc
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from exc


def decode_utf8(raw: bytes, path: Path, error: type[GenguardError]) -> str:
    """`raw` as text, a leading UTF-8 byte-order mark dropped (spreadsheets write one). Raises
    `error` naming the byte offset, line and value of the first byte that is not UTF-8, with how
    to re-encode the file."""
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = bom + exc.start
        line = raw.count(b"\n", 0, at) + 1
        raise error(
            f"{path} is not valid UTF-8 (byte {at}, line {line}: {raw[at : at + 1]!r}); "
            "re-encode it as UTF-8, e.g. with iconv -f latin1 -t utf-8"
        ) from exc
