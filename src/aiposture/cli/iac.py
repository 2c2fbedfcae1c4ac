"""'aiposture iac': check infrastructure-as-code before deploy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aiposture.cli.common import (
    EXIT_CODES_HELP,
    build_options,
    evaluation_options,
    handle_errors,
    run_pipeline,
    say,
)


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB", help="Skip files/dirs matching this glob (repeatable).")
@click.option("--tf-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Terraform sources of a plan JSON: findings point at the .tf lines, not the plan.")
@click.option("--baseline", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="An earlier JSON result: report only findings that are not in it.")
@click.option("--save-inventory", type=click.Path(dir_okay=False, path_type=Path), help="Also write the normalised inventory.")
@evaluation_options
@handle_errors
def iac(paths, excludes, tf_root, baseline, save_inventory, config_path, **kw) -> None:
    """Check infrastructure-as-code before deploy.

    Reads Terraform (.tf and plan JSON from `terraform show -json`), CloudFormation
    (YAML/JSON, SAM), ARM templates (JSON) and Bicep (compiled with the Bicep CLI when
    `bicep` or `az` is on PATH, else listed as not checked), found recursively under PATHS.
    A comment `# aiposture:ignore AIP-GR-001 reason` on or above a resource is listed,
    and applied only with --allow-inline-suppressions (or inline_suppressions: true in
    the --config file): a pull request cannot waive its own findings. Wildcards
    (`aiposture:ignore *`) are never applied.

    \b
    Examples:
      aiposture iac infra/
      aiposture iac plan.json --tf-root infra/ -f sarif -o aiposture.sarif
      aiposture iac . --exclude 'examples/*' --fail-on high --baseline main.json
    """
    from aiposture.iac.scan import scan_paths
    from aiposture.pipeline import prepare

    opts = build_options(kw)
    prepared = prepare(opts, config_path, writes=((save_inventory, "the inventory"),))
    progress = None if opts.quiet or not sys.stderr.isatty() else (lambda what: say(f"reading {what}"))
    doc = scan_paths(list(paths), excludes=list(excludes), tf_root=tf_root, base=Path.cwd(), progress=progress)
    for note in doc["scan"].get("notes", []):
        if not opts.quiet:
            say(f"note: {note}")
    label = "iac:" + ",".join(sorted(t["path"] for t in doc["scan"].get("targets", [])))
    sys.exit(run_pipeline(doc, opts, config_path, baseline=baseline, prepared=prepared, save_inventory=save_inventory,
                          scope_label=label))


def register(main: click.Group) -> None:
    main.add_command(iac)
