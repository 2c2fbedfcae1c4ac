"""Command line. Thin on purpose: parse options, call pipeline/engine/output modules.

Cloud SDKs are imported only inside the commands that need them, so
``aiposture --help`` and ``aiposture scan --inventory`` start fast.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from aiposture import __version__
from aiposture.errors import AiPostureError
from aiposture.pipeline import EXIT_USAGE, Options

SEVERITY_CHOICE = click.Choice(["critical", "high", "medium", "low"], case_sensitive=False)
FORMAT_CHOICE = click.Choice(["table", "json", "sarif", "junit", "csv", "html", "evidence"], case_sensitive=False)

EXIT_CODES_HELP = """
\b
Exit codes:
  0  no failing finding at or above --fail-on
  1  failing findings at or above --fail-on (not with --soft-fail)
  2  usage or configuration error
  3  finished, but something could not be checked (not with --tolerate-errors)
"""


def _handle_errors(fn):
    """User mistakes become one clear line on stderr and exit code 2, not a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AiPostureError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


def evaluation_options(fn):
    """Options shared by every command that evaluates rules and writes reports."""
    decorators = [
        click.option("--format", "-f", "formats", multiple=True, type=FORMAT_CHOICE,
                     help="Output format; repeat for several (pair each with an --output, in order)."),
        click.option("--output", "-o", "outputs", multiple=True, metavar="PATH",
                     help="Where the matching --format goes ('-' = stdout)."),
        click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Write every --format into this folder with default names."),
        click.option("--fail-on", type=SEVERITY_CHOICE, help="Lowest severity that fails the run [default: low]."),
        click.option("--soft-fail", is_flag=True, help="Exit 0 even when findings fail."),
        click.option("--tolerate-errors", is_flag=True, help="Exit 0 instead of 3 when something could not be checked."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Configuration file (waivers, selection) [default: ./.aiposture.yaml if present]."),
        click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path),
                     help="Extra rule directory (repeatable), added to the built-in pack."),
        click.option("--rule", "rule_ids", multiple=True, metavar="ID", help="Only these rule ids (globs ok, repeatable)."),
        click.option("--skip-rule", "skip_rules", multiple=True, metavar="ID", help="Skip these rule ids (globs ok)."),
        click.option("--severity", "severities", multiple=True, type=SEVERITY_CHOICE, help="Only rules of this severity."),
        click.option("--threat", "threats", multiple=True, metavar="THREAT", help="Only rules for this ISO 27090 threat (e.g. prompt_injection)."),
        click.option("--framework", "frameworks", multiple=True, metavar="ID",
                     help="Only rules mapped to a framework (owasp_llm_2025) or control (LLM01:2025, A.8.15)."),
        click.option("--category", help="SARIF automation category (one per account or IaC root)."),
        click.option("--show-passed", is_flag=True, help="Also list passing checks in the table."),
        click.option("--quiet", "-q", is_flag=True, help="No progress or 'wrote ...' messages."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def build_options(kw: dict) -> Options:
    return Options(
        formats=[f.lower() for f in kw.pop("formats", ())] or ["table"],
        outputs=list(kw.pop("outputs", ())),
        output_dir=kw.pop("output_dir", None),
        fail_on=kw.pop("fail_on", None),
        soft_fail=kw.pop("soft_fail", False),
        tolerate_errors=kw.pop("tolerate_errors", False),
        rules_dirs=[str(p) for p in kw.pop("rules_dirs", ())],
        rule_ids=list(kw.pop("rule_ids", ())),
        skip_rules=list(kw.pop("skip_rules", ())),
        severities=list(kw.pop("severities", ())),
        threats=list(kw.pop("threats", ())),
        frameworks=list(kw.pop("frameworks", ())),
        category=kw.pop("category", None),
        show_passed=kw.pop("show_passed", False),
        quiet=kw.pop("quiet", False),
    )


def run_pipeline(doc: dict, opts: Options, config_path: Path | None, *, inventory_path: Path | None = None,
                 base_dir: Path | None = None, baseline: Path | None = None) -> int:
    """Evaluate an inventory document, write outputs and return the exit code."""
    from aiposture import pipeline
    from aiposture.engine import load_config

    config = load_config(config_path, search_dir=base_dir or Path.cwd())
    plan = pipeline.plan_outputs(opts)
    # SARIF needs a real file for live findings: write the inventory beside it when none exists
    if inventory_path is None and any(f == "sarif" for f, _ in plan):
        from aiposture import inventory as inv

        sarif_dest = next(d for f, d in plan if f == "sarif")
        folder = Path(sarif_dest).parent if sarif_dest != "-" else Path.cwd()
        folder.mkdir(parents=True, exist_ok=True)
        inventory_path = folder / "aiposture-inventory.json"
        inv.save(doc, inventory_path)
    report = pipeline.evaluate(doc, opts, config, inventory_path=inventory_path)
    if baseline is not None:
        pipeline.apply_baseline(report, baseline)
    pipeline.write_outputs(report, opts, plan)
    return pipeline.exit_code(report, opts, config)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="aiposture")
