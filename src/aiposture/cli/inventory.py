"""'aiposture inventory': validate inventories and document the common schema."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aiposture.cli.common import handle_errors, say
from aiposture.pipeline import EXIT_USAGE


@click.group()
def inventory() -> None:
    """Validate inventories and document the common schema."""


@inventory.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@handle_errors
def inventory_validate(path: Path) -> None:
    """Check an inventory file against schemas/inventory.schema.json."""
    from aiposture import inventory as inv
    from aiposture.errors import InventoryError

    try:
        doc = inv.load(path)
    except InventoryError as e:
        if not e.problems:
            raise
        say(f"{path}: does not match the inventory schema ({len(e.problems)} problems):", err=False)
        for p in e.problems:
            say(f"  {p}", err=False)
        sys.exit(EXIT_USAGE)
    say(f"{path}: valid ({len(doc['resources'])} resources, {len(doc['errors'])} scan errors)", err=False)


@inventory.command("docs")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write Markdown here (default stdout).")
@handle_errors
def inventory_docs(output: Path | None) -> None:
    """Render the inventory attribute reference (docs/inventory.md) from the schema."""
    from aiposture.docs import inventory_markdown

    text = inventory_markdown()
    if output:
        from aiposture.pipeline import write_file

        write_file(output, text, "the inventory reference")
        say(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@inventory.command("types")
@click.option("--provider", "providers", multiple=True, type=click.Choice(["aws", "azure", "gcp"]),
              help="Only this cloud (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Every spec as JSON (calls, permissions, IaC types, links).")
def inventory_types(providers: tuple[str, ...], as_json: bool) -> None:
    """List the resource types aiposture reads: kind, native type, the IaC types that produce it, live calls."""
    from aiposture import specs

    chosen = [s for s in specs.all_specs() if not providers or s.provider in providers]
    if as_json:
        import json
        from dataclasses import asdict

        click.echo(json.dumps([asdict(s) for s in chosen], indent=2))
        return
    for s in chosen:
        iac = ", ".join(it.type for it in s.iac) or "-"
        live = ", ".join(f"{c.service}:{c.operation}" for c in s.calls) or "- (IaC only)"
        click.echo(f"{s.provider:<6} {s.kind:<17} {s.native_type}\n"
                   f"       {s.title}\n       IaC: {iac}\n       live: {live}")


def register(main: click.Group) -> None:
    main.add_command(inventory)
