"""inventory -> engine -> writers -> exit code. Shared by every command that evaluates.

Exit codes (documented in the README and ``--help``):
  0  no failing finding at or above --fail-on
  1  failing findings at or above --fail-on (unless --soft-fail)
  2  usage or configuration error
  3  scan finished but something could not be checked (unless --tolerate-errors)
Failing findings (1) take precedence over incompleteness (3).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiposture.errors import AiPostureError

if TYPE_CHECKING:  # the engine and writers load on first use: every command imports this module
    from aiposture.engine import Config
    from aiposture.output import Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


@dataclass
class Options:
    formats: list[str] = field(default_factory=lambda: ["table"])
    outputs: list[str] = field(default_factory=list)
    output_dir: Path | None = None
    fail_on: str | None = None
    soft_fail: bool = False
    tolerate_errors: bool = False
    rules_dirs: list[str] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    skip_rules: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    threats: list[str] = field(default_factory=list)
    frameworks: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    category: str | None = None
    show_passed: bool = False
    quiet: bool = False


def plan_outputs(opts: Options) -> list[tuple[str, str]]:
    """(format, destination) pairs; destination "-" is stdout. Validates the combination."""
    from aiposture.output import DEFAULT_FILENAMES, FORMATS

    for f in opts.formats:
        if f not in FORMATS:
            raise AiPostureError(f"unknown format {f!r} (choose from {', '.join(FORMATS)})")
    if opts.output_dir is not None:
        if opts.outputs:
            raise AiPostureError("use either --output or --output-dir, not both")
        return [(f, str(opts.output_dir / DEFAULT_FILENAMES[f])) for f in opts.formats]
    if not opts.outputs:
        if len(opts.formats) > 1:
            raise AiPostureError("several --format values need matching --output paths (in the same order) or --output-dir")
        _no_binary_on_stdout([(opts.formats[0], "-")])
        return [(opts.formats[0], "-")]
    if len(opts.outputs) != len(opts.formats):
        raise AiPostureError(
            f"{len(opts.formats)} --format value(s) but {len(opts.outputs)} --output path(s): give one --output per --format, in order"
        )
    if sum(1 for o in opts.outputs if o == "-") > 1:
        raise AiPostureError("only one output can go to stdout ('-')")
    plan = list(zip(opts.formats, opts.outputs, strict=False))
    _no_binary_on_stdout(plan)
    return plan


def _no_binary_on_stdout(plan: list[tuple[str, str]]) -> None:
    from aiposture.output import BINARY_FORMATS

    for fmt, dest in plan:
        if fmt in BINARY_FORMATS and dest == "-":
            raise AiPostureError(f"the {fmt} format is a zip file: give it an --output path or use --output-dir")


def prepare_rules(opts: Options, config: Config):
    from aiposture.engine import load_rules
    from aiposture.engine.evaluator import select_rules

    rules, problems = load_rules([*config.rule_dirs, *opts.rules_dirs])
    sel = config.select
    rules = select_rules(
        rules,
        ids=opts.rule_ids or sel.get("ids", []),
        severities=opts.severities or sel.get("severity", []),
        threats=opts.threats or sel.get("threats", []),
        frameworks=opts.frameworks or sel.get("frameworks", []),
        providers=opts.providers or sel.get("providers", []),
        skip=[*opts.skip_rules, *config.skip],
    )
    return rules, [str(p) for p in problems]


def evaluate(doc: dict[str, Any], opts: Options, config: Config, *, inventory_path: Path | None = None) -> Report:
    from aiposture.engine import Engine
    from aiposture.output import Report

    rules, problems = prepare_rules(opts, config)
    results = Engine(rules, config).evaluate(doc)
    return Report(results=results, rules=rules, inventory=doc, inventory_path=inventory_path,
                  rule_problems=problems, category=opts.category)


def write_outputs(report: Report, opts: Options, plan: list[tuple[str, str]], console=None) -> None:
    from aiposture.output import writers

    ws = writers()
    for fmt, dest in plan:
        if dest == "-" and fmt == "table":
            from aiposture.output.table import print_report

            if console is None:
                from rich.console import Console

                console = Console()
            print_report(report, console, show_passed=opts.show_passed)
            continue
        if fmt == "evidence":
            from aiposture.output import evidence

            try:
                evidence.write(report, Path(dest))
            except OSError as e:
                raise AiPostureError(f"cannot write the evidence pack to {dest}: {e.strerror}") from None
            if not opts.quiet:
                print(f"wrote {fmt} to {dest}", file=sys.stderr)
            continue
        stream = _stream_writer(fmt)
        if dest == "-":
            if stream is not None:
                stream(report, sys.stdout)
            else:
                sys.stdout.write(ws[fmt](report))
        else:
            p = Path(dest)
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
                if stream is not None:  # large reports go to the file as they are produced
                    with p.open("w", encoding="utf-8") as fh:
                        stream(report, fh)
                else:
                    p.write_text(ws[fmt](report), encoding="utf-8")
            except OSError as e:
                raise AiPostureError(f"cannot write {fmt} output to {p}: {e.strerror}") from None
            if not opts.quiet:
                print(f"wrote {fmt} to {p}", file=sys.stderr)


def _stream_writer(fmt: str):
    """The streaming writer of a format (``write(report, fh)``), when it has one."""
    if fmt == "json":
        from aiposture.output import json_out

        return json_out.write
    if fmt == "sarif":
        from aiposture.output import sarif

        return sarif.write
    return None


def apply_baseline(report: Report, baseline: Path) -> None:
    """Drop failing results already present (same fingerprint) in an earlier JSON result."""
    import json

    from aiposture.engine.model import Status, fingerprint

    try:
        old = json.loads(Path(baseline).read_text(encoding="utf-8"))
        known = {r["fingerprint"] for r in old.get("results", []) if r.get("status") in ("fail", "waived")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise AiPostureError(f"{baseline}: not a JSON result from 'aiposture ... -f json': {e}") from None
    report.results = [r for r in report.results
                      if not (r.status is Status.FAIL and fingerprint(r.rule.id, r.resource_id) in known)]


def exit_code(report: Report, opts: Options, config: Config) -> int:
    from aiposture.engine.model import SEVERITY_RANK, Status

    fail_on = opts.fail_on or config.fail_on or "low"
    failing = [r for r in report.results if r.status is Status.FAIL and SEVERITY_RANK[r.rule.severity] >= SEVERITY_RANK[fail_on]]
    if failing and not opts.soft_fail:
        return EXIT_FINDINGS
    if report.incomplete and not opts.tolerate_errors:
        return EXIT_INCOMPLETE
    return EXIT_OK
