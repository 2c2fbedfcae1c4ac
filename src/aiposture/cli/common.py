"""Pieces every command shares: option sets, error handling, the evaluate-and-report tail."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from aiposture.engine.selection import split_values
from aiposture.errors import AiPostureError
from aiposture.pipeline import EXIT_USAGE, Options, Prepared


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
  2  usage or configuration error
  3  finished, but something could not be checked (not with --tolerate-errors)

\b
Options showing [env var: AIPOSTURE_...] can be set in the environment
instead (CI); the command line wins. Lists are comma-separated.
"""


def handle_errors(fn):
    """User mistakes become one clear line on stderr and exit code 2, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AiPostureError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


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
             help="Configuration file (waivers, selection) [default: ./.aiposture.yaml if present]."),
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
                 scope_label: str | None = None, scan_id: str | None = None) -> int:
    """Evaluate an inventory document, write outputs and return the exit code.

    ``scope_label`` names what the user selected (``aws:{"org":true}``, ``iac:infra``) so
    the history store can find "the previous scan of this scope".

    ``scan_id`` is the id a queued scan was planned under (its store row is replaced by the result).

    ``prepared`` comes from :func:`aiposture.pipeline.prepare`, which live and IaC scans
    call before collecting; without it the same checks run here.
    """
    from aiposture import pipeline

    prepared = prepared or pipeline.prepare(opts, config_path, search_dir=base_dir)
    plan = prepared.plan
    # SARIF needs a real file for live findings: write the inventory beside it when none exists
    if inventory_path is None and any(f == "sarif" for f, _ in plan):
        from aiposture import inventory as inv

        sarif_dest = next(d for f, d in plan if f == "sarif")
        folder = Path(sarif_dest).parent if sarif_dest != "-" else Path.cwd()
        inventory_path = folder / "aiposture-inventory.json"
        inv.save(doc, inventory_path)
    report = pipeline.evaluate(doc, opts, prepared.config, inventory_path=inventory_path, prepared=prepared)
    if opts.store is not None or opts.new_only or os.environ.get("AIPOSTURE_STORE"):
        from aiposture.store.record import record_scan

        record_scan(report, opts, scope_label=scope_label, scan_id=scan_id)
    if baseline is not None:
        pipeline.apply_baseline(report, baseline)
    pipeline.write_outputs(report, opts, plan)
    return pipeline.exit_code(report, opts, prepared.config)


split_csv = split_values  # live-scan options (--regions, --accounts...) split the same way


save_inventory_option = _opt(
    "--save-inventory", type=click.Path(dir_okay=False, path_type=Path), env="SAVE_INVENTORY",
    help="Also write the normalised inventory (re-evaluate later with 'scan --inventory').")
