"""Pieces every command shares: option sets, error handling, the evaluate-and-report tail."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import traceback
from pathlib import Path

import click

from aiposture.engine.selection import split_values
from aiposture.errors import AiPostureError
from aiposture.pipeline import EXIT_INTERNAL, EXIT_USAGE, Options, Prepared
from aiposture.textsafe import clean

ISSUES_URL = "https://github.com/aiposture/aiposture/issues"


class CommaChoice(click.Choice):
    """A choice that also accepts a comma-separated list (``-f json,sarif``, ``--severity high,critical``).

    Used with ``multiple=True``; :func:`build_options` flattens the tuples.
    """

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        parts = [p.strip() for p in str(value).split(",") if p.strip()]
        return tuple(super(CommaChoice, self).convert(p, param, ctx) for p in parts)

    def get_metavar(self, param, *args, **kwargs):  # "[a|b|c],..." in --help (click 8.2 added ctx)
        base = super().get_metavar(param, *args, **kwargs)
        return f"{base},..." if base else base


# the --compliance names (rules/_catalog.yaml frameworks[*].slug); checked against the catalog when used
COMPLIANCE_FRAMEWORKS = ("iso27001", "iso42001", "owasp-llm-2025", "mitre-atlas", "eu-ai-act", "iso27090")
SEVERITIES = ("critical", "high", "medium", "low")
FORMATS = ("table", "json", "sarif", "junit", "csv", "html", "markdown", "evidence")
SEVERITY_CHOICE = click.Choice(SEVERITIES, case_sensitive=False)
SEVERITY_LIST = CommaChoice(SEVERITIES, case_sensitive=False)
FORMAT_CHOICE = CommaChoice(FORMATS, case_sensitive=False)


def flatten(values) -> list[str]:
    """Values of a :class:`CommaChoice` option (tuples) or plain repeated options, as one list."""
    out: list[str] = []
    for v in values or ():
        out += list(v) if isinstance(v, tuple) else split_values([v])
    return out


EXIT_CODES_HELP = """
\b
Exit codes:
  0  no failing finding at or above --fail-on
  1  failing findings at or above --fail-on (not with --soft-fail)
  2  usage or configuration error (one line names the file and field)
  3  finished, but something could not be checked (not with --tolerate-errors)
  4  internal error in aiposture (a bug: please report it; --debug shows the traceback)
  130  interrupted (Ctrl-C)

\b
Options showing [env var: AIPOSTURE_...] can be set in the environment
instead (CI); the command line wins. Lists are comma-separated.
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


def _opt(*decls, env: str | None = None, **kw):
    """click.option with an AIPOSTURE_* environment variable shown in --help."""
    if env:
        kw.update(envvar=f"AIPOSTURE_{env}", show_envvar=True)
    return click.option(*decls, **kw)


