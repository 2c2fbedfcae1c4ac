"""'aiposture compliance': the frameworks aiposture maps to, and how much of each the rule pack covers.

Per-control verdicts of a scan come from the evaluating commands: ``aiposture scan ... --compliance
iso27001`` (also ``iac`` and ``demo``); the HTML report has them as a tab and the evidence pack as
controls.json and soa.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from aiposture.cli.common import COMPLIANCE_FRAMEWORKS, handle_errors, say
from aiposture.textsafe import clean


@click.group()
def compliance() -> None:
    """Frameworks and the rule pack's coverage of their controls.

    \b
    Per-control verdicts of a scan: add --compliance FRAMEWORK to scan, iac or demo, e.g.
      aiposture scan --inventory inv.json --compliance iso27001
      aiposture scan --inventory inv.json --compliance eu-ai-act -f csv -o eu-ai-act.csv
    """


def _pack(rules_dirs):
    from aiposture.engine import load_rules

    rules, problems = load_rules(rules_dirs)
    for p in problems:
        say(f"error: {p}")
    return rules


@compliance.command("list")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path), help="Extra rule directory.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def compliance_list(rules_dirs, as_json: bool) -> None:
    """The frameworks (--compliance names), their controls and how many the rules cover."""
    from aiposture.catalog import control_catalogue, slugs
    from aiposture.compliance import coverage

    rules = _pack(rules_dirs)
    rows = []
    for slug in slugs():
        cat = control_catalogue(slug)
        cov = coverage(slug, rules)
        covered = sum(1 for c in cov if c["covered"])
        rows.append({"name": slug, "title": cat.title, "version": cat.version, "controls": len(cov), "covered": covered,
                     "not_covered": len(cov) - covered, "sources": list(cat.sources)})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    t = Table(title="Frameworks (use the name with --compliance)")
    t.add_column("Name", no_wrap=True)
    for col in ("Framework", "Version", "Controls", "Covered by rules", "Not covered"):
        t.add_column(col)
    for r in rows:
        t.add_row(*(Text(clean(r[k])) for k in ("name", "title", "version", "controls", "covered", "not_covered")))
    Console().print(t)


@compliance.command("coverage")
@click.argument("framework", type=click.Choice(COMPLIANCE_FRAMEWORKS, case_sensitive=False))
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path), help="Extra rule directory.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@handle_errors
def compliance_coverage(framework: str, rules_dirs, fmt: str) -> None:
    """Statement-of-Applicability style coverage of FRAMEWORK by the rule pack (no scan needed):
    every control, and the rules that give evidence for it or 'not covered'."""
    from aiposture.compliance import coverage

    rows = coverage(framework.lower(), _pack(rules_dirs))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "csv":
        import csv

        from aiposture.output.csv_out import _safe
        from aiposture.safeio import stdout_text

        with stdout_text() as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["control", "title", "family", "covered", "rules"])
            for r in rows:
                w.writerow(_safe(x) for x in (r["id"], r["title"], r["family"], "yes" if r["covered"] else "no",
                                              " ".join(r["rules"])))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # rule ids may come from a --rules-dir in the scanned tree: every cell is inert text (see textsafe)
    t = Table(title=f"{framework}: {sum(r['covered'] for r in rows)} of {len(rows)} controls covered by rules")
    for col in ("Control", "Title", "Covered", "Rules"):
        t.add_column(col)
    for r in rows:
        t.add_row(Text(clean(r["id"])), Text(clean(r["title"])),
                  Text("yes", style="green") if r["covered"] else Text("no", style="dim"), Text(clean(" ".join(r["rules"]))))
    Console().print(t)


def register(main: click.Group) -> None:
    main.add_command(compliance)
