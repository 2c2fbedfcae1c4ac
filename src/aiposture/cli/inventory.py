"""'aiposture inventory': validate inventories and document the common schema."""

from __future__ import annotations

from pathlib import Path

import click

from aiposture.cli.common import handle_errors


@click.group()
def inventory() -> None:
    """Validate inventories and document the common schema."""


@inventory.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@handle_errors
def inventory_validate(path: Path) -> None:
    """Check an inventory file against schemas/inventory.schema.json."""
    from aiposture import inventory as inv

    doc = inv.load(path)
    click.echo(f"{path}: valid ({len(doc['resources'])} resources, {len(doc['errors'])} scan errors)")


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
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def register(main: click.Group) -> None:
    main.add_command(inventory)
