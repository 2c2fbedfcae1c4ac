"""'aiposture permissions': the read-only permissions each live scan needs, derived from the resource-type
specs (:mod:`aiposture.specs`: every type's API calls and the calls that find the scopes)."""

from __future__ import annotations

import json

import click


@click.group()
def permissions() -> None:
    """Print the least-privilege, read-only permissions each live scan needs."""


@permissions.command("aws")
def permissions_aws() -> None:
    """IAM policy (JSON) for 'scan aws'. Attach it to the scanning role in every account."""
    from aiposture.specs.documents import aws_policy

    click.echo(json.dumps(aws_policy(), indent=2))


@permissions.command("azure")
def permissions_azure() -> None:
    """Custom role definition (JSON) for 'scan azure' ('az role definition create --role-definition @file')."""
    from aiposture.specs.documents import azure_role

    click.echo(json.dumps(azure_role(), indent=2))


@permissions.command("gcp")
def permissions_gcp() -> None:
    """Custom IAM role (YAML-compatible JSON) for 'scan gcp' ('gcloud iam roles create --file')."""
    from aiposture.specs.documents import gcp_role

    click.echo(json.dumps(gcp_role(), indent=2))


def register(main: click.Group) -> None:
    main.add_command(permissions)
