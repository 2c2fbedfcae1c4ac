"""inventory -> engine -> writers -> exit code. Shared by every command that evaluates.

Exit codes (documented in the README, ``--help`` and docs/github-action.md):
  0  no failing finding at or above --fail-on
  1  failing findings at or above --fail-on (unless --soft-fail)
  2  usage or configuration error: one line names the file and the field
  3  scan finished but something could not be checked (unless --tolerate-errors)
  4  internal error (a bug in aiposture; the CLI says how to report it)
Failing findings (1) take precedence over incompleteness (3). Nothing else is ever 1.

Every file is written through :mod:`aiposture.safeio` (never through a symbolic link
the scanned tree planted), and only where the user asked: the one exception, the
inventory a live SARIF report points at, is written beside the SARIF file only when
some SARIF result needs it (see :func:`write_companion_inventory`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiposture.engine import Config, Engine, Status, load_rules
from aiposture.engine.evaluator import select_rules
from aiposture.engine.model import SEVERITY_RANK
from aiposture.errors import AiPostureError
from aiposture.output import BINARY_FORMATS, DEFAULT_FILENAMES, FORMATS, Report, writers

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4
COMPANION_INVENTORY = "aiposture-inventory.json"
MAX_BASELINE_MB = 512


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
    inline_suppressions: bool | None = None  # None: the config decides (default: not applied)


def plan_outputs(opts: Options) -> list[tuple[str, str]]:
    """(format, destination) pairs; destination "-" is stdout. Validates the combination."""
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
    for fmt, dest in plan:
        if fmt in BINARY_FORMATS and dest == "-":
            raise AiPostureError(f"the {fmt} format is a zip file: give it an --output path or use --output-dir")


def prepare_rules(opts: Options, config: Config):
    for d in opts.rules_dirs:  # a directory the user named and that is not there is a usage error, not "not checked"
        if not Path(d).exists():
            raise AiPostureError(f"--rules-dir {d}: not found")
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
    if opts.inline_suppressions is not None:
        config.inline_suppressions = opts.inline_suppressions
    rules, problems = prepare_rules(opts, config)
    results = Engine(rules, config).evaluate(doc)
    return Report(results=results, rules=rules, inventory=doc, inventory_path=inventory_path,
                  rule_problems=problems, category=opts.category)


def _note(opts: Options, message: str) -> None:
    if not opts.quiet:
        from aiposture.textsafe import clean

        print(clean(message), file=sys.stderr)


def write_outputs(report: Report, opts: Options, plan: list[tuple[str, str]], console=None) -> None:
    """Write every (format, destination); files go through :func:`aiposture.safeio.write_file`."""
    from aiposture import safeio

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

            safeio.write_file(dest, evidence.build(report), "evidence pack")
            _note(opts, f"wrote {fmt} to {dest}")
            continue
        stream = streaming_writers().get(fmt)
        if dest == "-":
            sys.stdout.flush()
            out = getattr(sys.stdout, "buffer", None)  # bytes: UTF-8 whatever the terminal's encoding
            for batch in safeio.batches(stream(report) if stream is not None else [ws[fmt](report)]):
                if out is None:  # a test harness's text stream
                    sys.stdout.write(batch)
                else:
                    out.write(batch.encode("utf-8"))
            if out is not None:
                out.flush()
            continue
        if stream is not None:
            safeio.write_chunks(dest, f"{fmt} report", stream(report))
        else:
            safeio.write_file(dest, ws[fmt](report), f"{fmt} report")
        _note(opts, f"wrote {fmt} to {dest}")


def streaming_writers() -> dict[str, Any]:
    """Formats that can write straight into a file (large reports without a second copy in memory)."""
    from aiposture.output import json_out, sarif

    return {"json": json_out.chunks, "sarif": sarif.chunks}


def write_companion_inventory(report: Report, plan: list[tuple[str, str]], opts: Options) -> None:
    """Give live SARIF findings a file to point at, only when needed and only beside the SARIF file.

    IaC findings point at the IaC files, and a saved or given inventory is used as is: then
    nothing is written. Otherwise, when a SARIF result has no source file, the inventory is
    written as ``aiposture-inventory.json`` in the SARIF file's folder (a folder the user chose;
    a planted link there is replaced, not followed). SARIF on stdout has no folder: nothing is
    written, the locations name the file ``--save-inventory`` would write, and a note says so.
    """
    if report.inventory_path is not None:
        return
    sarif_dests = [d for f, d in plan if f == "sarif"]
    if not sarif_dests or not any(
        r.status in (Status.FAIL, Status.WAIVED) and not (r.resource.get("source") or {}).get("file") for r in report.results
    ):
        return
    from aiposture import inventory

    files = [d for d in sarif_dests if d != "-"]
    report.inventory_lines = inventory.dumped_lines(report.inventory)
    if not files:
        report.inventory_path = Path(COMPANION_INVENTORY)
        _note(opts, f"note: SARIF on stdout: live findings point at {COMPANION_INVENTORY}, which was not written "
                    f"(add --save-inventory {COMPANION_INVENTORY})")
        return
    path = Path(files[0]).parent / COMPANION_INVENTORY
    inventory.save(report.inventory, path)
    report.inventory_path = path
    _note(opts, f"wrote the inventory SARIF live findings point at to {path}")


def apply_baseline(report: Report, baseline: Path) -> None:
    """Drop failing results already present (same fingerprint) in an earlier JSON result."""
    from aiposture.engine.model import fingerprint
    from aiposture.inventory import read_json

    old = read_json(baseline, "baseline", max_bytes=MAX_BASELINE_MB * 1024 * 1024, error=AiPostureError)
    results = old.get("results") if isinstance(old, dict) else None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise AiPostureError(f"{baseline}: results: not a JSON result from 'aiposture ... -f json' (no list of results)")
    known = {r.get("fingerprint") for r in results if r.get("status") in ("fail", "waived") and isinstance(r.get("fingerprint"), str)}
    report.results = [r for r in report.results
                      if not (r.status is Status.FAIL and fingerprint(r.rule.id, r.resource_id) in known)]


def exit_code(report: Report, opts: Options, config: Config) -> int:
    fail_on = opts.fail_on or config.fail_on or "low"
    failing = [r for r in report.results if r.status is Status.FAIL and SEVERITY_RANK[r.rule.severity] >= SEVERITY_RANK[fail_on]]
    if failing and not opts.soft_fail:
        return EXIT_FINDINGS
    if report.incomplete and not opts.tolerate_errors:
        return EXIT_INCOMPLETE
    return EXIT_OK
