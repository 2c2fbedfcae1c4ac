"""Resource-type specs: one declarative entry per native type, and everything derived from them.

The data lives in ``specs/aws.py``, ``specs/azure.py`` and ``specs/gcp.py`` (each a ``PROVIDER``
:class:`ProviderSpec` and a ``SPECS`` tuple of :class:`ResourceSpec`). From them come:

* the IaC type map (:func:`iac_types`: IaC type -> spec and builder; ``iac/build.py`` reads it),
* the permissions ``aiposture permissions aws|azure|gcp`` prints (:func:`permissions`),
* the service and native-type lists of the provider descriptors (:func:`services`, :func:`native_types`),
* the native types per kind in ``docs/inventory.md``,
* the relationship attributes the linker (:mod:`aiposture.link`) sets.

Loading is cheap (plain dataclasses, no YAML, no SDK): ``aiposture permissions`` runs on it alone.
:func:`register` adds a spec at run time (plug-ins, tests); every derived view follows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from aiposture.specs.model import (
    PROVIDERS,
    ApiCall,
    IacType,
    Link,
    ProviderSpec,
    ResourceSpec,
    Service,
    resolve,
)

__all__ = [
    "PROVIDERS",
    "ApiCall",
    "IacType",
    "Link",
    "ProviderSpec",
    "ResourceSpec",
    "Service",
    "all_specs",
    "by_native",
    "cached",
    "calls",
    "iac_builders",
    "iac_native",
    "iac_types",
    "links_to",
    "native_types",
    "permissions",
    "provider",
    "register",
    "registered",
    "resolve",
    "services",
    "unjudged_iac",
    "unregister",
]

T = TypeVar("T")
_specs: list[ResourceSpec] | None = None
_providers: dict[str, ProviderSpec] = {}
_derived: dict[str, object] = {}


def _load() -> list[ResourceSpec]:
    global _specs
    if _specs is None:
        found: list[ResourceSpec] = []
        for p in PROVIDERS:
            mod = importlib.import_module(f"aiposture.specs.{p}")
            _providers[p] = mod.PROVIDER
            found.extend(mod.SPECS)
        _check(found)
        _specs = found
    return _specs


def _check(found: list[ResourceSpec]) -> None:
    """The registry's invariants: one spec per native type, one builder per IaC type, known kinds."""
    from aiposture.inventory import KINDS

    seen: dict[str, ResourceSpec] = {}
    builders: dict[str, tuple[str | None, str | None]] = {}
    for s in found:
        if s.provider not in PROVIDERS:
            raise ValueError(f"{s.native_type}: unknown provider {s.provider!r}")
        if s.kind not in KINDS:
            raise ValueError(f"{s.native_type}: unknown kind {s.kind!r}")
        if s.native_type in seen:
            raise ValueError(f"two specs for {s.native_type}")
        seen[s.native_type] = s
        for it in s.iac:
            prev = builders.setdefault(it.type, (it.builder, it.adapter))
            if prev != (it.builder, it.adapter):
                raise ValueError(f"IaC type {it.type} has two mappings: {prev} and {(it.builder, it.adapter)}")


def all_specs(provider: str | None = None) -> tuple[ResourceSpec, ...]:
    """Every registered spec (of one provider), in registration order."""
    return tuple(s for s in _load() if provider is None or s.provider == provider)


def provider(name: str) -> ProviderSpec:
    _load()
    return _providers[name]


def by_native(native_type: str) -> ResourceSpec | None:
    return cached("by_native", lambda: {s.native_type: s for s in _load()}).get(native_type)


def cached(name: str, build: Callable[[], T]) -> T:
    """A view derived from the specs, built once and rebuilt after :func:`register`."""
    if name not in _derived:
        _derived[name] = build()
    return _derived[name]  # type: ignore[return-value]


def iac_builders() -> dict[str, str]:
    """IaC type -> builder key in ``iac/build.py`` (the IaC type itself when it takes the generic path)."""
    return cached("iac_builders", lambda: {t: it.builder or t for t, (it, _) in iac_types().items()})


