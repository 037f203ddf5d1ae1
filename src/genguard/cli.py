"""genguard command line: the Typer app, its command groups and `main()`, which turns every usage or
input error into one line on stderr.

Exit status: 0 success, and for `--help` or a bare command group (its help on stdout, as pip,
docker and kubectl do); 1 a negative verdict (blocked, derived, invalid certificate ...) or an
internal error; 2 a usage or input error; 130 interrupted. Set GENGUARD_DEBUG=1 to see the traceback of an
internal error. Command groups live in cli_<group>.py; this module and they import only typer,
rich.console and the standard library at module level, so that `genguard --help` starts fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from genguard import cli_report
from genguard.cli_audit import audit_app
from genguard.cli_cite import cite_app
from genguard.cli_common import err
from genguard.cli_decisions import audit_decisions
from genguard.cli_detect import detect_app
from genguard.cli_focusgroup import focusgroup_app
from genguard.cli_guard import guard_app
from genguard.cli_keys import audit_log, keys_app
from genguard.cli_pairs import audit_pairs
from genguard.cli_privacy import audit_membership, unlearn_app
from genguard.cli_provenance import provenance_app
from genguard.cli_serve import serve
from genguard.cli_watermark import generate, wm_app
from genguard.errors import GenguardError

app = typer.Typer(
    help="Measurable safety checks for generative models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(generate)
app.add_typer(wm_app, name="watermark")
app.add_typer(guard_app, name="guard")
app.add_typer(audit_app, name="audit")
app.add_typer(provenance_app, name="provenance")
app.add_typer(cite_app, name="cite")
app.add_typer(detect_app, name="detect")
app.add_typer(focusgroup_app, name="focusgroup")
app.command()(serve)
app.add_typer(keys_app, name="keys")
audit_app.command("log")(audit_log)
audit_app.command("pairs")(audit_pairs)
audit_app.command("membership")(audit_membership)
app.add_typer(unlearn_app, name="unlearn")
audit_app.command("decisions")(audit_decisions)
for _command in getattr(cli_report, "COMMANDS", [cli_report.demo]):
    app.command()(_command)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("genguard")
        except PackageNotFoundError:  # running from a source tree that is not installed
            from genguard import __version__ as number
        typer.echo(f"genguard {number}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_version, help="Print the version and exit."),
    ] = False,
) -> None:
    """Measurable safety checks for generative models: watermarks, guardrails, fairness audits,
    provenance. Run 'genguard COMMAND --help' for a command's options."""


def _line(message: str) -> str:
    """`message` on one line (errors may quote multi-line input)."""
    return " ".join(str(message).split())


def _fail(message: str, status: int) -> int:
    err.print(f"error: {_line(message)}", markup=False, soft_wrap=True)
    return status


def _usage_error(exc: typer.TyperException) -> int:
    """One line for a click usage error (bundled in typer as typer._click; its base class is
    typer.TyperException), with where to find help; a bare group's help instead (exit 0)."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help, as --help gives it
        help_text = exc.format_message()  # typer's rich help has printed itself already
        if help_text.strip():
            sys.stdout.write(help_text.rstrip() + "\n")
        return 0
    message = _line(exc.format_message()).replace("Value error, ", "").rstrip(".")  # pydantic's prefix
    message = message[:1].lower() + message[1:]
    where = ctx.command_path if ctx is not None else "genguard"
    return _fail(f"{message} (see '{where} --help')", getattr(exc, "exit_code", 2) or 2)


def run(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default sys.argv[1:]); returns the exit status and writes
    errors as one line to stderr (GENGUARD_DEBUG=1 re-raises internal errors)."""
    try:
        status = app(args=argv, prog_name="genguard", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:
        return _usage_error(exc)
    except GenguardError as exc:
        return _fail(str(exc), 2)
    except BrokenPipeError:  # `genguard ... | head`: the reader left; say nothing
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (closing it at exit would raise again)
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}", 2)
    except (KeyboardInterrupt, typer.Abort):
        return _fail("interrupted", 130)
    except Exception as exc:
        if os.environ.get("GENGUARD_DEBUG", "0") not in ("", "0"):
            raise
        return _fail(
            f"internal error: {type(exc).__name__}: {exc} (rerun with GENGUARD_DEBUG=1 for the traceback)", 1
        )
    if status == 130:  # typer turns Ctrl-C into Exit(130) and returns it without a word
        return _fail("interrupted", 130)
    return status if isinstance(status, int) else 0


def main() -> None:
    """Entry point of the `genguard` script."""
    sys.exit(run())


if __name__ == "__main__":
    main()
