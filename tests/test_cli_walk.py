"""Every command of the CLI, fed the mistakes a newcomer makes: an unknown option, a missing
required argument or option, a malformed or out-of-range number, a missing, empty or binary input
file, an output path whose folder is a file. Each must end with exit status 2, exactly one line on
stderr, no traceback, and no model loaded.

The commands are found by walking typer's click command tree, so commands added later are walked
without touching this file. Most cases run in-process through `genguard.cli.run` (fast); the
newcomer commands of issue 11 also run as real subprocesses of the installed `genguard` script.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import typing
from enum import Enum
from pathlib import Path

import pytest
import typer.main

from genguard.cli import app, run
from genguard.cli_common import output_file, output_folder

GENGUARD = Path(sys.executable).with_name("genguard")
ROOT = typer.main.get_command(app)
CASE_SECONDS = 60  # a case still running after this has started real work: it fails

# Cases that may legitimately end otherwise, with the reason.
ACCEPTED = {
    # An empty text is a valid input to the detector: "insufficient_evidence" with the number of
    # tokens needed, exit 0 (README: texts too short to decide). Only the tokenizer loads.
    (("watermark", "detect"), "source", "empty"): 0,
}
# Output paths not checked while parsing, with the reason; everything else must use
# cli_common.output_file / output_folder or be an existing input (exists=True).


def commands(group=ROOT, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    """(path, click command) of every leaf command under `group`."""
    found = []
    for name, command in sorted(getattr(group, "commands", {}).items()):
        if hasattr(command, "commands"):
            found += commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


COMMANDS = commands()
IDS = [" ".join(path) for path, _ in COMMANDS]


def _base(annotation) -> type:
    """Path for list[Path], Path | None ...: the type a value of the parameter has."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return _base(args[0]) if args else annotation


def _info(param):
    return param.type_descriptor.parameter_info


def _callback(param):
    return getattr(param.callback, "__wrapped__", param.callback)  # typer wraps callbacks


def _is_input(param) -> bool:
    """An input file: typer's exists=True, or a callback that checks input files (cli_common.input_file
    and the like carry `reads_input`)."""
    if _base(param.type_descriptor.annotation) is not Path:
        return False
    return bool(getattr(_info(param), "exists", False)) or getattr(param.callback, "reads_input", False)


def _is_output(param) -> bool:
    return _base(param.type_descriptor.annotation) is Path and not _is_input(param)


def _range(param) -> tuple[float | None, float | None]:
    """The bounds of a numeric parameter (typer min/max or an in_range callback)."""
    bounds = getattr(param.callback, "range", None)
    if bounds is not None:
        return bounds[0], bounds[1]
    return param.min, param.max


class Files:
    """The files the cases use, in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.good = folder / "good.txt"
        self.good.write_text("def mean(values):\n    return sum(values) / len(values)\n", encoding="utf-8")
        self.empty = folder / "empty.txt"
        self.empty.write_bytes(b"")
        self.binary = folder / "binary.bin"
        self.binary.write_bytes(b"\x00\xff\xfe\x00" + os.urandom(4096) + b"\x00\x80\x81")
        self.missing = folder / "missing.txt"
        self.not_a_folder = self.good / "out.x"  # its "folder" is a file


def _value(param, files: Files) -> str:
    """A valid-looking value for a parameter (only its parsing matters in these cases)."""
    base = _base(param.type_descriptor.annotation)
    if base is Path:
        return str(files.good if _is_input(param) else files.folder / f"new-{param.name}")
    if isinstance(base, type) and issubclass(base, Enum):
        return next(iter(base)).value
    if base in (int, float):
        return str(param.default if param.default is not None else 1)
    return "x"


def _argv(path, command, files: Files, skip: str | None = None, override: dict[str, str] | None = None):
    """The command line of `command` with every required parameter given (but `skip`), then the
    parameters of `override` (name -> value)."""
    override = override or {}
    args: list[str] = [*path]
    for param in command.params:
        if param.name == skip or param.name in override or not param.required:
            continue
        value = _value(param, files)
        args += [value] if not param.opts[0].startswith("-") else [param.opts[0], value]
    for name, value in override.items():
        param = next(p for p in command.params if p.name == name)
        args += [value] if not param.opts[0].startswith("-") else [param.opts[0], value]
    return args


class _TooLong(Exception):
    pass


def _models_loaded() -> int:
    """How many model weights this process holds in genguard's caches (language model, embedder)."""
    loaded = 0
    for module, function in (
        ("genguard.lm.default", "load_default_model"),
        ("genguard.scoring.embedder", "default_embedder"),
    ):
        if module in sys.modules:
            loaded += getattr(sys.modules[module], function).cache_info().currsize
    return loaded


