"""Small helpers for walking configuration with unknown values."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


class _Unknown:
    """A value that exists but is not known yet (Terraform "known after apply", ``var.x`` without default)."""

    _inst = None

    def __new__(cls):
        if cls._inst is None:
            cls._inst = super().__new__(cls)
        return cls._inst

    def __repr__(self) -> str:
        return "<unknown>"

    def __bool__(self) -> bool:  # unknown is never silently truthy or falsy
        raise TypeError("UNKNOWN has no truth value; test with is_unknown()")


UNKNOWN: Any = _Unknown()


def is_unknown(v: Any) -> bool:
    return v is UNKNOWN


def first(v: Any) -> Any:
    """Terraform nested blocks come as lists of one element; take the element."""
    if isinstance(v, list):
        return v[0] if v else None
    return v


def get(d: Any, path: str, default: Any = None) -> Any:
    """``get(d, "a.b.c")`` through dicts and one-element block lists; UNKNOWN propagates."""
    node = d
    for seg in path.split("."):
        node = first(node)
        if node is UNKNOWN:
            return UNKNOWN
        if not isinstance(node, dict) or seg not in node:
            return default
        node = node[seg]
    return node


_CAMEL1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL2 = re.compile(r"([a-z0-9])([A-Z])")


@lru_cache(maxsize=4096)  # API key names repeat in every response: convert each once
def snake(name: str) -> str:
    """``ContentPolicyConfig`` / ``contentPolicyConfig`` -> ``content_policy_config``; ``KmsKeyARN`` -> ``kms_key_arn``."""
    if "_" in name and name.lower() == name:
        return name
    s = _CAMEL1.sub(r"\1_\2", name)
    return _CAMEL2.sub(r"\1_\2", s).lower()


def snake_keys(v: Any, *, keep: tuple[str, ...] = ("tags",)) -> Any:
    """Recursively convert dict keys to snake_case (values untouched; maps named in ``keep`` keep their keys)."""
    if isinstance(v, dict):
        return {snake(k): (val if k in keep or snake(k) in keep else snake_keys(val, keep=keep)) for k, val in v.items()}
    if isinstance(v, list):
        return [snake_keys(x, keep=keep) for x in v]
    return v


def known(v: Any) -> Any:
    """UNKNOWN -> None (attrs' "unknown")."""
    return None if v is UNKNOWN else v


def as_bool(v: Any, default: Any = None) -> Any:
    if v is UNKNOWN:
        return None
    if v is None:
        return default
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        if v.lower() in ("true", "enabled", "yes"):
            return True
        if v.lower() in ("false", "disabled", "no"):
            return False
    return None


def lower(v: Any, default: Any = None) -> Any:
    if v is UNKNOWN:
        return None
    if v is None:
        return default
    return str(v).lower()


def as_list(v: Any) -> Any:
    if v is UNKNOWN:
        return UNKNOWN
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def enum_of(v: Any, table: dict[str, Any], default: Any = None) -> Any:
    """An API enum value -> its normalised meaning.

    Absent or null means the API's documented default (``default``); a value the
    table does not know (a new enum member, a number, a wrong type) is unknown
    (None), never silently one of the known meanings. Matching ignores case.
    """
    if v is UNKNOWN:
        return None
    if v is None:
        return default
    if isinstance(v, str):
        return table.get(v.strip().lower())
    return None


def strict_bool(v: Any, default: Any = None) -> Any:
    """A boolean from an API: absent/null -> ``default``; anything but a bool (or 'true'/'false') -> unknown."""
    return v if isinstance(v, bool) else enum_of(v, {"true": True, "false": False}, default)


def as_int(v: Any) -> int | None:
    """An integer count from an API (JSON numbers may arrive as floats or int64 strings); anything else -> None."""
    if isinstance(v, bool) or v is None or v is UNKNOWN:
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**63:
        return int(v)
    if isinstance(v, str) and re.fullmatch(r"-?\d{1,19}", v.strip()):
        return int(v)
    return None


def str_list(v: Any) -> list[str] | None:
    """A list of strings from an API: absent/null -> [], anything else malformed -> None (unknown)."""
    if v is UNKNOWN:
        return None
    if v is None:
        return []
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    return None
