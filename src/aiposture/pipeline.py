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

import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiposture.errors import AiPostureError
from aiposture.output import BINARY_FORMATS, DEFAULT_FILENAMES, FORMATS

if TYPE_CHECKING:  # the engine and writers load on first use: every command imports this module
    from aiposture.engine import Config
    from aiposture.engine.model import Rule
    from aiposture.output import Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4
COMPANION_INVENTORY = "aiposture-inventory.json"
MAX_BASELINE_MB = 512


@dataclass
class Options:
    formats: list[str] = field(default_factory=list)  # empty: a table on stdout
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
    compact: bool | None = None  # table layout: None = compact unless the destination is a terminal
    compliance: list[str] = field(default_factory=list)  # framework slugs: table/json/csv show the compliance view
    evidence_raw: bool = False  # evidence pack: add the raw API responses behind each resource
    sign_key: Path | None = None  # evidence pack: Ed25519 private key for a detached signature
    command_line: list[str] | None = None  # as invoked (set by the CLI); default sys.argv
    store: str | None = None  # --store value ("default" for the bare flag); AIPOSTURE_STORE applies when None
    new_only: bool = False
    inline_suppressions: bool | None = None  # None: the config decides (default: not applied)


# what Checkov and Trivy users type after -o (Checkov's -o is the format)
FORMAT_ALIASES = {"cli": "table", "junitxml": "junit", "text": "table"}


def _format_name(value: str) -> str | None:
    """The format a bare ``-o`` value names (``sarif``, ``JSON``, ``cli``), or None for a path."""
    v = value.strip().lower()
    v = FORMAT_ALIASES.get(v, v)
    return v if v in FORMATS else None


def plan_outputs(opts: Options, *, notes: list[str] | None = None) -> list[tuple[str, str]]:
    """(format, destination) pairs; destination "-" is stdout. Validates the combination.

    ``-o sarif`` without any ``-f`` (the Checkov habit, where ``-o`` is the format) is read
    as ``-f sarif`` on stdout, and a note saying so is appended to ``notes``. With an ``-f``
    given, ``-o`` is always a path.
    """
    formats = [FORMAT_ALIASES.get(f.lower(), f.lower()) for f in opts.formats]
    outputs = list(opts.outputs)
    for f in formats:
        if f not in FORMATS:
            raise AiPostureError(f"unknown format {f!r} (choose from {', '.join(FORMATS)})")
    if not formats and outputs and all(_format_name(o) for o in outputs) and opts.output_dir is None:
        if len(outputs) > 1:
            raise AiPostureError(
                f"-o {' -o '.join(outputs)}: -o is the output path; name formats with -f and pair each with an -o path "
                f"(e.g. -f sarif -o results.sarif -f json -o results.json) or use --output-dir")
        fmt = _format_name(outputs[0]) or "table"
        if notes is not None:
            notes.append(f"'-o {outputs[0]}' read as '-f {fmt}' written to stdout (-o is the output path: "
                         f"-f {fmt} -o results.{DEFAULT_FILENAMES[fmt].rsplit('.', 1)[-1]} writes a file)")
        formats, outputs = [fmt], []
    for fmt, out in zip(formats, outputs, strict=False):
        named = _format_name(out)
        if named and named != fmt:
            raise AiPostureError(
                f"-o {out} names the {named} format, but it is the path for -f {fmt}: to write {named} use "
                f"-f {named} -o results.{DEFAULT_FILENAMES[named].rsplit('.', 1)[-1]}; for a file really called "
                f"'{out}' write -o ./{out}")
    formats = formats or ["table"]
    if opts.output_dir is not None:
        if outputs:
            raise AiPostureError("use either --output or --output-dir, not both")
        return [(f, str(opts.output_dir / DEFAULT_FILENAMES[f])) for f in formats]
    if not outputs:
        if len(formats) > 1:
            raise AiPostureError("several --format values need matching --output paths (in the same order) or --output-dir")
        _no_binary_on_stdout([(formats[0], "-")])
        return [(formats[0], "-")]
    if len(outputs) != len(formats):
        raise AiPostureError(
            f"{len(formats)} --format value(s) but {len(outputs)} --output path(s): give one --output per --format, in order"
        )
    if sum(1 for o in outputs if o == "-") > 1:
        raise AiPostureError("only one output can go to stdout ('-')")
    plan = list(zip(formats, outputs, strict=True))
    _no_binary_on_stdout(plan)
    return plan


