"""The configuration file (``.aiposture.yaml``): waivers, rule selection, fail threshold.

Validated by ``schemas/config.schema.json``. A waiver accepts one rule's
failure on matching resources until an expiry date, with an owner and a
reason; once expired it no longer hides anything and the result says so.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiposture.errors import ConfigError
from aiposture.paths import schema

DEFAULT_CONFIG_NAMES = (".aiposture.yaml", ".aiposture.yml")


@dataclass(frozen=True)
class Waiver:
    rule: str
    resource: str
    reason: str
    owner: str
    expires: _dt.date

    def matches(self, rule_id: str, resource_id: str) -> bool:
        return fnmatch.fnmatchcase(rule_id, self.rule) and fnmatch.fnmatchcase(resource_id, self.resource)

    def expired(self, today: _dt.date | None = None) -> bool:
        return (today or _dt.date.today()) > self.expires

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "resource": self.resource,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
        }


@dataclass
class Config:
    fail_on: str | None = None
    rule_dirs: list[Path] = field(default_factory=list)
    select: dict[str, list[str]] = field(default_factory=dict)
    skip: list[str] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    path: Path | None = None

    def find_waiver(self, rule_id: str, resource_id: str) -> Waiver | None:
        """The first matching waiver; a valid one wins over an expired one."""
        found = [w for w in self.waivers if w.matches(rule_id, resource_id)]
        if not found:
            return None
        valid = [w for w in found if not w.expired()]
        return valid[0] if valid else found[0]


def load_config(path: str | Path | None, *, search_dir: str | Path | None = None) -> Config:
    """Load ``path``, or ``.aiposture.yaml`` in ``search_dir`` if present, else defaults."""
    if path is None:
        base = Path(search_dir or ".")
        for name in DEFAULT_CONFIG_NAMES:
            if (base / name).is_file():
                path = base / name
                break
        else:
            return Config()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except OSError as e:
        raise ConfigError(f"{p}: cannot read config: {e.strerror}") from None
    try:
        import yaml  # only when there is a configuration file

        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark else str(p)
        raise ConfigError(f"{where}: malformed YAML: {getattr(e, 'problem', None) or e}") from None
    if data is None:
        data = {}
    # YAML turns 2026-12-31 into a date; the schema expects the ISO string
    for w in data.get("waivers", []) or [] if isinstance(data, dict) else []:
        if isinstance(w, dict) and isinstance(w.get("expires"), _dt.date):
            w["expires"] = w["expires"].isoformat()
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(schema("config")).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for err in errors[:10]:
            loc = ".".join(str(x) for x in err.absolute_path) or "(top level)"
            lines.append(f"{loc}: {err.message}")
        raise ConfigError(f"{p}: invalid configuration:\n  " + "\n  ".join(lines))
    waivers = []
    for i, w in enumerate(data.get("waivers", [])):
        try:
            expires = _dt.date.fromisoformat(w["expires"])
        except ValueError:
            raise ConfigError(f"{p}: waivers.{i}.expires: {w['expires']!r} is not a date (YYYY-MM-DD)") from None
        waivers.append(Waiver(w["rule"], w["resource"], w["reason"], w["owner"], expires))
    return Config(
        fail_on=data.get("fail_on"),
        rule_dirs=[(p.parent / d).resolve() for d in data.get("rule_dirs", [])],
        select=data.get("select", {}),
        skip=data.get("skip", []),
        waivers=waivers,
        path=p,
    )
