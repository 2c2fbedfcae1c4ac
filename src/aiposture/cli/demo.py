"""'aiposture demo': evaluate the bundled example inventory."""

from __future__ import annotations

from pathlib import Path

import click

from aiposture.cli.common import compliance_names, handle_errors, invocation
from aiposture.pipeline import Options


@click.command()
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("aiposture-demo"),
              show_default=True, help="Folder for every report format.")
@click.option("--compliance", "compliance", multiple=True, metavar="FRAMEWORK",
              help="Print the per-control view of this framework instead of the findings (see 'aiposture compliance list').")
@handle_errors
def demo(output_dir: Path, compliance: tuple[str, ...]) -> None:
    """Evaluate the bundled example inventory (AWS, Azure and Google Cloud; no account needed)
    and write every report format into a folder."""
    from aiposture import inventory as inv
    from aiposture import pipeline
    from aiposture.paths import examples_dir

    frameworks = compliance_names(compliance)  # a wrong name fails before anything is written
    src = examples_dir() / "inventory.json"
    inv_copy = output_dir / "inventory.json"
    pipeline.write_file(inv_copy, src.read_text(encoding="utf-8"), "the example inventory")
    doc = inv.load(inv_copy)
    opts = Options(formats=["table", "json", "sarif", "junit", "csv", "html", "evidence"], output_dir=output_dir, quiet=True,
                   command_line=invocation())
    import sys

    from aiposture.engine import Config
    from aiposture.output.table import choose_layout, write_table

    report = pipeline.evaluate(doc, opts, Config(), inventory_path=inv_copy)
    pipeline.write_outputs(report, opts, pipeline.plan_outputs(opts))
    if frameworks:
        from rich.console import Console

        from aiposture.output.compliance import print_views

        print_views(report, Console(), frameworks)
    else:
        write_table(report, sys.stdout, layout=choose_layout(sys.stdout, None))
    click.echo(f"\nReports written to {output_dir}/ (table, JSON, SARIF, JUnit, CSV, HTML, evidence zip). "
               f"The demo exits 0; 'aiposture scan --inventory {inv_copy}' applies the exit codes.")


def register(main: click.Group) -> None:
    main.add_command(demo)