def iac_native(builder: str, kind: str | None = None) -> str | None:
    """The native type a builder produces (of ``kind`` when it produces several), or None."""
    table = cached("iac_native", _iac_native)
    return table.get((builder, kind)) or table.get((builder, None))


def _iac_native() -> dict[tuple[str, str | None], str]:
    out: dict[tuple[str, str | None], str] = {}
    for t, (it, ss) in iac_types().items():
        key = it.builder or t
        for s in ss:
            out.setdefault((key, s.kind), s.native_type)
        natives = {s.native_type for s in ss}
        if len(natives) == 1:
            out.setdefault((key, None), ss[0].native_type)
    return out


def iac_types() -> dict[str, tuple[IacType, tuple[ResourceSpec, ...]]]:
    """IaC type -> (its mapping, the specs it produces). ``aws_bedrock_custom_model`` produces two."""
    def build() -> dict[str, tuple[IacType, tuple[ResourceSpec, ...]]]:
        out: dict[str, tuple[IacType, tuple[ResourceSpec, ...]]] = {}
        for s in _load():
            for it in s.iac:
                prev = out.get(it.type)
                out[it.type] = (it, (*prev[1], s) if prev else (s,))
        return out

    return cached("iac", build)


def unjudged_iac() -> frozenset[str]:
    """IaC types the readers see but no spec judges yet (reported as "read but not judged")."""
    return cached("unjudged", lambda: frozenset(t for p in PROVIDERS for t in provider(p).unjudged_iac) - set(iac_types()))


def links_to(native_type: str) -> tuple[Link, ...]:
    s = by_native(native_type)
    return s.links if s else ()


def permissions(provider_name: str) -> list[str]:
    """Every permission a live scan of the provider needs (scope discovery and every type), sorted."""
    p = provider(provider_name)
    perms = {x for c in p.scope_calls for x in c.permissions}
    perms |= {x for s in all_specs(provider_name) for x in s.permissions}
    return sorted(perms)


def calls(provider_name: str) -> list[ApiCall]:
    """Every API call of a provider's scan (scope discovery first), each once."""
    seen: dict[tuple[str, str], ApiCall] = {}
    for c in (*provider(provider_name).scope_calls, *(c for s in all_specs(provider_name) for c in s.calls)):
        seen.setdefault((c.service, c.operation), c)
    return list(seen.values())


def services(provider_name: str) -> dict[str, Service]:
    """The services a provider's scan calls, in first-use order, described by the provider spec.

    A service no call uses is not listed; a call to a service the provider spec does not describe
    is listed with an empty description (and fails ``tests/test_specs.py``)."""
    described = {s.name: s for s in provider(provider_name).services}
    out: dict[str, Service] = {}
    for c in calls(provider_name):
        out.setdefault(c.service, described.get(c.service) or Service(c.service, sdk="", description=""))
    for s in all_specs(provider_name):
        out.setdefault(s.service, described.get(s.service) or Service(s.service, sdk="", description=""))
    return out


def native_types(provider_name: str) -> dict[str, list[str]]:
    """Normalised kind -> native types of the provider, in spec order."""
    out: dict[str, list[str]] = {}
    for s in all_specs(provider_name):
        out.setdefault(s.kind, []).append(s.native_type)
    return out


def register(spec: ResourceSpec) -> None:
    """Add a spec at run time; every derived view (IaC map, permissions, descriptors) includes it."""
    specs = _load()
    _check([*specs, spec])
    specs.append(spec)
    _derived.clear()


def unregister(native_type: str) -> None:
    specs = _load()
    specs[:] = [s for s in specs if s.native_type != native_type]
    _derived.clear()


@contextmanager
def registered(spec: ResourceSpec) -> Iterator[ResourceSpec]:
    """``with registered(spec):`` the spec exists inside the block only (tests)."""
    register(spec)
    try:
        yield spec
    finally:
        unregister(spec.native_type)
