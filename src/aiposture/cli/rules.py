"""'aiposture rules': inspect, test, validate and document the rule pack."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from aiposture.cli.common import SEVERITY_LIST, CommaChoice, flatten, handle_errors, say, split_values
from aiposture.errors import AiPostureError
from aiposture.pipeline import EXIT_USAGE
from aiposture.textsafe import clean, clean_lines


@click.group()
def rules() -> None:
    """Inspect, test and document the rule pack."""


def _load(rules_dirs, strict: bool):
    from aiposture.engine import load_rules

    loaded, problems = load_rules(rules_dirs)
    for p in problems:
        say(f"error: {p}")
    if problems and strict:
        sys.exit(EXIT_USAGE)
    return loaded, problems


@rules.command("list")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path), help="Extra rule directory.")
@click.option("--rule", "rule_ids", multiple=True, metavar="ID,...", help="Only these rule ids (globs ok).")
@click.option("--severity", "severities", multiple=True, type=SEVERITY_LIST)
@click.option("--threat", "threats", multiple=True, metavar="THREAT,...")
@click.option("--framework", "frameworks", multiple=True, metavar="ID,...",
              help="A framework (iso27001, owasp_llm_2025) or control id (LLM01:2025, A.8.15); case-insensitive.")
@click.option("--provider", "providers", multiple=True, type=CommaChoice(["aws", "azure", "gcp"], case_sensitive=False))
@click.option("--kind", "kinds", multiple=True, metavar="KIND,...")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def rules_list(rules_dirs, rule_ids, severities, threats, frameworks, providers, kinds, as_json) -> None:
    """List rules (filter by id, severity, threat, framework/control, provider, kind).

    A value that names no rule, threat, framework, control or kind is an error
    with the closest spelling; filters that match nothing together list 0 rules.
    """
    from aiposture.engine.selection import Criteria, resolve

    loaded, _ = _load(rules_dirs, strict=False)
    sel, _warnings = resolve(loaded, Criteria(
        ids=split_values(rule_ids), severities=flatten(severities), threats=split_values(threats),
        frameworks=split_values(frameworks), providers=flatten(providers), kinds=split_values(kinds)), allow_empty=True)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in sel], indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    t = Table(title=f"{len(sel)} rules")
    for col in ("ID", "Severity", "Kind", "Clouds", "Title", "Threats"):
        t.add_column(col)
    for r in sel:
        t.add_row(*(Text(clean(x)) for x in (r.id, r.severity, r.kind, ",".join(r.providers or ["all"]), r.title,
                                              ", ".join(r.threats))))
    Console().print(t)


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path))
@handle_errors
def rules_show(rule_id: str, rules_dirs) -> None:
    """Show one rule: condition, rationale, remediation, mappings."""
    loaded, _ = _load(rules_dirs, strict=False)
    match = [r for r in loaded if r.id.lower() == rule_id.lower()]
    if not match:
        raise AiPostureError(f"no rule {rule_id!r} (see 'aiposture rules list')")
    from aiposture.output.sarif import _help_markdown

    r = match[0]
    say(f"{r.id} [{r.severity}] ({r.kind}; {', '.join(r.providers or ['aws', 'azure', 'gcp'])})", err=False)
    say(f"file: {r.file}", err=False)
    click.echo("")
    click.echo(clean_lines(_help_markdown(r)))  # rule files may come from a scanned repo (--rules-dir)


@rules.command("test")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path))
@click.option("--rule", "rule_ids", multiple=True, metavar="ID,...", help="Only these rule ids (globs ok; repeat or comma-separate).")
@click.option("--verbose", "-v", is_flag=True, help="Show every case, not only failures.")
@handle_errors
def rules_test(rules_dirs, rule_ids, verbose) -> None:
    """Run the pass/fail examples embedded in each rule file."""
    from aiposture.engine.selection import Criteria, resolve
    from aiposture.engine.testing import run_rule_tests

    loaded, problems = _load(rules_dirs, strict=False)
    hint = f"{len(problems)} rule file(s) could not be loaded; see the errors above" if problems else ""
    sel, _warnings = resolve(loaded, Criteria(ids=split_values(rule_ids)), hint=hint)
    outcomes = run_rule_tests(sel)
    bad = [o for o in outcomes if not o.ok]
    for o in outcomes:
        if verbose or not o.ok:
            mark = "ok  " if o.ok else "FAIL"
            say(f"{mark} {o.rule.id} case {o.index + 1} ({o.name}): expected {o.expected}, got {o.actual}"
                + ("" if o.ok else f" - {o.detail}"), err=False)
    click.echo(f"{len(outcomes) - len(bad)} passed, {len(bad)} failed ({len(sel)} rules)")
    sys.exit(1 if bad or problems else 0)


@rules.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@handle_errors
def rules_validate(paths) -> None:
    """Validate rule files (schema, CEL syntax, attribute names, framework control ids). Defaults to the built-in pack."""
    from aiposture.compliance import unknown_ids
    from aiposture.engine import load_rules

    loaded, problems = load_rules(paths, include_builtin=not paths)
    for p in problems:
        say(f"error: {p}")
    unknown = [u for r in loaded for u in unknown_ids(r)]
    for u in unknown:
        say(f"error: {u}")
    bad = len(problems) + len({u.split(": ", 2)[1] for u in unknown})
    click.echo(f"{len(loaded) + len(problems) - bad} valid, {bad} invalid")
    sys.exit(EXIT_USAGE if problems or unknown else 0)


@rules.command("docs")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write Markdown here (default stdout).")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path))
@handle_errors
def rules_docs(output: Path | None, rules_dirs) -> None:
    """Generate the rule catalog in Markdown (docs/rules.md)."""
    from aiposture.docs import rules_markdown

    loaded, _ = _load(rules_dirs, strict=True)
    text = rules_markdown(loaded)
    if output:
        from aiposture.pipeline import write_file

        write_file(output, text, "the rule catalog")
        say(f"wrote {output}")
    else:
        click.echo(text, nl=False)


def register(main: click.Group) -> None:
    main.add_command(rules)
