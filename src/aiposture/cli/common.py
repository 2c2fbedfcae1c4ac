"""Pieces every command shares: option sets, error handling, the evaluate-and-report tail."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from aiposture.errors import AiPostureError
from aiposture.pipeline import EXIT_USAGE, Options

# the --compliance names (rules/_catalog.yaml frameworks[*].slug); checked against the catalog when used
COMPLIANCE_FRAMEWORKS = ("iso27001", "iso42001", "owasp-llm-2025", "mitre-atlas", "eu-ai-act", "iso27090")
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
        click.option("--compliance", "compliance", multiple=True, metavar="FRAMEWORK",
                     help=("Table, JSON and CSV show per-control compliance instead of findings: "
                           f"{'|'.join(COMPLIANCE_FRAMEWORKS)} (repeatable; see 'aiposture compliance list').")),
        click.option("--evidence-raw", is_flag=True,
                     help="Evidence pack: also include the raw API responses behind each resource (secrets redacted)."),
        click.option("--sign-key", type=click.Path(dir_okay=False, path_type=Path), metavar="PEM",
                     help="Evidence pack: sign it with this Ed25519 private key; writes PACK.sig beside it."),
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
        compliance=compliance_names(kw.pop("compliance", ())),
        evidence_raw=kw.pop("evidence_raw", False),
        sign_key=kw.pop("sign_key", None),
        command_line=invocation(),
    )


def invocation() -> list[str] | None:
    """``aiposture`` plus the arguments the root command was invoked with, when running under it."""
    ctx = click.get_current_context(silent=True)
    args = getattr(ctx.find_root().command, "invocation", None) if ctx is not None else None
    return ["aiposture", *args] if args is not None else None


def compliance_names(values) -> list[str]:
    """Validate --compliance names (comma-separated or repeated) against the shipped framework registry."""
    names = split_csv(values)
    if not names:
        return []
    from aiposture.catalog import slugs

    known = slugs()
    for n in names:
        if n.lower() not in known:
            raise AiPostureError(f"--compliance: unknown framework {n!r} (choose from {', '.join(known)})")
    return [n.lower() for n in names]


def run_pipeline(doc: dict, opts: Options, config_path: Path | None, *, inventory_path: Path | None = None,
                 base_dir: Path | None = None, baseline: Path | None = None) -> int:
    """Evaluate an inventory document, write outputs and return the exit code."""
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
