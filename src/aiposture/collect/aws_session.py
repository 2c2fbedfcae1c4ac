"""AWS sessions for a multi-account scan: credentials, AWS Organizations walk, AssumeRole, regions.

boto3 is imported lazily (inside functions). Every session shares one
botocore data loader, so the service models are parsed once per scan rather
than once per account. The standard ``AWS_ENDPOINT_URL`` /
``AWS_ENDPOINT_URL_<SERVICE>`` variables are honoured by botocore itself:
that is how users reach VPC endpoints and how the tests reach moto.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from aiposture.errors import AiPostureError

SESSION_NAME = "aiposture"
_loader = None
_loader_lock = threading.Lock()
_client_lock = threading.Lock()


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
    retry_mode: str = "adaptive"


@dataclass
class Account:
    """One account to scan: its id, a session with credentials for it, and its partition."""

    id: str
    session: Any
    partition: str = "aws"
    name: str = ""


def classify(e: BaseException) -> tuple[str, str]:
    """(code, message) for an exception from boto3/botocore."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    if isinstance(e, ClientError):
        err = e.response.get("Error", {})
        return str(err.get("Code") or "ClientError"), f"{e.operation_name}: {err.get('Message') or e}"
    if isinstance(e, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)):
        return "EndpointUnreachable", str(e)
    if isinstance(e, NoCredentialsError):
        return "NoCredentials", str(e)
    if isinstance(e, BotoCoreError):
        return type(e).__name__, str(e)
    return "InternalError", f"{type(e).__name__}: {e}"


def _shared_loader():
    global _loader
    with _loader_lock:
        if _loader is None:
            from botocore.loaders import create_loader

            _loader = create_loader()
        return _loader


def require_sdk() -> None:
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise AiPostureError("the AWS SDK is not installed: pip install 'aiposture[aws]'") from None


def new_session(*, profile: str | None = None, credentials: dict[str, str] | None = None, region: str | None = None):
    require_sdk()
    import boto3
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    bs = botocore.session.Session(profile=profile)
    bs.register_component("data_loader", _shared_loader())
    try:
        if credentials:
            return boto3.Session(botocore_session=bs, region_name=region, aws_access_key_id=credentials["AccessKeyId"],
                                 aws_secret_access_key=credentials["SecretAccessKey"],
                                 aws_session_token=credentials["SessionToken"])
        return boto3.Session(botocore_session=bs, region_name=region)
    except ProfileNotFound:
        raise AiPostureError(f"AWS profile {profile!r} not found (see 'aws configure list-profiles')") from None


def client_config(opts: AwsOptions):
    from botocore.config import Config

    return Config(retries={"mode": opts.retry_mode, "max_attempts": opts.max_attempts},
                  user_agent_extra="aiposture", connect_timeout=10, read_timeout=30, max_pool_connections=20)


def _session_lock(session) -> threading.Lock:
    with _client_lock:
        lock = getattr(session, "_aiposture_lock", None)
        if lock is None:
            lock = session._aiposture_lock = threading.Lock()
        return lock


def make_client(session, service: str, region: str | None, opts: AwsOptions, on_call=None):
    """A client with adaptive retries. Creating clients from one session is not thread-safe, so creation is
    serialised per session (one session per account: accounts still create clients in parallel)."""
    with _session_lock(session):
        c = session.client(service, region_name=region or "us-east-1", config=client_config(opts))
    # same event name as botocore's retry handler (more specific names run first), and ahead of it
    c.meta.events.register_first(f"needs-retry.{c.meta.service_model.service_id.hyphenize()}", _not_aws_error_is_final)
    if on_call is not None:
        c.meta.events.register("before-call", on_call)
    return c


def _not_aws_error_is_final(response=None, **_):
    """Do not retry a 500 that is not an AWS error document.

    AWS answers failures with a structured error (JSON/XML with an error code). A 500 carrying an
    HTML page or a "not implemented" text comes from something else in the path (an API emulator
    such as moto or LocalStack for an operation it lacks, a misconfigured proxy behind
    AWS_ENDPOINT_URL): retrying it only multiplies the wait. Marked 501 so botocore's retry
    checker gives up at once; the scan records the scope error and carries on.
    """
    if not response:
        return
    http, parsed = response
    if getattr(http, "status_code", None) != 500:
        return
    body = (getattr(http, "content", b"") or b"")[:4000]
    head = body.lstrip()[:15].lower()
    if b"not been implemented" in body or b"not yet implemented" in body:
        code, msg = "NotImplemented", "the endpoint does not implement this operation"
    elif head.startswith((b"<!doctype html", b"<html")):
        code, msg = "EndpointError", "HTTP 500 with an HTML page instead of an AWS error (a proxy or emulator behind AWS_ENDPOINT_URL?)"
    else:
        return
    http.status_code = 501  # what botocore's retry checker reads
    parsed.setdefault("ResponseMetadata", {})["HTTPStatusCode"] = 501
    parsed["Error"] = {"Code": code, "Message": msg}
    return


def caller_identity(session, opts: AwsOptions, on_call=None) -> tuple[str, str]:
    """(account id, partition) of the credentials, or a clear error when there are none."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

    try:
        ident = make_client(session, "sts", session.region_name, opts, on_call).get_caller_identity()
    except ProfileNotFound:
        raise AiPostureError(f"AWS profile {opts.profile!r} not found (see 'aws configure list-profiles')") from None
    except NoCredentialsError:
        raise AiPostureError("no AWS credentials found: set AWS_PROFILE or --profile, or run 'aws sso login' / "
                             "'aws configure' (aiposture uses the standard AWS credential chain)") from None
    except ClientError as e:
        raise AiPostureError(f"AWS credentials were rejected: {classify(e)[1]}") from None
    except BotoCoreError as e:
        raise AiPostureError(f"cannot reach AWS STS to identify the credentials: {e}") from None
    arn = ident["Arn"]
    return ident["Account"], arn.split(":")[1] if arn.startswith("arn:") else "aws"


def assume(base, role_arn: str, opts: AwsOptions, on_call=None):
    kw: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME, "DurationSeconds": 3600}
    if opts.external_id:
        kw["ExternalId"] = opts.external_id
    creds = make_client(base, "sts", base.region_name, opts, on_call).assume_role(**kw)["Credentials"]
    return new_session(credentials=creds, region=base.region_name)


def org_accounts(base, opts: AwsOptions, on_call=None) -> list[tuple[str, str]]:
    """(id, name) of every ACTIVE account in the organization of the caller (paged)."""
    org = make_client(base, "organizations", base.region_name, opts, on_call)
    out = []
    for page in org.get_paginator("list_accounts").paginate():
        for a in page.get("Accounts", []):
            state = a.get("State") or a.get("Status")
            if str(state).upper() == "ACTIVE":
                out.append((a["Id"], a.get("Name", "")))
    return out


def bedrock_regions(session, partition: str) -> list[str]:
    """Regions where botocore knows a Bedrock endpoint (the default region list)."""
    return sorted(session.get_available_regions("bedrock", partition_name=partition))