def main() -> None:
    """Security posture checks for cloud AI deployments.

    aiposture reads live configuration (AWS Bedrock, Azure OpenAI, Google
    Vertex AI) or infrastructure-as-code into one inventory, evaluates
    declarative rules mapped to ISO/IEC 27090 threats, ISO 42001, ISO 27001,
    OWASP LLM Top 10, MITRE ATLAS and the EU AI Act, and reports as a table,
    JSON, SARIF, JUnit, CSV, a self-contained HTML report or an audit evidence zip.

    \b
    Start here:
      aiposture demo                         evaluate the bundled example inventory
      aiposture scan aws|azure|gcp           scan live cloud accounts (read-only)
      aiposture iac infra/                   check Terraform, CloudFormation, ARM/Bicep before deploy
      aiposture scan --inventory inv.json    evaluate a saved inventory
      aiposture rules list                   the rule catalog
      aiposture permissions aws|azure|gcp    the read-only permissions a live scan needs
    """


# --------------------------------------------------------------------------- scan
@main.group(invoke_without_command=True, epilog=EXIT_CODES_HELP)
@click.option("--inventory", "inventory_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Evaluate a saved inventory JSON (from --save-inventory or another tool).")
@evaluation_options
@click.pass_context
@_handle_errors
def scan(ctx: click.Context, inventory_file: Path | None, config_path: Path | None, **kw) -> None:
    """Scan a cloud live (aws | azure | gcp) or evaluate a saved inventory.

    \b
    Examples:
      aiposture scan --inventory inventory.json
      aiposture scan --inventory inventory.json -f sarif -o results.sarif --fail-on high
      aiposture scan --inventory inventory.json -f json -o out.json -f sarif -o out.sarif
      aiposture scan aws --regions us-east-1,eu-west-1          (live; see 'aiposture scan aws --help')
    """
    if ctx.invoked_subcommand is not None:
        if inventory_file:
            raise click.UsageError("--inventory cannot be combined with a live scan subcommand")
        ctx.obj = {"config_path": config_path, **kw}  # options given before the subcommand still apply
        return
    if inventory_file is None:
        raise click.UsageError("give --inventory FILE (live cloud scans arrive as 'aiposture scan aws|azure|gcp')")
    from aiposture import inventory as inv

    opts = build_options(kw)
    doc = inv.load(inventory_file)
    sys.exit(run_pipeline(doc, opts, config_path, inventory_path=inventory_file))


def _merge_parent(ctx: click.Context, config_path, kw: dict):
    """Options given to 'scan' before the subcommand fill what the subcommand left unset."""
    parent = dict(ctx.obj or {})
    for k, v in parent.items():
        if k == "config_path":
            continue
        if kw.get(k) in (None, (), False):
            kw[k] = v
    return config_path or parent.get("config_path")


