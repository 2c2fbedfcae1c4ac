"""Pieces every command shares: option sets, error handling, the evaluate-and-report tail."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import traceback
from pathlib import Path

import click

from aiposture.errors import AiPostureError
from aiposture.pipeline import EXIT_INTERNAL, EXIT_USAGE, Options
from aiposture.textsafe import clean

SEVERITY_CHOICE = click.Choice(["critical", "high", "medium", "low"], case_sensitive=False)
FORMAT_CHOICE = click.Choice(["table", "json", "sarif", "junit", "csv", "html", "evidence"], case_sensitive=False)
ISSUES_URL = "https://github.com/aiposture/aiposture/issues"

EXIT_CODES_HELP = """
\b
Exit codes:
  0  no failing finding at or above --fail-on
  1  failing findings at or above --fail-on (not with --soft-fail)
  2  usage or configuration error (one line names the file and field)
  3  finished, but something could not be checked (not with --tolerate-errors)
  4  internal error in aiposture (a bug: please report it; --debug shows the traceback)
"""

_debug = False


def set_debug(on: bool) -> None:
    global _debug
    _debug = on


def debug_enabled() -> bool:
    """``--debug`` or ``AIPOSTURE_DEBUG=1``: show tracebacks of internal errors."""
    return _debug or os.environ.get("AIPOSTURE_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def say(message: object, *, err: bool = True) -> None:
    """Print one line of our own text with anything hostile in it made inert (see textsafe)."""
    click.echo(clean(message), err=err)


def setup_streams() -> None:
    """Never crash on a character the terminal's encoding cannot show: escape it instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a detached or closed stream
                reconfigure(errors="backslashreplace")


def _where(e: BaseException) -> str:
    """module:line of the innermost aiposture frame: enough to report a bug, no data values."""
    frames = traceback.extract_tb(e.__traceback__)
    ours = [f for f in frames if "aiposture" in f.filename.replace("\\", "/")] or frames
    if not ours:
        return "?"
    f = ours[-1]
    name = f.filename.replace("\\", "/")
    name = name[name.rfind("aiposture/"):] if "aiposture/" in name else os.path.basename(name)
    return f"{name}:{f.lineno} ({f.name})"


def exit_code_for(e: BaseException) -> int:
    """Tell the user about an exception that reached the command line; return the exit code.

    A user mistake (:class:`AiPostureError`) is one line and exit 2. Anything else is a bug in
    aiposture: exit 4 with where it happened and how to report it, never exit 1 (which means
    "findings") and never a traceback unless --debug / AIPOSTURE_DEBUG=1. The exception's own
    message is not printed: it may quote the input being read.
    """
    if isinstance(e, AiPostureError):
        say(f"error: {e}")
        return EXIT_USAGE
    if isinstance(e, KeyboardInterrupt):
        say("interrupted")
        return 130
    if isinstance(e, BrokenPipeError):  # the reader went away (| head): nothing left to tell
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # pragma: no cover
            pass
        return 141
    if debug_enabled():
        traceback.print_exception(e)
    from aiposture import __version__

    kind = "out of memory" if isinstance(e, MemoryError) else f"{type(e).__name__} at {_where(e)}"
    say(f"internal error in aiposture {__version__}: {kind}")
    say(f"this is a bug: please report it at {ISSUES_URL} with the command you ran"
        + ("" if debug_enabled() else " and the traceback from --debug (or AIPOSTURE_DEBUG=1)"))
    return EXIT_INTERNAL


def handle_errors(fn):
    """Every exception becomes a clear message and a documented exit code (see :func:`exit_code_for`)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:
            sys.exit(exit_code_for(e))

    return wrapper


class SafeGroup(click.Group):
    """A command group that applies :func:`exit_code_for` to whatever its commands raise."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except (Exception, KeyboardInterrupt) as e:
            sys.exit(exit_code_for(e))


