"""The linker: relationship attributes (``attached``...) from the specs' links, for live scans and IaC alike.

A spec's :class:`~aiposture.specs.Link` says "resources of type S refer to this type; then set ``attr``".
Sources only report what they read:

* live collectors call :meth:`Linker.refer` with each referrer's API shape (the link's ``api_paths`` say where
  it names its target) and :meth:`Linker.target` with each resource that can be referred to and the keys it
  is known by (id, ARN, name); :meth:`Linker.apply` then sets the attributes;
* the IaC builder calls :func:`iac_attrs` with the configuration's reference graph (the link's ``iac_paths``
  are the referrers' reference paths; ARM templates refer by name inside one file).

Unreferenced: a live target gets ``attr = false`` when the link is ``complete`` (the listed referrers are the
only way to use it), otherwise the attribute is left out; IaC never says ``false`` (referrers may be declared
elsewhere). Normalisers never compute links.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Protocol

from aiposture import specs
from aiposture.normalize.values import get, known
from aiposture.specs import Link

_NOTHING = object()


def _at(shape: Any, path: str) -> Any:
    """The value at a dotted path; ``_NOTHING`` when a step is not an object (nothing can be said)."""
    cur = shape
    for part in path.split("."):
        if not isinstance(cur, dict):
            return _NOTHING
        cur = cur.get(part)
    return cur


def _key(link: Link, value: str) -> str:
    return value.lower() if link.ignore_case else value


def _sourced(source_native: str) -> list[tuple[str, Link]]:
    """(target native type, link) of every link whose referrer is ``source_native``."""
    table: dict[str, list[tuple[str, Link]]] = specs.cached("links_by_source", _links_by_source)
    return table.get(source_native, [])


def _links_by_source() -> dict[str, list[tuple[str, Link]]]:
    out: dict[str, list[tuple[str, Link]]] = {}
    for s in specs.all_specs():
        for link in s.links:
            out.setdefault(link.source, []).append((s.native_type, link))
    return out


class Linker:
    """References and targets met during one live scan scope; :meth:`apply` sets the attributes (thread-safe)."""

    def __init__(self) -> None:
        self._refs: set[tuple[str, str, Any, str]] = set()  # (target native, attr, scope, key)
        self._targets: list[tuple[dict[str, Any], Any, tuple[str, ...]]] = []
        self._lock = threading.Lock()

    def refer(self, source_native: str, shape: Any, scope: Any = "") -> None:
        """A referrer of type ``source_native`` was read (``shape``: its API answer, as read)."""
        found = []
        for target, link in _sourced(source_native):
            for path in link.api_paths:
                value = _at(shape, path)
                parent = _at(shape, path.rpartition(".")[0]) if "." in path else shape
                if value in (None, "") and isinstance(parent, dict):
                    value = link.default
                if isinstance(value, str) and value:
                    found.append((target, link.attr, scope, _key(link, value)))
        with self._lock:
            self._refs.update(found)

    def target(self, resource: dict[str, Any], keys: Iterable[Any], scope: Any = "") -> None:
        """``resource`` may be referred to by any of ``keys`` (its id, ARN, name) within ``scope``."""
        with self._lock:
            self._targets.append((resource, scope, tuple(k for k in keys if isinstance(k, str) and k)))

    def referenced(self, native: str, keys: Iterable[Any], scope: Any = "", attr: str | None = None) -> bool:
        """Whether something refers to a resource of type ``native`` known by ``keys`` (links setting ``attr``)."""
        for link in specs.links_to(native):
            if attr is not None and link.attr != attr:
                continue
            if any((native, link.attr, scope, _key(link, k)) in self._refs for k in keys if isinstance(k, str) and k):
                return True
        return False

    def apply(self) -> None:
        """Set every target's link attributes (once all referrers of the scope were read)."""
        with self._lock:
            targets, self._targets = self._targets, []
        for resource, scope, keys in targets:
            native = resource["native_type"]
            for attr in dict.fromkeys(link.attr for link in specs.links_to(native)):
                if self.referenced(native, keys, scope, attr):
                    resource["attrs"][attr] = True
                elif any(link.complete for link in specs.links_to(native) if link.attr == attr):
                    resource["attrs"][attr] = False


class Graph(Protocol):
    """What :func:`iac_attrs` needs of ``iac.build.Graph``."""

    canon: dict[str, str]
    by_canon: dict[str, list[Any]]
    rev: dict[int, list[tuple[Any, str]]]

    def referrers(self, target: Any, path: str | tuple[str, ...], canon: str | None = None,
                  rtype: str | None = None) -> list[Any]: ...


def _iac_plan() -> dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]]:
    """native type -> (attr, IaC reference paths, builder keys of the referring type) of its IaC links."""
    out: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]] = {}
    builders = specs.iac_builders()
    for s in specs.all_specs():
        for link in s.links:
            source = specs.by_native(link.source)
            if link.iac_paths and source is not None:
                canons = tuple(dict.fromkeys(builders[it.type] for it in source.iac))
                out.setdefault(s.native_type, []).append((link.attr, link.iac_paths, canons))
    return out


def iac_attrs(g: Graph, r: Any, native: str, *, arm_shaped: Any = None) -> dict[str, Any]:
    """Link attributes of the IaC resource ``r`` (of spec type ``native``) from the configuration's references.

    ``arm_shaped(raw)``: whether a raw resource is an ARM template resource (those refer by name inside
    their file, not by reference)."""
    plan = specs.cached("iac_links", _iac_plan).get(native)
    if not plan:
        return {}
    out: dict[str, Any] = {}
    referred = id(r) in g.rev
    for attr, paths, canons in plan:
        if out.get(attr):
            continue
        hit = referred and any(g.referrers(r, paths, canon) for canon in canons)
        if not hit and arm_shaped is not None:
            named = _arm_names(g, canons, paths, arm_shaped)
            hit = bool(named) and any((r.file, n) in named for n in (r.name, _known_name(r)) if isinstance(n, str))
        if hit:
            out[attr] = True
    return out


def _arm_names(g: Graph, canons: tuple[str, ...], paths: tuple[str, ...], arm_shaped: Any) -> set[tuple[str, Any]]:
    """(file, name) that ARM-shaped referrers name at ``paths``: ARM refers by name inside one template.
    Built once per graph and link (a lookup per target, not a scan of every referrer)."""
    cache: dict[tuple[tuple[str, ...], tuple[str, ...]], set[tuple[str, Any]]] = g.__dict__.setdefault("_link_names", {})
    key = (canons, paths)
    if key not in cache:
        cache[key] = {(d.file, n) for canon in canons for d in g.by_canon.get(canon, ()) if arm_shaped(d)
                      for n in (_known_name(d, p) for p in paths) if isinstance(n, str)}
    return cache[key]


def _known_name(r: Any, path: str = "name") -> Any:
    return known(get(r.values, path))