def _live(ctx: click.Context, provider: str, collect, save_inventory: Path | None, config_path, kw: dict) -> None:
    """Shared tail of every live scan: collect, tell what failed, save, evaluate, exit."""
    from aiposture import inventory as inv
    from aiposture.collect.base import report_errors

    config_path = _merge_parent(ctx, config_path, kw)
    opts = build_options(kw)
    opts.providers = [provider]
    doc = collect(opts.quiet)
    if not opts.quiet:
        s = doc["scan"]
        click.echo(f"collected {len(doc['resources'])} resources from {len(s.get('targets', []))} targets "
                   f"in {s.get('duration_seconds', 0):.1f}s ({s.get('api_calls', 0)} API calls, "
                   f"{len(doc['errors'])} scope errors)", err=True)
        report_errors(doc)
    if save_inventory:
        inv.save(doc, save_inventory)
        if not opts.quiet:
            click.echo(f"wrote inventory to {save_inventory}", err=True)
    sys.exit(run_pipeline(doc, opts, config_path, inventory_path=save_inventory))


def _csv(values) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out += [x.strip() for x in str(v).split(",") if x.strip()]
    return out


save_inventory_option = click.option(
    "--save-inventory", type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the normalised inventory (re-evaluate later with 'scan --inventory').")

LIVE_EPILOG = EXIT_CODES_HELP + """
\b
What could not be checked (access denied, throttled past retries, endpoint
down) is listed as a warning, recorded in the inventory's "errors", and the
affected rules come out as "error" (never "pass"): exit code 3.
"""


@scan.command("aws", epilog=LIVE_EPILOG)
@click.option("--profile", help="AWS profile (default: the standard credential chain).")
@click.option("--regions", "regions", multiple=True, metavar="LIST",
              help="Regions, comma-separated or repeated [default: every enabled region where Bedrock is offered].")
@click.option("--role-arn", help="Assume this role and scan its account.")
@click.option("--role-name", help="Role to assume in each account of --accounts / --org (e.g. OrganizationAccountAccessRole).")
@click.option("--external-id", help="External id for AssumeRole.")
@click.option("--org", is_flag=True, help="Scan every ACTIVE account of the AWS Organization (needs --role-name).")
@click.option("--accounts", "accounts", multiple=True, metavar="LIST", help="Only these account ids (comma-separated or repeated).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Concurrent account x region scans.")
@click.option("--max-attempts", type=click.IntRange(1, 30), default=10, show_default=True,
              help="Attempts per API call (adaptive retry mode backs off on throttling).")
@save_inventory_option
@evaluation_options
@click.pass_context
@_handle_errors
def scan_aws(ctx, profile, regions, role_arn, role_name, external_id, org, accounts, workers, max_attempts,
             save_inventory, config_path, **kw) -> None:
    """Scan Amazon Bedrock in one or many AWS accounts.

    Read-only: 'aiposture permissions aws' prints the IAM policy it needs.
    AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> are honoured (VPC endpoints).

    \b
    Examples:
      aiposture scan aws --regions us-east-1,eu-west-1
      aiposture scan aws --profile audit -f sarif -o bedrock.sarif
      aiposture scan aws --org --role-name OrganizationAccountAccessRole --save-inventory inv.json
      aiposture scan aws --role-arn arn:aws:iam::111122223333:role/aiposture-read
    """
    from aiposture.collect.aws_bedrock import collect
    from aiposture.collect.aws_session import AwsOptions

    aopts = AwsOptions(profile=profile, regions=_csv(regions), role_arn=role_arn, role_name=role_name,
                       external_id=external_id, org=org, accounts=_csv(accounts), workers=workers,
                       max_attempts=max_attempts)
    _live(ctx, "aws", lambda quiet: collect(aopts, quiet=quiet), save_inventory, config_path, kw)


@scan.command("azure", epilog=LIVE_EPILOG)
@click.option("--subscription", "subscriptions", multiple=True, metavar="ID",
              help="Subscription id (comma-separated or repeated) [default: every enabled subscription the identity can list].")
@click.option("--resource-group", "resource_groups", multiple=True, metavar="NAME", help="Only accounts in these resource groups.")
@click.option("--cloud", type=click.Choice(["AzurePublicCloud", "AzureUSGovernment", "AzureChinaCloud"]),
              default="AzurePublicCloud", show_default=True, help="Sovereign cloud (ARM endpoint, token audience, authority).")
@click.option("--arm-endpoint", metavar="URL", help="Explicit Resource Manager endpoint (private or custom clouds).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Concurrent subscription/account scans.")
@click.option("--retries", type=click.IntRange(0, 20), default=6, show_default=True,
              help="Retries per request on 429/5xx (Retry-After is honoured).")
@save_inventory_option
@evaluation_options
@click.pass_context
@_handle_errors
def scan_azure(ctx, subscriptions, resource_groups, cloud, arm_endpoint, workers, retries, save_inventory, config_path, **kw) -> None:
    """Scan Azure OpenAI / Azure AI services accounts (kinds OpenAI and AIServices).

    Authenticates with DefaultAzureCredential (environment, workload or managed
    identity, Azure CLI, ...; AZURE_TOKEN_CREDENTIALS narrows the chain).
    Read-only, never lists keys: 'aiposture permissions azure' prints the custom role.

    \b
    Examples:
      aiposture scan azure
      aiposture scan azure --subscription 0000-... --resource-group rg-ai -f sarif -o aoai.sarif
      aiposture scan azure --cloud AzureUSGovernment --save-inventory inv.json
    """
    from aiposture.collect.azure_openai import AzureOptions, collect

    aopts = AzureOptions(subscriptions=_csv(subscriptions), resource_groups=_csv(resource_groups), cloud=cloud,
                         arm_endpoint=arm_endpoint, workers=workers, retries=retries)
    _live(ctx, "azure", lambda quiet: collect(aopts, quiet=quiet), save_inventory, config_path, kw)


@scan.command("gcp", epilog=LIVE_EPILOG)
@click.option("--project", "projects", multiple=True, metavar="ID", help="Project id (comma-separated or repeated).")
@click.option("--organization", metavar="ID", help="Walk every ACTIVE project under this organization (folders too).")
@click.option("--folder", metavar="ID", help="Walk every ACTIVE project under this folder.")
@click.option("--locations", "locations", multiple=True, metavar="LIST",
              help="Vertex AI locations, comma-separated or repeated [default: the main Vertex AI regions].")
@click.option("--api-endpoint-template", metavar="TEMPLATE",
              help="Endpoint for every API, with optional {service} and {location} (restricted VIP, PSC, proxies).")
@click.option("--universe-domain", default="googleapis.com", show_default=True, help="Universe domain (sovereign clouds).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Concurrent project x location scans.")
@save_inventory_option
@evaluation_options
@click.pass_context
@_handle_errors
def scan_gcp(ctx, projects, organization, folder, locations, api_endpoint_template, universe_domain, workers, save_inventory,
             config_path, **kw) -> None:
    """Scan Google Vertex AI and Model Armor in one or many projects.

    Authenticates with Application Default Credentials. Without --project,
    --organization or --folder it scans every ACTIVE project the identity can
    see. A project with the Vertex AI API disabled is skipped with a note.
    Read-only: 'aiposture permissions gcp' prints the custom role.

    \b
    Examples:
      aiposture scan gcp --project my-ml-prod --locations us-central1,europe-west4
      aiposture scan gcp --organization 123456789012 -f sarif -o vertex.sarif
    """
    from aiposture.collect.gcp_vertex import GcpOptions, collect

    if organization and folder:
        raise click.UsageError("give --organization or --folder, not both")
    gopts = GcpOptions(projects=_csv(projects), organization=organization, folder=folder, locations=_csv(locations),
                       endpoint_template=api_endpoint_template, universe_domain=universe_domain, workers=workers)
    _live(ctx, "gcp", lambda quiet: collect(gopts, quiet=quiet), save_inventory, config_path, kw)


# --------------------------------------------------------------------------- permissions
@main.group()
def permissions() -> None:
    """Print the least-privilege, read-only permissions each live scan needs."""


@permissions.command("aws")
def permissions_aws() -> None:
    """IAM policy (JSON) for 'scan aws'. Attach it to the scanning role in every account."""
    from aiposture.collect.aws_bedrock import policy_document

    click.echo(json.dumps(policy_document(), indent=2))


@permissions.command("azure")
def permissions_azure() -> None:
    """Custom role definition (JSON) for 'scan azure' ('az role definition create --role-definition @file')."""
    from aiposture.collect.azure_openai import role_definition

    click.echo(json.dumps(role_definition(), indent=2))


@permissions.command("gcp")
def permissions_gcp() -> None:
    """Custom IAM role (YAML-compatible JSON) for 'scan gcp' ('gcloud iam roles create --file')."""
    from aiposture.collect.gcp_vertex import role_definition as gcp_role

    click.echo(json.dumps(gcp_role(), indent=2))


# --------------------------------------------------------------------------- iac
@main.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB", help="Skip files/dirs matching this glob (repeatable).")
@click.option("--tf-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Terraform sources of a plan JSON: findings point at the .tf lines, not the plan.")
@click.option("--baseline", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="An earlier JSON result: report only findings that are not in it.")
@click.option("--save-inventory", type=click.Path(dir_okay=False, path_type=Path), help="Also write the normalised inventory.")
@evaluation_options
@_handle_errors
def iac(paths, excludes, tf_root, baseline, save_inventory, config_path, **kw) -> None:
    """Check infrastructure-as-code before deploy.

    Reads Terraform (.tf and plan JSON from `terraform show -json`), CloudFormation
    (YAML/JSON) and ARM templates (JSON; compile Bicep with `bicep build`), found
    recursively under PATHS. Suppress one rule on one resource with a comment on or
    above it: `# aiposture:ignore AIP-GR-001 reason`.

    \b
    Examples:
      aiposture iac infra/
      aiposture iac plan.json --tf-root infra/ -f sarif -o aiposture.sarif
      aiposture iac . --exclude 'examples/*' --fail-on high --baseline main.json
    """
    from aiposture import inventory as inv
    from aiposture.iac.scan import scan_paths

    opts = build_options(kw)
    progress = None if opts.quiet or not sys.stderr.isatty() else (lambda what: click.echo(f"reading {what}", err=True))
    doc = scan_paths(list(paths), excludes=list(excludes), tf_root=tf_root, base=Path.cwd(), progress=progress)
    if save_inventory:
        inv.save(doc, save_inventory)
    for note in doc["scan"].get("notes", []):
        if not opts.quiet:
            click.echo(f"note: {note}", err=True)
    sys.exit(run_pipeline(doc, opts, config_path, inventory_path=save_inventory, baseline=baseline))


# --------------------------------------------------------------------------- demo
@main.command()
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("aiposture-demo"),
              show_default=True, help="Folder for every report format.")
