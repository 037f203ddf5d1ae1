"""The checkpoint folder of a sharded ensemble: one manifest, each shard's records, each step's model.

Layout::

    manifest.json                 format version, parameters, classes, files with their SHA-256
    template-<gen>.pkl            the unfitted constituent estimator
    shard-003/data-<gen>.npz      the shard's records: X, y, ids, slice of each row (sorted)
    shard-003/step-01-<gen>.pkl   the model after slices 0..1

A change writes new files under a new generation number, then replaces manifest.json
atomically, then deletes the files no longer named, so an interrupted `forget` leaves the
previous ensemble intact. Every file is checked against its hash before it is read: a missing,
truncated or altered file is a StorageError naming it. Models are pickles: load checkpoint
folders you wrote yourself, as with any pickled scikit-learn model (the hashes catch damage, not
an attacker who rewrites the manifest too).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from genguard.errors import StorageError
from genguard.unlearning.digest import state_digest

FORMAT = "genguard-sharded-ensemble"
VERSION = 1
MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write(path: Path, payload: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return hashlib.sha256(payload).hexdigest()


class CheckpointStore:
    """Reads and writes one ensemble's checkpoint folder; `files` maps each relative path named
    by the current manifest to its SHA-256."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.files: dict[str, str] = {}
        self.digests: dict[str, str] = {}  # content digests (see digest.py), for fingerprints

    def put_model(self, name: str, model: Any) -> str:
        """Pickle `model` to `name` (relative path); returns the name."""
        self.files[name] = _write(self.folder / name, pickle.dumps(model, protocol=5))
        self.digests[name] = state_digest(model)
        return name

    def put_arrays(self, name: str, **arrays: np.ndarray) -> str:
        """Save arrays (no object arrays: nothing pickled) to `name` (.npz); returns the name."""
        import io

        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        self.files[name] = _write(self.folder / name, buffer.getvalue())
        self.digests[name] = state_digest(arrays)
        return name

    def _checked(self, name: str) -> Path:
        path = self.folder / name
        expected = self.files.get(name)
        if expected is None:
            raise StorageError(f"{self.folder}: the manifest does not name {name}")
        if not path.is_file():
            raise StorageError(f"checkpoint file {path} is missing; the folder is incomplete")
        if _sha256(path) != expected:
            raise StorageError(f"checkpoint file {path} does not match its hash in {MANIFEST}: it is damaged")
        return path

    def get_model(self, name: str) -> Any:
        """The model pickled at `name`, after checking its hash."""
        path = self._checked(name)
        try:
            return pickle.loads(path.read_bytes())
        except Exception as exc:  # a file that matches its hash but does not unpickle here
            raise StorageError(f"cannot read the model in {path}: {type(exc).__name__}: {exc}") from exc

    def get_arrays(self, name: str) -> dict[str, np.ndarray]:
        """The arrays saved at `name`, after checking its hash."""
        path = self._checked(name)
        try:
            with np.load(path, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read the records in {path}: {exc}") from exc

    def commit(self, manifest: dict) -> None:
        """Write manifest.json (with the current files) atomically, then delete unnamed old files."""
        self.digests = {k: v for k, v in self.digests.items() if k in self.files}
        payload = {
            **manifest,
            "format": FORMAT,
            "version": VERSION,
            "files": dict(sorted(self.files.items())),
            "digests": dict(sorted(self.digests.items())),
        }
        _write(self.folder / MANIFEST, (json.dumps(payload, indent=1) + "\n").encode())
        # Only the ensemble's own kinds of file are cleaned up; anything else the user keeps in
        # the folder (the CLI's table.json) stays.
        keep = set(self.files) | {MANIFEST}
        for path in [*self.folder.glob("template-*.pkl"), *self.folder.glob("shard-*/*")]:
            if path.is_file() and path.relative_to(self.folder).as_posix() not in keep:
                path.unlink()

    def discard(self, names: set[str], previous: dict[str, str]) -> None:
        """Undo put_* calls not yet committed: delete those files, restore the file table."""
        for name in names:
            (self.folder / name).unlink(missing_ok=True)
        self.files = dict(previous)
        self.digests = {k: v for k, v in self.digests.items() if k in self.files}

    @classmethod
    def open(cls, folder: str | Path) -> tuple[CheckpointStore, dict]:
        """The store of an existing folder and its manifest; StorageError when the folder or its
        manifest is missing, unreadable, of another format or version."""
        folder = Path(folder)
        path = folder / MANIFEST
        if not folder.is_dir():
            raise StorageError(f"checkpoint folder {folder} does not exist")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StorageError(f"{folder} has no {MANIFEST}; it is not a sharded ensemble's folder") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StorageError(f"{path} is damaged ({exc}); refit the ensemble") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise StorageError(f"{path} is not a sharded ensemble's manifest")
        if manifest.get("version") != VERSION:
            raise StorageError(
                f"{path} has format version {manifest.get('version')!r}; this genguard reads {VERSION}"
            )
        store = cls(folder)
        files = manifest.get("files")
        if not isinstance(files, dict):
            raise StorageError(f"{path} lists no files; it is damaged")
        store.files = {str(k): str(v) for k, v in files.items()}
        digests = manifest.get("digests")
        if not isinstance(digests, dict) or set(digests) != set(store.files):
            raise StorageError(f"{path} lists no content digest for some files; it is damaged")
        store.digests = {str(k): str(v) for k, v in digests.items()}
        return store, manifest
