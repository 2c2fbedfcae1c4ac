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


def register(main: click.Group) -> None:
    main.add_command(inventory)
