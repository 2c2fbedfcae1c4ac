"""Pieces every command shares: option sets, error handling, the evaluate-and-report tail."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from aiposture.errors import AiPostureError
from aiposture.pipeline import EXIT_USAGE, Options

SEVERITY_CHOICE = click.Choice(["critical", "high", "medium", "low"], case_sensitive=False)
FORMAT_CHOICE = click.Choice(["table", "json", "sarif", "junit", "csv", "html", "evidence"], case_sensitive=False)

EXIT_CODES_HELP = """
\b
Exit codes:
  0  no failing finding at or above --fail-on
  1  failing findings at or above --fail-on (not with --soft-fail)
  2  usage or configuration error
  3  finished, but something could not be checked (not with --tolerate-errors)
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
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Configuration file (waivers, selection) [default: ./.aiposture.yaml if present]."),
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
        click.option("--store", "store", is_flag=False, flag_value="default", default=None, metavar="URL",
                     help="Keep this scan in a history store: a SQLite path, sqlite:///PATH or postgresql://... "
                          "(bare --store: ~/.local/share/aiposture/aiposture.db) [env: AIPOSTURE_STORE]."),
        click.option("--new-only", is_flag=True,
                     help="Report (and fail on) only findings that were not failing in the previous stored scan of the same scope."),
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
        store=kw.pop("store", None),
        new_only=kw.pop("new_only", False),
    )


def run_pipeline(doc: dict, opts: Options, config_path: Path | None, *, inventory_path: Path | None = None,
                 base_dir: Path | None = None, baseline: Path | None = None, scope_label: str | None = None) -> int:
    """Evaluate an inventory document, write outputs and return the exit code.

    ``scope_label`` names what the user selected (``aws:org``, ``iac:infra``) so the
    history store can find "the previous scan of this scope"."""
    from aiposture import pipeline
    from aiposture.engine import load_config

    config = load_config(config_path, search_dir=base_dir or Path.cwd())
    plan = pipeline.plan_outputs(opts)
    # SARIF needs a real file for live findings: write the inventory beside it when none exists
    if inventory_path is None and any(f == "sarif" for f, _ in plan):
        from aiposture import inventory as inv

        sarif_dest = next(d for f, d in plan if f == "sarif")
        folder = Path(sarif_dest).parent if sarif_dest != "-" else Path.cwd()
        folder.mkdir(parents=True, exist_ok=True)
        inventory_path = folder / "aiposture-inventory.json"
        inv.save(doc, inventory_path)
    report = pipeline.evaluate(doc, opts, config, inventory_path=inventory_path)
    if opts.store is not None or opts.new_only or os.environ.get("AIPOSTURE_STORE"):
        from aiposture.store.record import record_scan

        record_scan(report, opts, scope_label=scope_label)
    if baseline is not None:
        pipeline.apply_baseline(report, baseline)
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