def _no_binary_on_stdout(plan: list[tuple[str, str]]) -> None:
    for fmt, dest in plan:
        if fmt in BINARY_FORMATS and dest == "-":
            raise AiPostureError(f"the {fmt} format is a zip file: give it an --output path or use --output-dir")


def check_destination(path: str | Path, what: str) -> None:
    """Fail now, in one line, if ``what`` could not be written to ``path`` later.

    Run before a scan that may take minutes, so an unwritable ``--output-dir``,
    ``--output`` or ``--save-inventory`` is a usage error up front rather than a
    traceback after the work is done. Creates the missing parent folders (the
    write would create them anyway) and proves the folder takes a new file. A device, a
    named pipe or a path under /dev or /proc (:func:`aiposture.safeio.special_destination`)
    is only checked for write permission: nothing is created there.
    """
    import os
    import tempfile

    from aiposture.safeio import check_no_links, special_destination

    p = Path(path)
    if special_destination(p):
        # /dev/null, /dev/stdout, a FIFO: written in place later; nothing may be created in /dev or
        # beside a device (a probe file there would be left in a system folder, or fail for no reason)
        if not os.access(p, os.W_OK):
            why = "no such file" if not os.path.lexists(p) else "permission denied"
            raise AiPostureError(f"cannot write {what} to {p}: {why}")
        return
    check_no_links(p, what)
    if p.is_dir() and not p.is_symlink():
        raise AiPostureError(f"cannot write {what} to {p}: it is a folder")
    folder = p.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".aiposture-", delete=True):
            pass
    except OSError as e:
        raise AiPostureError(f"cannot write {what} to {p}: {e.strerror or e}") from None


def preflight(opts: Options, *extra: tuple[str | Path | None, str]) -> list[tuple[str, str]]:
    """Plan the outputs and check that every destination can be written (see :func:`check_destination`).

    ``extra`` are other files the command will write, as (path or None, what).
    Notes about how the options were read go to stderr.
    """
    notes: list[str] = []
    plan = plan_outputs(opts, notes=notes)
    for note in notes:
        _say(f"note: {note}")
    for fmt, dest in plan:
        if dest != "-":
            check_destination(dest, f"the {fmt} output")
    for path, what in extra:
        if path is not None:
            check_destination(path, what)
    return plan


def write_file(path: str | Path, text: str | bytes, what: str) -> None:
    """Write to ``path`` (creating folders) through :func:`aiposture.safeio.write_file`: never through
    a planted link; an OS error is one line and exit 2."""
    from aiposture import safeio

    safeio.write_file(path, text, what)


def _say(message: str) -> None:
    from aiposture.textsafe import clean

    print(clean(message), file=sys.stderr)


def prepare_rules(opts: Options, config: Config) -> tuple[list[Rule], list[str]]:
    """Load the rule pack plus extra folders, then apply and validate the selection.

    The command line wins over the configuration file's ``select``; ``skip`` adds up.
    A selection that names nothing known, or matches no rule, is a usage error.
    """
    selected, _pack, problems = select_from_pack(opts, config)
    return selected, problems


def select_from_pack(opts: Options, config: Config) -> tuple[list[Rule], list[Rule], list[str]]:
    """(selected rules, every rule loaded, problems): the compliance view tells "not selected" from "not covered"."""
    from aiposture.engine import load_rules
    from aiposture.engine.selection import Criteria, resolve

    for d in opts.rules_dirs:  # a directory the user named and that is not there is a usage error, not "not checked"
        if not Path(d).exists():
            raise AiPostureError(f"--rules-dir {d}: not found")
    rules, problems = load_rules([*config.rule_dirs, *opts.rules_dirs])
    sel = config.select
    where = f" in {config.path}" if config.path else ""
    labels = {}
    criteria = Criteria(skip=[*opts.skip_rules, *config.skip], providers=list(opts.providers))
    for name, cli_value, key in (("ids", opts.rule_ids, "ids"), ("severities", opts.severities, "severity"),
                                 ("threats", opts.threats, "threats"), ("frameworks", opts.frameworks, "frameworks")):
        if cli_value:
            setattr(criteria, name, list(cli_value))
        elif sel.get(key):
            setattr(criteria, name, list(sel[key]))
            labels[name] = f"select.{key}{where}"
    if not criteria.providers and sel.get("providers"):
        criteria.providers = list(sel["providers"])
        labels["providers"] = f"select.providers{where}"
    if not opts.skip_rules and config.skip:
        labels["skip"] = f"skip{where}"
    criteria.labels = labels
    hint = f"{len(problems)} rule file(s) could not be loaded; see the errors above" if problems else ""
    try:
        selected, warnings = resolve(rules, criteria, hint=hint)
    except AiPostureError:
        for p in problems:  # otherwise the reports list them
            _say(f"error: {p}")
        raise
    for w in warnings:
        _say(f"warning: {w}")
    return selected, rules, [str(p) for p in problems]


