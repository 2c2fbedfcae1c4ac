"""'aiposture scan': evaluate a saved inventory, or scan AWS, Azure or Google Cloud live."""

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
    save_inventory_option,
    split_csv,
)
from aiposture.cli.worker import queue_options


@click.group(invoke_without_command=True, epilog=EXIT_CODES_HELP)
@click.option("--inventory", "inventory_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Evaluate a saved inventory JSON (from --save-inventory or another tool).")
@evaluation_options
@click.pass_context
@handle_errors
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
    sys.exit(run_pipeline(doc, opts, config_path, inventory_path=inventory_file, loaded=True))


def _merge_parent(ctx: click.Context, config_path, kw: dict):
    """Options given to 'scan' before the subcommand fill what the subcommand left unset."""
    parent = dict(ctx.obj or {})
    for k, v in parent.items():
        if k == "config_path":
            continue
        if kw.get(k) in (None, (), False):
            kw[k] = v
    return config_path or parent.get("config_path")


def scope_label(provider: str, **selection) -> str:
    """What the user selected, as the history store's "same scope" key (``aws:{"org":true,...}``).

    Discovered targets (accounts of an organisation, regions where Bedrock runs) vary
    between scans; the selection does not, so scheduled scans of it compare."""
    import json

    sel = {k: (sorted(v) if isinstance(v, list | tuple) else v) for k, v in selection.items() if v not in (None, [], (), False)}
    return f"{provider}:{json.dumps(sel, sort_keys=True, separators=(',', ':'))}"


def _live(ctx: click.Context, provider: str, collect, save_inventory: Path | None, config_path, kw: dict,
          label: str | None = None, planner_opts=None) -> None:
    """Shared tail of every live scan: collect, tell what failed, save, evaluate, exit.

    With --queue the collection runs on workers (``planner_opts`` are the provider's options)."""
    from aiposture.collect.base import report_errors
    from aiposture.pipeline import prepare

    queue_url, no_wait = kw.pop("queue_url", None), kw.pop("no_wait", False)
    config_path = _merge_parent(ctx, config_path, kw)
    opts = build_options(kw)
    opts.providers = [provider]
    if no_wait and not queue_url:
        raise click.UsageError("--no-wait goes with --queue URL")
    if queue_url:
        from aiposture.queue.client import check_usage

        check_usage(opts, no_wait=no_wait, save_inventory=save_inventory)
    prepared = prepare(opts, config_path, writes=((save_inventory, "the inventory"),))  # before a scan that may take minutes
    if queue_url:
        from aiposture.queue.client import run_queued

        sys.exit(run_queued(provider, planner_opts, queue_url=queue_url, no_wait=no_wait, opts=opts, prepared=prepared,
                            config_path=config_path, scope_label=label, save_inventory=save_inventory))
    doc = collect(opts.quiet)
    if not opts.quiet:
        s = doc["scan"]
        click.echo(f"collected {len(doc['resources'])} resources from {len(s.get('targets', []))} targets "
                   f"in {s.get('duration_seconds', 0):.1f}s ({s.get('api_calls', 0)} API calls, "
                   f"{len(doc['errors'])} scope errors)", err=True)
        report_errors(doc)
    sys.exit(run_pipeline(doc, opts, config_path, prepared=prepared, save_inventory=save_inventory, scope_label=label))


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
              help="Attempts per API call in total, first one included (backs off on throttling and 5xx; "
                   "an endpoint that does not answer gets at most 2).")
@click.option("--connect-timeout", type=click.FloatRange(0.1, 120), default=5, show_default=True, metavar="SECONDS",
              help="Connection timeout per request.")
@click.option("--read-timeout", type=click.FloatRange(0.1, 300), default=15, show_default=True, metavar="SECONDS",
              help="Read timeout per request (an endpoint silent for longer is treated as unreachable).")
@save_inventory_option
@queue_options
@evaluation_options
@click.pass_context
@handle_errors
def scan_aws(ctx, profile, regions, role_arn, role_name, external_id, org, accounts, workers, max_attempts,
             connect_timeout, read_timeout, save_inventory, config_path, **kw) -> None:
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

    aopts = AwsOptions(profile=profile, regions=split_csv(regions), role_arn=role_arn, role_name=role_name,
                       external_id=external_id, org=org, accounts=split_csv(accounts), workers=workers,
                       max_attempts=max_attempts, connect_timeout=connect_timeout, read_timeout=read_timeout)
    aopts.validate()  # usage errors (--org without --role-name, a region typo) before any network call
    _live(ctx, "aws", lambda quiet: collect(aopts, quiet=quiet), save_inventory, config_path, kw,
          scope_label("aws", org=org, accounts=aopts.accounts, regions=aopts.regions, role_arn=role_arn), planner_opts=aopts)


@scan.command("azure", epilog=LIVE_EPILOG)
@click.option("--subscription", "subscriptions", multiple=True, metavar="ID",
              help="Subscription id (comma-separated or repeated) [default: every subscription the identity can list "
                   "that can run workloads: Enabled, Warned, PastDue].")
