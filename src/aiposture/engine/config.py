"""The configuration file: waivers, rule selection, fail threshold, inline suppressions.

Validated by ``schemas/config.schema.json``. A waiver accepts one rule's
failure on matching resources until an expiry date, with an owner and a
reason; once expired it no longer hides anything and the result says so.

**Only the user configures a scan.** The file is read from ``--config`` or
``AIPOSTURE_CONFIG`` and nowhere else: a ``.aiposture.yaml`` in the current
directory (in CI, the checkout of a pull request) is *not* loaded, only
mentioned in a note, so a pull request cannot waive, skip or relax its own
checks. Comments in scanned files (``# aiposture:ignore RULE reason``) are
applied only when the user allows them (``inline_suppressions: true`` here or
``--allow-inline-suppressions``); see :mod:`aiposture.engine.waivers`.
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
    source: str = ""  # the config file that declared it

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
            "source": "config",
            "origin": self.source,
        }


@dataclass
class Config:
    fail_on: str | None = None
    rule_dirs: list[Path] = field(default_factory=list)
    select: dict[str, list[str]] = field(default_factory=dict)
    skip: list[str] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    path: Path | None = None
    inline_suppressions: bool = False  # apply '# aiposture:ignore' comments from scanned files

    def find_waiver(self, rule_id: str, resource_id: str) -> Waiver | None:
        """The first matching waiver; a valid one wins over an expired one."""
        found = [w for w in self.waivers if w.matches(rule_id, resource_id)]
        if not found:
            return None
        valid = [w for w in found if not w.expired()]
        return valid[0] if valid else found[0]


MAX_CONFIG_BYTES = 1024 * 1024


def ignored_config_note(search_dir: str | Path) -> str | None:
    """A note when a config file sits in ``search_dir`` but was not named (it is not loaded)."""
    for name in DEFAULT_CONFIG_NAMES:
        if (Path(search_dir) / name).exists():
            return (f"{name} in the current directory was not loaded: configuration comes only from --config or "
                    "AIPOSTURE_CONFIG, so a scanned repository cannot configure or waive its own scan")
    return None


def _field(path) -> str:
    return ".".join(str(x) for x in path) or "(top level)"


def load_config(path: str | Path | None) -> Config:
    """Load the configuration file the user named, or return the defaults.

    Every problem is one :class:`ConfigError` line naming the file and the field.
    """
    if path is None:
        return Config()
    p = Path(path)
    try:
        if p.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{p}: the config file is over {MAX_CONFIG_BYTES // 1024} KB")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{p}: is a directory, not a config file") from None
    except OSError as e:
        raise ConfigError(f"{p}: cannot read config: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(f"{p}:{line}: the config file is not UTF-8 text (byte 0x{raw[e.start]:02x})") from None
    from aiposture.safeyaml import YamlProblem
    from aiposture.safeyaml import load as load_yaml

    try:
        data = load_yaml(text)
    except YamlProblem as e:
        where = f"{p}:{e.line}" if e.line else str(p)
        raise ConfigError(f"{where}: {e}") from None
    if data is None:
        data = {}
    from jsonschema import Draft202012Validator

    from aiposture.inventory import clip

    errors = sorted(Draft202012Validator(schema("config")).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"{p}: invalid configuration at {_field(err.absolute_path)}: {clip(err.message, 200)}{more}")
    waivers = []
    for i, w in enumerate(data.get("waivers", [])):
        try:
            expires = _dt.date.fromisoformat(w["expires"])
        except ValueError:
            raise ConfigError(f"{p}: waivers.{i}.expires: {clip(w['expires'], 40)!r} is not a date (YYYY-MM-DD)") from None
        waivers.append(Waiver(w["rule"], w["resource"], w["reason"], w["owner"], expires, source=str(p)))
    rule_dirs = [(p.parent / d).resolve() for d in data.get("rule_dirs", [])]
    for i, d in enumerate(rule_dirs):
        if not d.exists():
            raise ConfigError(f"{p}: rule_dirs.{i}: {d} not found (relative paths start at the config file's folder)")
    return Config(
        fail_on=data.get("fail_on"),
        rule_dirs=rule_dirs,
        select=data.get("select", {}),
        skip=data.get("skip", []),
        waivers=waivers,
        path=p,
        inline_suppressions=bool(data.get("inline_suppressions", False)),
    )