@dataclass
class Prepared:
    """Everything decided before any inventory is read: checked outputs, configuration, selected rules."""

    plan: list[tuple[str, str]]
    config: Config
    rules: list[Rule]
    rule_problems: list[str]
    pack: list[Rule] = field(default_factory=list)  # every rule loaded, selected or not


def prepare(opts: Options, config_path: Path | None, *, search_dir: Path | None = None,
            writes: tuple[tuple[str | Path | None, str], ...] = ()) -> Prepared:
    """Check outputs, load the configuration and resolve the rule selection, in that order.

    Live and IaC scans call this before collecting, so a typo in a flag or an unwritable
    output is exit 2 in a second rather than after a scan that took minutes.
    """
    from aiposture.engine import load_config
    from aiposture.engine.config import ignored_config_note

    plan = preflight(opts, *writes)
    config = load_config(config_path)  # only the file the user named: never discovered in the scanned tree
    if config_path is None and not opts.quiet:
        note = ignored_config_note(search_dir or Path.cwd())
        if note:
            _say(f"note: {note}")
    if opts.inline_suppressions is not None:
        config.inline_suppressions = opts.inline_suppressions
    rules, pack, problems = select_from_pack(opts, config)
    return Prepared(plan, config, rules, problems, pack)


def command_line(argv: list[str] | None = None) -> list[str]:
    """The command as typed (``aiposture scan ...``), with the values of secret-looking options masked."""
    import os

    from aiposture.argv import redact_argv

    args = list(sys.argv if argv is None else argv)
    if args:
        args[0] = "aiposture" if os.path.basename(args[0]) in ("aiposture", "__main__.py") else os.path.basename(args[0])
    return redact_argv(args)


def run_context(opts: Options, config: Config) -> dict[str, Any]:
    """How this run was made, for the evidence pack: command line, effective selection, config file."""
    sel = config.select
    return {
        "command_line": command_line(opts.command_line),
        "selection": {
            "rules": opts.rule_ids or sel.get("ids", []),
            "skip": [*opts.skip_rules, *config.skip],
            "severities": opts.severities or sel.get("severity", []),
            "threats": opts.threats or sel.get("threats", []),
            "frameworks": opts.frameworks or sel.get("frameworks", []),
            "providers": opts.providers or sel.get("providers", []),
            "rules_dirs": [*(str(d) for d in config.rule_dirs), *opts.rules_dirs],
        },
        "fail_on": opts.fail_on or config.fail_on or "low",
        "config_path": str(config.path) if config.path else None,
        "waivers": [w.to_dict() for w in config.waivers],
        "evidence_raw": opts.evidence_raw,
    }


def evaluate(doc: dict[str, Any], opts: Options, config: Config, *, inventory_path: Path | None = None,
             prepared: Prepared | None = None) -> Report:
    from aiposture.engine import Engine
    from aiposture.output import Report

    if opts.inline_suppressions is not None:
        config.inline_suppressions = opts.inline_suppressions
    if prepared:
        rules, pack, problems = prepared.rules, prepared.pack or prepared.rules, prepared.rule_problems
    else:
        rules, pack, problems = select_from_pack(opts, config)
    results = Engine(rules, config).evaluate(doc)
    return Report(results=results, rules=rules, inventory=doc, inventory_path=inventory_path,
                  rule_problems=problems, category=opts.category, available_rules=pack, run=run_context(opts, config))


