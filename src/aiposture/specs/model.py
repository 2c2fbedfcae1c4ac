"""The shape of a resource-type spec: small frozen dataclasses, no behaviour beyond resolving references.

A spec says, for one native resource type, everything the rest of the tool used to keep in its own list:
which normalised kind it is, which API calls read it (and the permissions they need), which IaC types
produce it, which function turns its API or IaC shape into ``attrs``, and which other types link to it.
The registry (:mod:`aiposture.specs`) derives the IaC type map, ``aiposture permissions``, the provider
descriptors' service and native-type lists and the inventory docs from these objects.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PROVIDERS = ("aws", "azure", "gcp")


def resolve(ref: str) -> Callable[..., Any]:
    """``"package.module:function"`` -> the function (imported on first use, so specs stay cheap to load)."""
    module, _, name = ref.partition(":")
    if not module or not name:
        raise ValueError(f"not a 'module:function' reference: {ref!r}")
    fn = getattr(importlib.import_module(module), name)
    if not callable(fn):
        raise TypeError(f"{ref} is not callable")
    return fn


@dataclass(frozen=True)
class ApiCall:
    """One read the live collector makes, and what it needs.

    ``service`` is a key of the provider's services (``ProviderSpec.services``); ``operation`` is the
    SDK operation (AWS: botocore operation name; Azure: the ARM request; Google: ``Service.Method``);
    ``permissions`` are the IAM actions, Azure RBAC actions or Google permissions the call needs.
    """

    service: str
    operation: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class IacType:
    """An IaC resource type that produces (or contributes to) a native type.

    ``type``: a Terraform type (``aws_*``, ``awscc_*``, ``azurerm_*``, ``google_*``), a CloudFormation
    type (``AWS::...``) or an ARM type (``Microsoft.../...``; the same name serves ARM templates, Bicep
    and Terraform ``azapi_resource`` whose ``type`` is that string with an ``@api-version``).
    ``builder``: the named mapping in ``iac/build.py`` for types that need cross-resource context (a
    role's attachments, a bucket's versioning); ``None`` means the generic path: ``adapter`` (optional,
    ``module:function``) turns the IaC values into the API shape, then the spec's normaliser makes attrs.
    """

    type: str
    builder: str | None = None
    adapter: str | None = None

    @property
    def format(self) -> str:
        if self.type.startswith("AWS::"):
            return "cloudformation"
        if self.type.startswith("Microsoft."):
            return "arm"
        return "terraform"


@dataclass(frozen=True)
class Link:
    """``source`` resources refer to this type; the linker sets ``attr`` on the referenced ones.

    ``api_paths``: where the referrer's API shape (as read, before snake-casing) names the target;
    ``iac_paths``: the reference paths in the referrer's IaC values (snake_case). ``complete``: the
    listed referrers are the only way the target can be used, so a live target nobody refers to gets
    ``attr = false``; otherwise (a Bedrock guardrail can also be passed on each InvokeModel call) the
    attribute is left out. IaC never sets ``false``: referrers may live outside the configuration.
    ``ignore_case``: names compare case-insensitively (ARM names). ``default``: what an API path that is
    absent or empty (in an object that was read) refers to (an Azure deployment without ``raiPolicyName``
    uses ``Microsoft.DefaultV2``).
    """

    attr: str
    source: str
    api_paths: tuple[str, ...] = ()
    iac_paths: tuple[str, ...] = ()
    complete: bool = False
    ignore_case: bool = False
    default: str | None = None


@dataclass(frozen=True)
class ResourceSpec:
    """One native resource type."""

    provider: str
    kind: str
    native_type: str
    title: str
    service: str
    calls: tuple[ApiCall, ...] = ()
    iac: tuple[IacType, ...] = ()
    normaliser: str | None = None
    links: tuple[Link, ...] = ()

    def normalise(self, shape: dict[str, Any], **kw: Any) -> dict[str, Any]:
        """Run the normaliser on an API or IaC shape (snake_case keys)."""
        if self.normaliser is None:
            raise ValueError(f"{self.native_type}: no normaliser")
        return resolve(self.normaliser)(shape, **kw)

    @property
    def permissions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for c in self.calls for p in c.permissions))


@dataclass(frozen=True)
class Service:
    """A cloud API the collector talks to (a provider descriptor's ``services`` entry)."""

    name: str
    sdk: str
    description: str
    client: str = ""
    api_version: str = ""
    host: str = ""


@dataclass(frozen=True)
class ProviderSpec:
    """What belongs to a provider rather than to one type: its services, the calls that find the scopes
    (accounts, subscriptions, projects, regions), fallback locations, IaC types read but not judged yet."""

    provider: str
    services: tuple[Service, ...]
    scope_calls: tuple[ApiCall, ...] = ()
    default_locations: tuple[str, ...] = ()
    unjudged_iac: tuple[str, ...] = ()