@_handle_errors
def demo(output_dir: Path) -> None:
    """Evaluate the bundled example inventory (AWS, Azure and Google Cloud; no account needed)
    and write every report format into a folder."""
    from aiposture import inventory as inv
    from aiposture.paths import examples_dir

    src = examples_dir() / "inventory.json"
    output_dir.mkdir(parents=True, exist_ok=True)
    inv_copy = output_dir / "inventory.json"
    inv_copy.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    doc = inv.load(inv_copy)
    opts = Options(formats=["table", "json", "sarif", "junit", "csv", "html", "evidence"], output_dir=output_dir, quiet=True)
    from rich.console import Console

    from aiposture import pipeline
    from aiposture.engine import Config

    report = pipeline.evaluate(doc, opts, Config(), inventory_path=inv_copy)
    pipeline.write_outputs(report, opts, pipeline.plan_outputs(opts))
    from aiposture.output.table import print_report

    print_report(report, Console())
    click.echo(f"\nReports written to {output_dir}/ (table, JSON, SARIF, JUnit, CSV, HTML, evidence zip). "
               f"The demo exits 0; 'aiposture scan --inventory {inv_copy}' applies the exit codes.")


# --------------------------------------------------------------------------- rules
@main.group()
def rules() -> None:
    """Inspect, test and document the rule pack."""