def write_outputs(report: Report, opts: Options, plan: list[tuple[str, str]]) -> None:
    """Render each planned output; a destination that cannot be written is one line and exit 2.

    Files go through :mod:`aiposture.safeio` (a temporary file renamed over the destination:
    never through a planted link; devices and pipes written in place). JSON, SARIF and the
    evidence pack are streamed as they are produced, to the file or to stdout, as valid UTF-8.
    """
    from aiposture import safeio
    from aiposture.output import writers

    ws = writers()
    for fmt, dest in plan:
        what = f"the {fmt} output"
        if opts.compliance and fmt in ("table", "json", "csv"):
            _write_compliance(report, opts, fmt, dest)
            continue
        if fmt == "table":
            from aiposture.output.table import Layout, choose_layout, write_table

            if dest == "-":
                write_table(report, sys.stdout, layout=choose_layout(sys.stdout, opts.compact), show_passed=opts.show_passed)
                continue
            # a file is never a terminal: compact unless --no-compact, never colour
            buf = io.StringIO()
            write_table(report, buf, layout=Layout(compact=opts.compact is not False), show_passed=opts.show_passed)
            text = buf.getvalue()
        elif fmt == "evidence":
            from aiposture.output import evidence

            evidence.write(report, dest, raw=opts.evidence_raw, sign_key=opts.sign_key)  # through safeio
            _wrote(fmt + (f" (signature {dest}.sig)" if opts.sign_key else ""), dest, opts)
            continue
        elif (stream := _stream_writer(fmt)) is not None:
            with safeio.stdout_text() if dest == "-" else safeio.open_for_write(dest, what) as fh:
                stream(report, fh)
            if dest != "-":
                _wrote(fmt, dest, opts)
            continue
        else:
            text = ws[fmt](report)
        if dest == "-":
            with safeio.stdout_text() as fh:
                fh.write(text)
        else:
            safeio.write_file(dest, text, what)
            _wrote(fmt, dest, opts)


def _write_compliance(report: Report, opts: Options, fmt: str, dest: str) -> None:
    """--compliance: the table, JSON and CSV outputs show the per-control view instead of the findings."""
    from aiposture.output import compliance as out

    if fmt == "table" and dest == "-":
        from rich.console import Console

        out.print_views(report, Console(), opts.compliance)
        return
    render = {"table": out.render_table, "json": out.render_json, "csv": out.render_csv}[fmt]
    text = render(report, opts.compliance)
    if dest == "-":
        from aiposture import safeio

        with safeio.stdout_text() as fh:  # UTF-8 whatever the terminal, like every other report on stdout
            fh.write(text)
    else:
        write_file(dest, text, f"the {fmt} (compliance) output")
        _wrote(f"{fmt} (compliance)", dest, opts)


def _stream_writer(fmt: str):
    """The streaming writer of a format (``write(report, fh)``), when it has one."""
    if fmt == "json":
        from aiposture.output import json_out

        return json_out.write
    if fmt == "sarif":
        from aiposture.output import sarif

        return sarif.write
    return None


def _note_unless_quiet(opts: Options, message: str) -> None:
    if not opts.quiet:
        _say(message)


def _wrote(fmt: str, dest: str, opts: Options) -> None:
    if not opts.quiet:
        _say(f"wrote {fmt} to {dest}")


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
    from aiposture.engine.model import Status

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
        _note_unless_quiet(opts, f"note: SARIF on stdout: live findings point at {COMPANION_INVENTORY}, which was not written "
                    f"(add --save-inventory {COMPANION_INVENTORY})")
        return
    path = Path(files[0]).parent / COMPANION_INVENTORY
    inventory.save(report.inventory, path)
    report.inventory_path = path
    _note_unless_quiet(opts, f"wrote the inventory SARIF live findings point at to {path}")


def apply_baseline(report: Report, baseline: Path) -> None:
    """Drop failing results already present (same fingerprint) in an earlier JSON result."""
    from aiposture.engine.model import Status, fingerprint
    from aiposture.inventory import read_json

    old = read_json(baseline, "baseline", max_bytes=MAX_BASELINE_MB * 1024 * 1024, error=AiPostureError)
    results = old.get("results") if isinstance(old, dict) else None
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise AiPostureError(f"{baseline}: results: not a JSON result from 'aiposture ... -f json' (no list of results)")
    known = {r.get("fingerprint") for r in results if r.get("status") in ("fail", "waived") and isinstance(r.get("fingerprint"), str)}
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
