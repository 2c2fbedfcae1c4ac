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
@click.option("--var-file", "var_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Terraform variables file (.tfvars or .tfvars.json), like `terraform plan -var-file` (repeatable; "
                   "applied after terraform.tfvars and *.auto.tfvars).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Terraform variable, like `terraform plan -var` (repeatable; applied last).")
@click.option("--baseline", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="An earlier JSON result: report only findings that are not in it.")
@click.option("--save-inventory", type=click.Path(dir_okay=False, path_type=Path), help="Also write the normalised inventory.")
@evaluation_options
@handle_errors
def iac(paths, excludes, tf_root, var_files, variables, baseline, save_inventory, config_path, **kw) -> None:
    """Check infrastructure-as-code before deploy.

    Reads Terraform (.tf, .tf.json and plan JSON from `terraform show -json`; modules,
    count/for_each, variables and tfvars are evaluated), CloudFormation (YAML/JSON, SAM),
    ARM templates (JSON) and Bicep (compiled with the Bicep CLI when `bicep` or `az` is on
    PATH, else listed as not checked), found recursively under PATHS. What could not be
    read is listed as "not checked" and makes the exit code 3. A comment
    `# aiposture:ignore AIP-GR-001 reason` on or above a resource is listed, and applied
    only with --allow-inline-suppressions (or inline_suppressions: true in the --config
    file): a pull request cannot waive its own findings. Wildcards (`aiposture:ignore *`)
    are never applied.

    \b
    Examples:
      aiposture iac infra/
      aiposture iac infra/ --var-file prod.tfvars --var enable_guardrails=true
      aiposture iac plan.json --tf-root infra/ -f sarif -o aiposture.sarif
      aiposture iac . --exclude 'examples/*' --fail-on high --baseline main.json
    """
    from aiposture.errors import AiPostureError
    from aiposture.iac.scan import scan_paths
    from aiposture.pipeline import prepare

    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise AiPostureError(f"path not found: {_safe(missing[0])}")
    for vf in var_files:
        if not vf.is_file():
            raise AiPostureError(f"--var-file {_safe(vf)}: file not found")
    pairs: dict[str, str] = {}
    for v in variables:
        name, eq, value = v.partition("=")
        if not eq or not name.strip().replace("_", "a").replace("-", "a").isalnum():
            raise AiPostureError(f"--var {v.split('=', 1)[0]!r}: expected NAME=VALUE")
        pairs[name.strip()] = value
    opts = build_options(kw)
    prepared = prepare(opts, config_path, writes=((save_inventory, "the inventory"),))
    progress = None if opts.quiet or not sys.stderr.isatty() else (lambda what: say(f"reading {what}"))
    doc = scan_paths(list(paths), excludes=list(excludes), tf_root=tf_root, base=Path.cwd(), progress=progress,
                     var_files=list(var_files), variables=pairs)
    if not opts.quiet:
        for note in doc["scan"].get("notes", []):
            say(f"note: {note}")
        say(summary_line(doc))
    label = "iac:" + ",".join(sorted(t["path"] for t in doc["scan"].get("targets", [])))
    sys.exit(run_pipeline(doc, opts, config_path, baseline=baseline, prepared=prepared, save_inventory=save_inventory,
                          scope_label=label))


def _safe(p: Path) -> str:
    from aiposture.iac.tree import display

    return display(str(p))


def summary_line(doc: dict) -> str:
    """Honest totals: what was read, what was found, how much was not checked."""
    t = doc["scan"].get("iac") or {}
    nc = t.get("not_checked", 0)
    return (f"read {t.get('files_read', 0)} IaC files, {t.get('resources_read', 0)} resources; "
            f"{t.get('ai_resources', 0)} AI resources checked; "
            + (f"{nc} not checked (listed in the report)" if nc else "nothing left unchecked"))


def register(main: click.Group) -> None:
    main.add_command(iac)