def _load(rules_dirs, strict: bool):
    from aiposture.engine import load_rules

    loaded, problems = load_rules(rules_dirs)
    for p in problems:
        click.echo(f"error: {p}", err=True)
    if problems and strict:
        sys.exit(EXIT_USAGE)
    return loaded, problems


@rules.command("list")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path), help="Extra rule directory.")
@click.option("--severity", "severities", multiple=True, type=SEVERITY_CHOICE)
@click.option("--threat", "threats", multiple=True)
@click.option("--framework", "frameworks", multiple=True)
@click.option("--provider", "providers", multiple=True, type=click.Choice(["aws", "azure", "gcp"]))
@click.option("--kind", "kinds", multiple=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_handle_errors
def rules_list(rules_dirs, severities, threats, frameworks, providers, kinds, as_json) -> None:
    """List rules (filter by severity, threat, framework/control, provider, kind)."""
    from aiposture.engine.evaluator import select_rules

    loaded, _ = _load(rules_dirs, strict=False)
    sel = select_rules(loaded, severities=severities, threats=threats, frameworks=frameworks,
                       providers=providers, kinds=kinds)
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
        t.add_row(r.id, r.severity, r.kind, ",".join(r.providers or ["all"]), Text(r.title), ", ".join(r.threats))
    Console().print(t)


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path))
@_handle_errors
def rules_show(rule_id: str, rules_dirs) -> None:
    """Show one rule: condition, rationale, remediation, mappings."""
    loaded, _ = _load(rules_dirs, strict=False)
    match = [r for r in loaded if r.id.lower() == rule_id.lower()]
    if not match:
        raise AiPostureError(f"no rule {rule_id!r} (see 'aiposture rules list')")
    from aiposture.output.sarif import _help_markdown

    r = match[0]
    click.echo(f"{r.id} [{r.severity}] ({r.kind}; {', '.join(r.providers or ['aws', 'azure', 'gcp'])})")
    click.echo(f"file: {r.file}\n")
    click.echo(_help_markdown(r))


