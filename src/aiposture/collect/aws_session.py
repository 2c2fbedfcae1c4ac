"""AWS sessions for a multi-account scan: options, the user's credentials, Organizations, AssumeRole, regions.

botocore is imported lazily (inside functions). The standard ``AWS_ENDPOINT_URL`` /
``AWS_ENDPOINT_URL_<SERVICE>`` variables and profile settings are honoured by
botocore itself: that is how users reach VPC endpoints and how the tests reach
moto. Credentials per account are plain botocore credential objects (refreshed
by AssumeRole when they near expiry); the clients that use them are shared
(:mod:`aiposture.collect.aws_transport`).
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass, field
from typing import Any

from aiposture.collect.aws_transport import EndpointDown, MalformedResponse, bound, network_error
from aiposture.errors import AiPostureError

SESSION_NAME = "aiposture"
_loader = None
_loader_lock = threading.Lock()


@dataclass
class AwsOptions:
    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    role_arn: str | None = None
    role_name: str | None = None
    external_id: str | None = None
    org: bool = False
    accounts: list[str] = field(default_factory=list)
    workers: int = 8
    max_attempts: int = 10
    connect_timeout: float = 5.0
    read_timeout: float = 15.0

    def validate(self) -> None:
        """User mistakes that need no network call to see (exit 2 before anything is sent)."""
        if self.org and not self.role_name:
            raise AiPostureError("--org needs --role-name: the role to assume in each member account "
                                 "(e.g. --role-name OrganizationAccountAccessRole)")
        if self.role_arn and not role_arn_account(self.role_arn):
            raise AiPostureError(f"--role-arn {self.role_arn!r} is not a role ARN (arn:aws:iam::123456789012:role/NAME)")
        bad = [a for a in self.accounts if not (a.isdigit() and len(a) == 12)]
        if bad:
            raise AiPostureError(f"--accounts: {', '.join(bad)} is not a 12-digit AWS account id")
        check_regions(self.regions)


def role_arn_account(arn: str) -> str:
    """The account id of a role ARN ('' when it is not one)."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        return ""
    return parts[4] if parts[4].isdigit() and len(parts[4]) == 12 else ""


def classify(e: BaseException) -> tuple[str, str]:
    """(code, message) for an exception raised while calling AWS."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    if isinstance(e, ClientError):
        err = e.response.get("Error", {})
        return str(err.get("Code") or "ClientError"), f"{e.operation_name}: {err.get('Message') or e}"
    if isinstance(e, MalformedResponse):
        return "MalformedResponse", str(e)
    if isinstance(e, EndpointDown) or network_error(e):
        return "EndpointUnreachable", str(e)
    if isinstance(e, NoCredentialsError):
        return "NoCredentials", str(e)
    if isinstance(e, BotoCoreError):
        return type(e).__name__, str(e)
    return "InternalError", f"{type(e).__name__}: {e}"


def shared_loader():
    """One botocore data loader per process: service models are parsed once, not once per session."""
    global _loader
    with _loader_lock:
        if _loader is None:
            from botocore.loaders import create_loader

            _loader = create_loader()
        return _loader


def require_sdk() -> None:
    try:  # the extra installs boto3 (which pins botocore); the scan itself needs only botocore
        import boto3  # noqa: F401
        import botocore  # noqa: F401
    except ImportError:
        raise AiPostureError("the AWS SDK is not installed: pip install 'aiposture[aws]'") from None


def new_session(profile: str | None = None):
    """A botocore session for the user's profile (credential chain, region, endpoint settings)."""
    require_sdk()
    import botocore.session

    s = botocore.session.Session(profile=profile)
    s.register_component("data_loader", shared_loader())
    return s


def user_credentials(session, profile: str | None):
    """The credentials of the standard chain (profile, SSO, environment, instance role), or a clear error."""
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    try:
        creds = session.get_credentials()
    except ProfileNotFound:
        raise AiPostureError(f"AWS profile {profile!r} not found (see 'aws configure list-profiles')") from None
    except BotoCoreError as e:
        raise AiPostureError(f"cannot load AWS credentials: {e}") from None
    if creds is None:
        raise AiPostureError("no AWS credentials found: set AWS_PROFILE or --profile, or run 'aws sso login' / "
                             "'aws configure' (aiposture uses the standard AWS credential chain)")
    return creds


def home_region(session) -> str:
    return session.get_config_variable("region") or "us-east-1"