def _expect_usage_error(argv: list[str], capsys, what: str, models_before: int) -> None:
    def stop(signum, frame):
        raise _TooLong(f"still running after {CASE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(CASE_SECONDS)
    try:
        status = run(argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    captured = capsys.readouterr()
    lines = captured.err.rstrip("\n").split("\n")
    context = f"{what}: genguard {' '.join(argv)} -> {status}\nstderr: {captured.err!r}"
    assert status == 2, context
    assert len(lines) == 1 and lines[0].strip(), context
    assert lines[0].startswith("error: "), context
    assert "Traceback" not in captured.err + captured.out, context
    if models_before == 0:
        assert _models_loaded() == 0, f"{context}\na model was loaded"


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run with their default paths (cite import's bib.db): keep them out of the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    return Files(tmp_path_factory.mktemp("walk"))


def test_the_walk_finds_every_command_group() -> None:
    groups = {path[0] for path, _ in COMMANDS}
    assert {"generate", "watermark", "guard", "audit", "provenance", "demo"} <= groups
    assert ("provenance", "index", "query") in [path for path, _ in COMMANDS]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_usage_mistakes(path, command, files: Files, capsys) -> None:
    """Unknown option, each required parameter missing, malformed and out-of-range numbers."""
    models = _models_loaded()
    started = time.perf_counter()
    _expect_usage_error([*_argv(path, command, files), "--frobnicate"], capsys, "unknown option", models)
    for param in command.params:
        if param.required:
            _expect_usage_error(
                _argv(path, command, files, skip=param.name), capsys, f"{param.name} missing", models
            )
        if _base(param.type_descriptor.annotation) in (int, float) and not getattr(param, "is_flag", False):
            argv = _argv(path, command, files, override={param.name: "abc"})
            _expect_usage_error(argv, capsys, f"{param.name} malformed", models)
            low, high = _range(param)
            for bad in ([low - 1] if low is not None else []) + ([high + 1] if high is not None else []):
                argv = _argv(path, command, files, override={param.name: str(bad)})
                _expect_usage_error(argv, capsys, f"{param.name} out of range", models)
    assert time.perf_counter() - started < 30, "usage errors must not wait for anything"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_bad_files(path, command, files: Files, capsys) -> None:
    """Missing, empty and binary input files; output paths under a file."""
    models = _models_loaded()
    for param in command.params:
        if _is_input(param):
            for kind in ("missing", "empty", "binary"):
                argv = _argv(path, command, files, override={param.name: str(getattr(files, kind))})
                expected = ACCEPTED.get((path, param.name, kind))
                if expected is not None:
                    assert run(argv) == expected
                    capsys.readouterr()
                    continue
                _expect_usage_error(argv, capsys, f"{param.name} {kind}", models)
        elif _is_output(param):
            assert _callback(param) in (output_file, output_folder), (
                f"{' '.join(path)} {param.opts[0]}: an output path must be checked while parsing "
                "(callback=cli_common.output_file or output_folder)"
            )
            argv = _argv(path, command, files, override={param.name: str(files.not_a_folder)})
            _expect_usage_error(argv, capsys, f"{param.name} under a file", models)


def test_bare_groups_print_help(capsys) -> None:
    """A group without a command prints its help on stdout and exits 0, as --help does."""
    for argv in ([], ["guard"], ["provenance", "index"]):
        assert run(argv) == 0
        captured = capsys.readouterr()
        assert "Usage" in captured.out and "Traceback" not in captured.out + captured.err


def test_version(capsys) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.startswith("genguard ")


def test_choices_match_the_library() -> None:
    """The CLI's choices (checked before anything heavy is imported) are the library's."""
    from genguard.cli_audit import Method, Preset, Probe
    from genguard.cli_guard import Stage
    from genguard.cli_watermark import Normalizer, Repeats, Scheme
    from genguard.fairness.audit import PROBES
    from genguard.fairness.table import METHODS, PRESETS
    from genguard.guard.policy import STAGES
    from genguard.text import NORMALIZERS
    from genguard.watermark.schemes import ALIASES, SCHEMES

    assert {s.value for s in Scheme} == set(SCHEMES) | set(ALIASES)
    assert {n.value for n in Normalizer} == set(NORMALIZERS)
    assert [s.value for s in Stage] == list(STAGES)
    assert [p.value for p in Probe] == list(PROBES)
    assert {p.value for p in Preset} == set(PRESETS)
    assert [m.value for m in Method] == list(METHODS)
    assert [r.value for r in Repeats] == ["pairs", "ngrams", "none"]


def _genguard(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(GENGUARD), *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )
    return done, time.perf_counter() - started


NEWCOMER = [
    ("--frobnicate",),
    ("nosuchcmd",),
    ("watermark", "detect"),
    ("generate", "x", "--gamma", "abc"),
    ("generate", "x", "--gamma", "2"),
    ("guard", "check", "x", "--stage", "nonsense"),
    ("guard", "scan", "x.jsonl", "--out", "/nonexistent/x.jsonl"),
    ("guard", "scan", "binfile", "--out", "o.jsonl"),
    ("guard", "scan", "x.jsonl", "--out", "o.jsonl", "--batch-size", "0"),
    ("audit", "fairness", "--probe", "tone", "--per-group", "0"),
    ("provenance", "index", "query", "db", "x.txt", "--min-jaccard", "2"),
    ("provenance", "code-compare", "a.py", "b.py", "--language", "java"),
    ("provenance", "code-compare", "empty.txt", "a.py"),
]


@pytest.mark.parametrize("args", NEWCOMER, ids=[" ".join(a) for a in NEWCOMER])
def test_newcomer_mistakes_in_a_real_process(args: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text('{"text": "a calm day"}\n', encoding="utf-8")
    (tmp_path / "x.txt").write_text("a calm day\n", encoding="utf-8")
    (tmp_path / "db").write_bytes(b"")
    (tmp_path / "binfile").write_bytes(b"\x00\x01\xff" * 50_000)
    (tmp_path / "empty.txt").write_bytes(b"")
    program = "def mean(values):\n    total = 0\n    for v in values:\n        total += v\n    return total\n"
    (tmp_path / "a.py").write_text(program, encoding="utf-8")
    (tmp_path / "b.py").write_text(program.replace("total", "acc"), encoding="utf-8")
    done, seconds = _genguard(*args, cwd=tmp_path)
    lines = done.stderr.rstrip("\n").split("\n")
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    assert seconds < 20, f"{seconds:.1f} s: something loaded before the mistake was noticed"
    assert not (tmp_path / "o.jsonl").exists()


def test_help_is_fast() -> None:
    done, seconds = _genguard("--help", cwd=Path.cwd())
    assert done.returncode == 0 and "guard" in done.stdout
    assert seconds < 5  # well under 1 s on an idle machine; the bound leaves room for a loaded one