@rules.command("test")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path))
@click.option("--rule", "rule_ids", multiple=True, help="Only these rule ids (globs ok).")
@click.option("--verbose", "-v", is_flag=True, help="Show every case, not only failures.")
@_handle_errors
def rules_test(rules_dirs, rule_ids, verbose) -> None:
    """Run the pass/fail examples embedded in each rule file."""
    from aiposture.engine.evaluator import select_rules
    from aiposture.engine.testing import run_rule_tests

    loaded, problems = _load(rules_dirs, strict=False)
    sel = select_rules(loaded, ids=rule_ids)
    outcomes = run_rule_tests(sel)
    bad = [o for o in outcomes if not o.ok]
    for o in outcomes:
        if verbose or not o.ok:
            mark = "ok  " if o.ok else "FAIL"
            click.echo(f"{mark} {o.rule.id} case {o.index + 1} ({o.name}): expected {o.expected}, got {o.actual}"
                       + ("" if o.ok else f" - {o.detail}"))
    click.echo(f"{len(outcomes) - len(bad)} passed, {len(bad)} failed ({len(sel)} rules)")
    sys.exit(1 if bad or problems else 0)


@rules.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_handle_errors
def rules_validate(paths) -> None:
    """Validate rule files (schema, CEL syntax, attribute names). Defaults to the built-in pack."""
    from aiposture.engine import load_rules

    loaded, problems = load_rules(paths, include_builtin=not paths)
    for p in problems:
        click.echo(f"error: {p}", err=True)
    click.echo(f"{len(loaded)} valid, {len(problems)} invalid")
    sys.exit(EXIT_USAGE if problems else 0)


@rules.command("docs")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write Markdown here (default stdout).")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path))
@_handle_errors
def rules_docs(output: Path | None, rules_dirs) -> None:
    """Generate the rule catalog in Markdown (docs/rules.md)."""
    from aiposture.docs import rules_markdown

    loaded, _ = _load(rules_dirs, strict=True)
    text = rules_markdown(loaded)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------- inventory
@main.group()
def inventory() -> None:
    """Validate inventories and document the common schema."""


@inventory.command("validate")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@_handle_errors
def inventory_validate(path: Path) -> None:
    """Check an inventory file against schemas/inventory.schema.json."""
    from aiposture import inventory as inv

    doc = inv.load(path)
    click.echo(f"{path}: valid ({len(doc['resources'])} resources, {len(doc['errors'])} scan errors)")


@inventory.command("docs")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
def inventory_docs(output: Path | None) -> None:
    """Render the inventory attribute reference (docs/inventory.md) from the schema."""
    from aiposture.docs import inventory_markdown

    text = inventory_markdown()
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