def evaluation_options(fn):
    """Options shared by every command that evaluates rules and writes reports."""
    decorators = [
        _opt("--format", "-f", "formats", multiple=True, type=FORMAT_CHOICE, env="FORMAT",
             help="Output format; repeat or comma-separate for several (pair each with an --output, in order)."),
        _opt("--output", "-o", "outputs", multiple=True, metavar="PATH", env="OUTPUT",
             help="Where the matching --format goes ('-' = stdout). Without -f, '-o sarif' means '-f sarif' on stdout."),
        _opt("--output-dir", type=click.Path(file_okay=False, path_type=Path), env="OUTPUT_DIR",
             help="Write every --format into this folder with default names."),
        _opt("--fail-on", type=SEVERITY_CHOICE, env="FAIL_ON", help="Lowest severity that fails the run [default: low]."),
        _opt("--soft-fail", is_flag=True, env="SOFT_FAIL", help="Exit 0 even when findings fail."),
        _opt("--tolerate-errors", is_flag=True, env="TOLERATE_ERRORS",
             help="Exit 0 instead of 3 when something could not be checked."),
        _opt("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), env="CONFIG",
             help="Configuration file (waivers, selection, inline_suppressions). Only this file is read: never one "
                  "found in the scanned tree."),
        _opt("--allow-inline-suppressions/--no-inline-suppressions", "inline_suppressions", default=None,
             help="Apply '# aiposture:ignore RULE reason' comments found in scanned files [default: the config's "
                  "inline_suppressions, else listed but not applied]. Wildcards are never applied."),
        _opt("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path), env="RULES_DIR",
             help="Extra rule directory (repeatable), added to the built-in pack."),
        _opt("--rule", "rule_ids", multiple=True, metavar="ID,...", env="RULE",
             help="Only these rule ids (globs ok, case-insensitive; repeat or comma-separate)."),
        _opt("--skip-rule", "skip_rules", multiple=True, metavar="ID,...", env="SKIP_RULE",
             help="Skip these rule ids (globs ok; repeat or comma-separate)."),
        _opt("--severity", "severities", multiple=True, type=SEVERITY_LIST, env="SEVERITY", help="Only rules of these severities."),
        _opt("--threat", "threats", multiple=True, metavar="THREAT,...", env="THREAT",
             help="Only rules for these ISO 27090 threats (e.g. prompt_injection)."),
        _opt("--framework", "frameworks", multiple=True, metavar="ID,...", env="FRAMEWORK",
             help="Only rules mapped to a framework (iso27001, owasp_llm_2025) or control (LLM01:2025, A.8.15, AML.T0051); "
                  "case-insensitive, a control selects its sub-controls."),
        _opt("--compliance", "compliance", multiple=True, metavar="FRAMEWORK,...", env="COMPLIANCE",
             help=("Table, JSON and CSV show per-control compliance instead of findings: "
                   f"{'|'.join(COMPLIANCE_FRAMEWORKS)} (repeat or comma-separate; see 'aiposture compliance list').")),
        _opt("--evidence-raw", is_flag=True, env="EVIDENCE_RAW",
             help="Evidence pack: also include the raw API responses behind each resource (secrets redacted)."),
        _opt("--sign-key", type=click.Path(dir_okay=False, path_type=Path), metavar="PEM", env="SIGN_KEY",
             help="Evidence pack: sign it with this Ed25519 private key; writes PACK.sig beside it."),
        _opt("--category", env="CATEGORY", help="SARIF automation category (one per account or IaC root)."),
        _opt("--show-passed", is_flag=True, help="Also list passing checks in the table."),
        _opt("--compact/--no-compact", "compact", default=None, env="COMPACT",
             help="Table layout: one line per finding (the default when stdout is not a terminal: CI logs, "
                  "pre-commit) or aligned wrapped columns (the default on a terminal)."),
        _opt("--quiet", "-q", is_flag=True, env="QUIET", help="No progress or 'wrote ...' messages."),
        click.option("--store", "store", is_flag=False, flag_value="default", default=None, metavar="URL",
                     help="Keep this scan in a history store: a SQLite path, sqlite:///PATH or postgresql://... "
                          "(bare --store: ~/.local/share/aiposture/aiposture.db) [env: AIPOSTURE_STORE]."),
        _opt("--new-only", is_flag=True, env="NEW_ONLY",
             help="Report (and fail on) only findings that were not failing in the previous stored scan of the same scope."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def build_options(kw: dict) -> Options:
    return Options(
        formats=[f.lower() for f in flatten(kw.pop("formats", ()))],
        outputs=list(kw.pop("outputs", ())),
        output_dir=kw.pop("output_dir", None),
        fail_on=kw.pop("fail_on", None),
        soft_fail=kw.pop("soft_fail", False),
        tolerate_errors=kw.pop("tolerate_errors", False),
        rules_dirs=[str(p) for p in kw.pop("rules_dirs", ())],
        rule_ids=split_values(kw.pop("rule_ids", ())),
        skip_rules=split_values(kw.pop("skip_rules", ())),
        severities=[s.lower() for s in flatten(kw.pop("severities", ()))],
        threats=split_values(kw.pop("threats", ())),
        frameworks=split_values(kw.pop("frameworks", ())),
        category=kw.pop("category", None),
        show_passed=kw.pop("show_passed", False),
        compact=kw.pop("compact", None),
        quiet=kw.pop("quiet", False),
        compliance=compliance_names(kw.pop("compliance", ())),
        evidence_raw=kw.pop("evidence_raw", False),
        sign_key=kw.pop("sign_key", None),
        command_line=invocation(),
        store=kw.pop("store", None),
        new_only=kw.pop("new_only", False),
        inline_suppressions=kw.pop("inline_suppressions", None),
    )


def compliance_names(values) -> list[str]:
    """Validate --compliance names (comma-separated or repeated) against the shipped framework registry."""
    names = split_values(values)
    if not names:
        return []
    from aiposture.catalog import slugs

    known = slugs()
    for n in names:
        if n.lower() not in known:
            raise AiPostureError(f"--compliance: unknown framework {n!r} (choose from {', '.join(known)})")
    return [n.lower() for n in names]


def invocation() -> list[str] | None:
    """``aiposture`` plus the arguments the root command was invoked with, when running under it."""
    ctx = click.get_current_context(silent=True)
    args = getattr(ctx.find_root().command, "invocation", None) if ctx is not None else None
    return ["aiposture", *args] if args is not None else None


def run_pipeline(doc: dict, opts: Options, config_path: Path | None = None, *, inventory_path: Path | None = None,
                 base_dir: Path | None = None, baseline: Path | None = None, prepared: Prepared | None = None,
                 save_inventory: Path | None = None, loaded: bool = False, scope_label: str | None = None,
                 scan_id: str | None = None) -> int:
    """Evaluate an inventory document, write outputs and return the exit code.

    ``scope_label`` names what the user selected (``aws:{"org":true}``, ``iac:infra``) so
    the history store can find "the previous scan of this scope".

    ``scan_id`` is the id a queued scan was planned under (its store row is replaced by the result).

    ``prepared`` comes from :func:`aiposture.pipeline.prepare`, which live and IaC scans
    call before collecting; without it the same checks run here. ``loaded``: the document was
    read (and checked) by ``inventory.load``; a document built in this process (IaC, live) is
    first made safe to write (:func:`inventory.sanitize`) and given unique resource ids, before
    ``--save-inventory`` writes it. The inventory is written beside SARIF only when a live
    finding needs it (:func:`pipeline.write_companion_inventory`).
    """
    from aiposture import inventory as inv
    from aiposture import pipeline

    prepared = prepared or pipeline.prepare(opts, config_path, search_dir=base_dir)
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
    report = pipeline.evaluate(doc, opts, prepared.config, inventory_path=inventory_path, prepared=prepared)
    if save_inventory is not None:
        report.inventory_lines = inv.dumped_lines(doc)
    if opts.store is not None or opts.new_only or os.environ.get("AIPOSTURE_STORE"):
        from aiposture.store.record import record_scan

        record_scan(report, opts, scope_label=scope_label, scan_id=scan_id)
    if baseline is not None:
        pipeline.apply_baseline(report, baseline)
    pipeline.write_companion_inventory(report, prepared.plan, opts)
    pipeline.write_outputs(report, opts, prepared.plan)
    return pipeline.exit_code(report, opts, prepared.config)


split_csv = split_values  # live-scan options (--regions, --accounts...) split the same way


save_inventory_option = _opt(
    "--save-inventory", type=click.Path(dir_okay=False, path_type=Path), env="SAVE_INVENTORY",
    help="Also write the normalised inventory (re-evaluate later with 'scan --inventory').")
