"""A digest of a model's state by content, for comparing models bit for bit.

Pickle bytes are no good for that: torch writes storage keys that differ between equal tensors,
and pickle's memo makes the bytes depend on which objects happen to be shared. `state_digest`
walks the object instead: arrays and tensors by dtype, shape and raw bytes; dicts by sorted
keys; other objects by class name and attributes (their pickled state). Two models with equal
digests have identical parameters and identical state for further training.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np


def _feed(h: Any, obj: Any, depth: int) -> None:
    if depth > 64:
        raise ValueError("object nests more than 64 levels deep")
    if obj is None or isinstance(obj, bool | int | float | complex | str | bytes):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
        return
    if isinstance(obj, np.generic):
        obj = np.asarray(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "O":
            h.update(f"objarray{obj.shape};".encode())
            for item in obj.ravel().tolist():
                _feed(h, item, depth + 1)
            return
        h.update(f"ndarray:{obj.dtype.str}:{obj.shape};".encode())
        h.update(np.ascontiguousarray(obj).tobytes())
        return
    module = type(obj).__module__
    if module.startswith("torch"):
        import torch

        if isinstance(obj, torch.Tensor):
            _feed(h, obj.detach().cpu().numpy(), depth + 1)
            return
        if isinstance(obj, torch.nn.Module):
            h.update(f"module:{type(obj).__qualname__};".encode())
            _feed(h, dict(obj.state_dict()), depth + 1)
            return
    if isinstance(obj, dict):
        h.update(f"dict{len(obj)};".encode())
        for key in sorted(obj, key=repr):
            _feed(h, key, depth + 1)
            _feed(h, obj[key], depth + 1)
        return
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj, key=repr) if isinstance(obj, set | frozenset) else obj
        h.update(f"{type(obj).__name__}{len(items)};".encode())
        for item in items:
            _feed(h, item, depth + 1)
        return
    if isinstance(obj, np.random.Generator):
        _feed(h, obj.bit_generator.state, depth + 1)
        return
    h.update(f"object:{module}.{type(obj).__qualname__};".encode())
    state = obj.__getstate__() if hasattr(obj, "__getstate__") else vars(obj)
    _feed(h, state, depth + 1)


def state_digest(obj: Any) -> str:
    """SHA-256 (hex) of `obj`'s state by content; see the module docstring."""
    h = hashlib.sha256()
    _feed(h, obj, 0)
    return h.hexdigest()