def evaluation_options(fn):
    """Options shared by every command that evaluates rules and writes reports."""
    decorators = [
        click.option("--format", "-f", "formats", multiple=True, type=FORMAT_CHOICE,
                     help="Output format; repeat for several (pair each with an --output, in order)."),
        click.option("--output", "-o", "outputs", multiple=True, metavar="PATH",
                     help="Where the matching --format goes ('-' = stdout)."),
        click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Write every --format into this folder with default names."),
        click.option("--fail-on", type=SEVERITY_CHOICE, help="Lowest severity that fails the run [default: low]."),
        click.option("--soft-fail", is_flag=True, help="Exit 0 even when findings fail."),
        click.option("--tolerate-errors", is_flag=True, help="Exit 0 instead of 3 when something could not be checked."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), envvar="AIPOSTURE_CONFIG",
                     help="Configuration file (waivers, selection) [env AIPOSTURE_CONFIG]. Never read from the "
                          "scanned tree unless named here."),
        click.option("--allow-inline-suppressions/--no-inline-suppressions", "inline_suppressions", default=None,
                     help="Apply '# aiposture:ignore RULE reason' comments found in scanned files "
                          "[default: the config's inline_suppressions, else not applied: listed only]."),
        click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path),
                     help="Extra rule directory (repeatable), added to the built-in pack."),
        click.option("--rule", "rule_ids", multiple=True, metavar="ID", help="Only these rule ids (globs ok, repeatable)."),
        click.option("--skip-rule", "skip_rules", multiple=True, metavar="ID", help="Skip these rule ids (globs ok)."),
        click.option("--severity", "severities", multiple=True, type=SEVERITY_CHOICE, help="Only rules of this severity."),
        click.option("--threat", "threats", multiple=True, metavar="THREAT", help="Only rules for this ISO 27090 threat (e.g. prompt_injection)."),
        click.option("--framework", "frameworks", multiple=True, metavar="ID",
                     help="Only rules mapped to a framework (owasp_llm_2025) or control (LLM01:2025, A.8.15)."),
        click.option("--category", help="SARIF automation category (one per account or IaC root)."),
        click.option("--show-passed", is_flag=True, help="Also list passing checks in the table."),
        click.option("--quiet", "-q", is_flag=True, help="No progress or 'wrote ...' messages."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def build_options(kw: dict) -> Options:
    return Options(
        formats=[f.lower() for f in kw.pop("formats", ())] or ["table"],
        outputs=list(kw.pop("outputs", ())),
        output_dir=kw.pop("output_dir", None),
        fail_on=kw.pop("fail_on", None),
        soft_fail=kw.pop("soft_fail", False),
        tolerate_errors=kw.pop("tolerate_errors", False),
        rules_dirs=[str(p) for p in kw.pop("rules_dirs", ())],
        rule_ids=list(kw.pop("rule_ids", ())),
        skip_rules=list(kw.pop("skip_rules", ())),
        severities=list(kw.pop("severities", ())),
        threats=list(kw.pop("threats", ())),
        frameworks=list(kw.pop("frameworks", ())),
        category=kw.pop("category", None),
        show_passed=kw.pop("show_passed", False),
        quiet=kw.pop("quiet", False),
        inline_suppressions=kw.pop("inline_suppressions", None),
    )


def run_pipeline(doc: dict, opts: Options, config_path: Path | None, *, inventory_path: Path | None = None,
                 base_dir: Path | None = None, baseline: Path | None = None, save_inventory: Path | None = None,
                 loaded: bool = False) -> int:
    """Evaluate an inventory document, write outputs and return the exit code.

    ``loaded``: the document was read (and checked) by ``inventory.load``. A document built in
    this process (IaC, live) is first made safe to write (:func:`inventory.sanitize`) and given
    unique resource ids, before ``--save-inventory`` writes it.
    """
    from aiposture import inventory as inv
    from aiposture import pipeline
    from aiposture.engine import load_config
    from aiposture.engine.config import ignored_config_note

    config = load_config(config_path)
    if config_path is None and not opts.quiet:
        note = ignored_config_note(base_dir or Path.cwd())
        if note:
            say(f"note: {note}")
    plan = pipeline.plan_outputs(opts)
    if not loaded:
        notes = inv.disambiguate_ids(doc) + inv.sanitize(doc)
        doc.setdefault("scan", {}).setdefault("notes", []).extend(notes)
        for n in notes:
            if not opts.quiet:
                say(f"note: {n}")
    if save_inventory is not None:
        inv.save(doc, save_inventory)
        inventory_path = save_inventory
        if not opts.quiet:
            say(f"wrote inventory to {save_inventory}")
    report = pipeline.evaluate(doc, opts, config, inventory_path=inventory_path)
    if save_inventory is not None:
        report.inventory_lines = inv.dumped_lines(doc)
    if baseline is not None:
        pipeline.apply_baseline(report, baseline)
    pipeline.write_companion_inventory(report, plan, opts)
    pipeline.write_outputs(report, opts, plan)
    return pipeline.exit_code(report, opts, config)


def split_csv(values) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out += [x.strip() for x in str(v).split(",") if x.strip()]
    return out


save_inventory_option = click.option(
    "--save-inventory", type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the normalised inventory (re-evaluate later with 'scan --inventory').")
