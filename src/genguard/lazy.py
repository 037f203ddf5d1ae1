"""Import helpers: lazy re-exports for package __init__ modules (PEP 562), so that importing a
package does not import what its names need (torch, transformers, numba) until a name is first
used; and scripts outside the package loaded as modules by path (`load_script`)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any


def lazy_exports(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """(__getattr__, __dir__) for `package`, resolving each name in `names` (name -> module) on
    first use and keeping it in the package's namespace, so later look-ups are plain attributes."""
    namespace = vars(import_module(package))

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(import_module(names[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *names})

    return __getattr__, __dir__


def load_script(path: Path, name: str) -> ModuleType:
    """The Python file at `path` as a module named `name` (for scripts in folders that are not
    packages: models/*/build.py, benchmarks/*.py), registered in sys.modules so that its
    dataclasses and pickles find it; loaded once per name, later calls return that module."""
    loaded = sys.modules.get(name)
    if loaded is not None and Path(getattr(loaded, "__file__", "")) == Path(path):
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
