"""Submissions from files and folders, for the assignment-mode scan (`genguard provenance code-scan`).

A file given by name is one submission; a folder contributes every file under it (recursively,
hidden files and folders skipped) whose suffix names a supported language, each named by its path
from that folder's parent (folder/sub/file.py). Files are read as UTF-8; the language is resolved
as `code-compare` does (code_language.resolve_language: suffixes, or --language checked).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from genguard.errors import InvalidInputError
from genguard.provenance.code_assignment import ScanReport, scan
from genguard.provenance.code_language import resolve_language
from genguard.provenance.code_tokens import _SUFFIXES

MAX_FILES = 20_000


def _files(path: Path) -> list[tuple[str, Path]]:
    if not path.exists():
        raise InvalidInputError(f"{path} not found")
    if not path.is_dir():
        return [(str(path), path)]
    found = []
    path = path.resolve()
    for folder, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in _SUFFIXES:
                full = Path(folder) / name
                found.append((str(full.relative_to(path.parent)), full))
    if not found:
        raise InvalidInputError(f"{path} holds no source file ({' '.join(sorted(_SUFFIXES))})")
    return found


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path} is not UTF-8 text (byte {exc.start}); convert it first") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None


def read_submissions(
    paths: Sequence[Path], language: str | None = None, *, what: str = "submission"
) -> tuple[dict[str, str], str]:
    """(name -> source, canonical language) of the files and folders `paths`.

    InvalidInputError (one line) for a missing path, a folder without source files, a file that is
    not UTF-8 or is empty, two files with the same name, more than MAX_FILES files, or languages
    that disagree (see code_language.resolve_language)."""
    found = [item for path in paths for item in _files(Path(path))]
    if len(found) > MAX_FILES:
        raise InvalidInputError(f"{len(found)} {what} files; at most {MAX_FILES} per scan")
    sources: dict[str, str] = {}
    for name, path in found:
        if name in sources:
            raise InvalidInputError(f"two {what} files are named {name!r}; give their folders instead")
        sources[name] = _read(path)
    return sources, resolve_language(list(sources.items()), language)


def scan_paths(
    paths: Sequence[Path], base_code: Sequence[Path] = (), language: str | None = None, top: int = 20
) -> ScanReport:
    """code_assignment.scan of the submissions under `paths`, discounting the code under `base_code`
    (files or folders, read as read_submissions does); the CLI's `code-scan`."""
    subs, name = read_submissions(paths, language)
    base = read_submissions(base_code, name, what="base code")[0] if base_code else None
    return scan(subs, name, base_code=base, top=top)
