"""Helpers for loading transformers models and tokenizers: quiet progress bars, what to tell
the user when a load fails, readable names for sources."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' progress bars while loading (restored afterwards)."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def display_name(path_or_id: str | Path) -> str:
    """A readable name for a tokenizer source: the hub id, or a local folder's last component."""
    path = Path(path_or_id)
    return path.name if path.exists() else str(path_or_id)


def load_hint(path_or_id: str | Path, gguf_file: str | None) -> str:
    """A sentence telling the user what to check when `path_or_id` failed to load."""
    if gguf_file is not None:
        return (
            f"check that {Path(path_or_id) / gguf_file} exists and is a GGUF file of an architecture "
            "transformers supports (loading GGUF needs the packages `gguf` and `accelerate`)"
        )
    if Path(path_or_id).exists():
        return "check that the folder holds a transformers model (config.json, weights, tokenizer files)"
    return (
        "it is not a local path, so it was treated as a model hub id, which needs network access; "
        "on an offline machine use 'default' (the embedded SmolLM2-135M-Instruct) or a local folder, "
        "and set HF_HUB_OFFLINE=1 to fail fast instead of retrying"
    )