def caller_identity(pool, creds, region: str, rec=None) -> tuple[str, str]:
    """(account id, partition) of the credentials, or a clear error when they are rejected. With ``rec``,
    the caller's ARN is recorded as the scanning identity (the evidence pack names who scanned)."""
    from botocore.exceptions import ClientError, NoCredentialsError

    try:
        with bound(creds):
            ident = pool.client("sts", region).get_caller_identity()
    except NoCredentialsError:
        raise AiPostureError("no AWS credentials found: set AWS_PROFILE or --profile, or run 'aws sso login' / "
                             "'aws configure' (aiposture uses the standard AWS credential chain)") from None
    except ClientError as e:
        raise AiPostureError(f"AWS credentials were rejected: {classify(e)[1]}") from None
    except Exception as e:
        raise AiPostureError(f"cannot reach AWS STS to identify the credentials: {classify(e)[1]}") from None
    arn = str(ident.get("Arn") or "")
    account = str(ident.get("Account") or "")
    if not account:
        raise AiPostureError("AWS STS GetCallerIdentity answered without an account id")
    if rec is not None and arn:
        rec.identify(arn, type=_principal_type(arn), account=account)
    return account, arn.split(":")[1] if arn.startswith("arn:") and arn.count(":") >= 2 else "aws"


def _principal_type(arn: str) -> str:
    """'assumed-role', 'user', 'role', 'root' ... from an IAM/STS ARN's resource part."""
    resource = arn.split(":", 5)[-1]
    return resource.split("/", 1)[0] if "/" in resource else resource


def assume(pool, base_creds, region: str, role_arn: str, opts: AwsOptions):
    """Credentials for ``role_arn`` that renew themselves through AssumeRole before they expire."""
    from botocore.credentials import RefreshableCredentials

    kw: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME, "DurationSeconds": 3600}
    if opts.external_id:
        kw["ExternalId"] = opts.external_id

    def fetch() -> dict[str, Any]:
        with bound(base_creds):
            c = pool.client("sts", region).assume_role(**kw).get("Credentials") or {}
        keys = ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
        if not all(c.get(k) for k in keys):
            raise MalformedResponse("AssumeRole answered without complete credentials")
        exp = c["Expiration"]
        return {"access_key": c["AccessKeyId"], "secret_key": c["SecretAccessKey"], "token": c["SessionToken"],
                "expiry_time": exp.isoformat() if hasattr(exp, "isoformat") else str(exp)}

    return RefreshableCredentials.create_from_metadata(fetch(), refresh_using=fetch, method="assume-role")


def org_accounts(pool, creds, region: str) -> list[tuple[str, str]]:
    """(id, name) of every ACTIVE account in the organization of the caller (paged)."""
    out = []
    with bound(creds):
        for page in pool.client("organizations", region).get_paginator("list_accounts").paginate():
            for a in page.get("Accounts") or []:
                state = a.get("State") or a.get("Status")
                if str(state).upper() == "ACTIVE" and a.get("Id"):
                    out.append((str(a["Id"]), str(a.get("Name") or "")))
    return out


def bedrock_regions(session, partition: str) -> list[str]:
    """Regions where botocore knows a Bedrock endpoint (the default region list)."""
    return sorted(session.get_available_regions("bedrock", partition_name=partition))


# ---------------------------------------------------------------------------- region names
def _partitions() -> list[dict[str, Any]]:
    return list(shared_loader().load_data("partitions").get("partitions", []))


def known_regions() -> set[str]:
    """Every region botocore's partition and endpoint data name (all partitions)."""
    names: set[str] = set()
    for p in _partitions():
        names.update(r for r in p.get("regions", {}) if not r.endswith("-global"))
    for p in shared_loader().load_data("endpoints").get("partitions", []):
        names.update(p.get("regions", {}))
    return names


def check_regions(regions: list[str]) -> None:
    """A name that is not an AWS region is a usage error, with the nearest real names.

    Names newer than the installed botocore still pass when they have the shape of their
    partition's region names (``regionRegex``), so an old SDK does not block a new region.
    """
    if not regions:
        return
    import re

    known = known_regions()
    shapes = [re.compile(p["regionRegex"]) for p in _partitions() if p.get("regionRegex")]
    for r in regions:
        if r in known or any(rx.match(r) for rx in shapes):
            continue
        near = difflib.get_close_matches(r, sorted(known), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(near)}?)" if near else " (e.g. us-east-1, eu-west-1)"
        raise AiPostureError(f"--regions: {r!r} is not an AWS region{hint}")