@click.option("--resource-group", "resource_groups", multiple=True, metavar="NAME", help="Only accounts in these resource groups.")
@click.option("--cloud", type=click.Choice(["AzurePublicCloud", "AzureUSGovernment", "AzureChinaCloud"]),
              default="AzurePublicCloud", show_default=True, help="Sovereign cloud (ARM endpoint, token audience, authority).")
@click.option("--arm-endpoint", metavar="URL", help="Explicit Resource Manager endpoint (private or custom clouds).")
@click.option("--foundry-agents", is_flag=True,
              help="Also read Azure AI Foundry agents and their tools from each project's data plane (needs a data-plane "
                   "role such as Azure AI User; see docs/permissions.md). Off: projects show agents as unknown.")
@click.option("--foundry-endpoint-template", metavar="URL",
              help="Foundry data-plane endpoint, https only, with {account} for the account's subdomain "
                   "[default: https://{account}.services.ai.azure.com].")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Concurrent subscription/account scans.")
@click.option("--retries", type=click.IntRange(0, 20), default=6, show_default=True,
              help="Retries per request on 429/5xx (Retry-After is honoured).")
@save_inventory_option
@queue_options
@evaluation_options
@click.pass_context
@handle_errors
def scan_azure(ctx, subscriptions, resource_groups, cloud, arm_endpoint, foundry_agents, foundry_endpoint_template, workers,
               retries, save_inventory, config_path, **kw) -> None:
    """Scan Azure OpenAI / Azure AI services accounts (kinds OpenAI and AIServices).

    Authenticates with DefaultAzureCredential (environment, workload or managed
    identity, Azure CLI, ...; AZURE_TOKEN_CREDENTIALS narrows the chain); without
    a usable credential it stops at once (exit 2). Accounts of other kinds are
    listed as skipped. Read-only, never lists keys, and the token only goes to
    the Resource Manager endpoint in use: 'aiposture permissions azure' prints
    the custom role.

    \b
    Examples:
      aiposture scan azure
      aiposture scan azure --subscription 0000-... --resource-group rg-ai -f sarif -o aoai.sarif
      aiposture scan azure --cloud AzureUSGovernment --save-inventory inv.json
      aiposture scan azure --foundry-agents
    """
    from aiposture.collect.azure_openai import AzureOptions, collect

    aopts = AzureOptions(subscriptions=split_csv(subscriptions), resource_groups=split_csv(resource_groups), cloud=cloud,
                         arm_endpoint=arm_endpoint, foundry_agents=foundry_agents,
                         foundry_endpoint_template=foundry_endpoint_template, workers=workers, retries=retries)
    _live(ctx, "azure", lambda quiet: collect(aopts, quiet=quiet), save_inventory, config_path, kw,
          scope_label("azure", subscriptions=aopts.subscriptions, resource_groups=aopts.resource_groups, cloud=cloud,
                      arm_endpoint=arm_endpoint), planner_opts=aopts)


@scan.command("gcp", epilog=LIVE_EPILOG)
@click.option("--project", "projects", multiple=True, metavar="ID", help="Project id (comma-separated or repeated).")
@click.option("--organization", metavar="ID", help="Walk every ACTIVE project under this organization (folders too).")
@click.option("--folder", metavar="ID", help="Walk every ACTIVE project under this folder.")
@click.option("--locations", "locations", multiple=True, metavar="LIST",
              help="Vertex AI locations, comma-separated or repeated [default: every location Vertex AI and Model Armor "
                   "offer each project (ListLocations), and global].")
@click.option("--api-endpoint-template", metavar="TEMPLATE",
              help="Endpoint for every API, with optional {service} and {location} (restricted VIP, PSC, proxies).")
@click.option("--universe-domain", default="googleapis.com", show_default=True, help="Universe domain (sovereign clouds).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Concurrent project x location scans.")
@save_inventory_option
@queue_options
@evaluation_options
@click.pass_context
@handle_errors
def scan_gcp(ctx, projects, organization, folder, locations, api_endpoint_template, universe_domain, workers, save_inventory,
             config_path, **kw) -> None:
    """Scan Google Vertex AI and Model Armor in one or many projects.

    Authenticates with Application Default Credentials. Without --project,
    --organization or --folder it scans every ACTIVE project the identity can
    see. IAM grants and Data Access audit logs count along the project's
    folders and organisation. Where the Vertex AI or Model Armor API is
    disabled it is not applicable: noted, skipped. Read-only: 'aiposture
    permissions gcp' prints the custom role.

    \b
    Examples:
      aiposture scan gcp --project my-ml-prod --locations us-central1,europe-west4
      aiposture scan gcp --organization 123456789012 -f sarif -o vertex.sarif
    """
    from aiposture.collect.gcp_vertex import GcpOptions, collect

    if organization and folder:
        raise click.UsageError("give --organization or --folder, not both")
    gopts = GcpOptions(projects=split_csv(projects), organization=organization, folder=folder, locations=split_csv(locations),
                       endpoint_template=api_endpoint_template, universe_domain=universe_domain, workers=workers)
    _live(ctx, "gcp", lambda quiet: collect(gopts, quiet=quiet), save_inventory, config_path, kw,
          scope_label("gcp", projects=gopts.projects, organization=organization, folder=folder, locations=gopts.locations),
          planner_opts=gopts)


def register(main: click.Group) -> None:
    main.add_command(scan)
