"""Threats, rule families and framework control catalogues, for reports, rule docs and compliance views.

Two sources, both shipped with the tool:

* ``rules/_catalog.yaml``: the ISO/IEC 27090 threats the rules name (aiposture's own wording until the
  standard is published), the rule families, and the framework registry (title, ``--compliance`` slug,
  catalogue file);
* ``frameworks/*.yaml``: each framework's control ids and short titles, with the sources they came
  from. The compliance view lists every control there, so "not covered by any rule" is a real count.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, field
from typing import Any

from aiposture.paths import frameworks_dir, rules_dir

# Where rule documentation lives; each rule has an anchor (``#aip-gr-001``) in docs/rules.md.
DOCS_URL = "https://github.com/aiposture/aiposture/blob/main/docs/rules.md"


def load_yaml(data: bytes | str) -> Any:
    import yaml

    return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when available; both safe


@functools.cache
def catalog() -> dict[str, Any]:
    """``rules/_catalog.yaml``, plus each framework's ``{control id: title}`` under its key (``catalog()["iso27001"]``).

    Kept in the cache folder by a hash of the catalog and the framework files, so most runs parse no YAML."""
    import hashlib
    import marshal

    from aiposture.schemacheck import cache_dir

    raw = (rules_dir() / "_catalog.yaml").read_bytes()
    blobs = {f.name: f.read_bytes() for f in sorted(frameworks_dir().glob("*.yaml"))}
    digest = hashlib.sha256(raw)
    for name, blob in blobs.items():
        digest.update(name.encode() + b"\0" + blob)
    cached = cache_dir() / f"catalog-{digest.hexdigest()[:16]}.marshal"
    try:
        data = marshal.loads(cached.read_bytes())
        if isinstance(data, dict):
            return data
    except (OSError, ValueError, EOFError, TypeError):
        pass
    data = load_yaml(raw)
    for key, meta in (data.get("frameworks") or {}).items():
        if isinstance(meta, dict) and meta.get("catalogue") in blobs:
            controls = load_yaml(blobs[meta["catalogue"]]).get("controls") or {}
            data[key] = {str(k): str(v) for k, v in controls.items()}
    from aiposture.errors import OutputError
    from aiposture.safeio import write_file

    # best effort (an unwritable cache only costs the parse); atomic, never through a link
    with contextlib.suppress(OSError, OutputError, ValueError):
        write_file(cached, marshal.dumps(data), "the catalog cache")
    return data


def threat_title(threat: str) -> str:
    return catalog()["threats"].get(threat, {}).get("title", threat)


@dataclass(frozen=True)
class Catalogue:
    """One framework's controls: id -> short title, in the catalogue's order."""

    key: str  # the key rules use under ``controls:`` (``iso27001``), or ``iso27090`` for threats
    slug: str  # the ``--compliance`` name (``owasp-llm-2025``)
    title: str
    version: str
    controls: dict[str, str]
    families: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    note: str = ""
    threats: bool = False  # the "controls" are the rules' threat tags, not ``controls:`` ids

    def family(self, control: str) -> str:
        """The family key of a control id (``A.8`` for ``A.8.9``, ``AML.M`` for ``AML.M0012``), or ''."""
        best = ""
        for key in self.families:
            if (control == key or control.startswith(key + ".") or control.startswith(key + "(")
                    or (key[-1].isalpha() and control.startswith(key))) and len(key) > len(best):
                best = key
        return best

    def rule_ids(self, rule: Any) -> list[str]:
        """The ids of this framework a rule maps to."""
        return list(rule.threats) if self.threats else list(rule.controls.get(self.key, []))


def frameworks() -> dict[str, dict[str, Any]]:
    """Framework key -> registry entry, for the frameworks that ship a catalogue (the ISO/IEC 27090 threats last)."""
    cat = catalog()
    return {**{k: v for k, v in cat["frameworks"].items() if v.get("catalogue")}, **(cat.get("threat_framework") or {})}


def slugs() -> dict[str, str]:
    """``--compliance`` name -> framework key."""
    return {v["slug"]: k for k, v in frameworks().items()}


def framework_title(key: str) -> str:
    return frameworks().get(key, catalog()["frameworks"].get(key, {})).get("title", key)


@functools.cache
def control_catalogue(key: str) -> Catalogue:
    """The catalogue of framework ``key`` (or of its slug)."""
    key = slugs().get(key, key)
    meta = frameworks()[key]
    data = load_yaml((frameworks_dir() / meta["catalogue"]).read_bytes())
    if meta.get("threats"):
        threats = catalog()["threats"]
        controls = {t: v["title"] for t, v in threats.items()}
        sources = tuple(data.get("sources", {}).values())
        note = data.get("wording", "")
    else:
        controls = {str(k): str(v) for k, v in data["controls"].items()}
        sources = tuple(data.get("sources", []))
        note = data.get("note", "") or data.get("scope", "")
    return Catalogue(key=key, slug=meta["slug"], title=meta["title"], version=str(data.get("version", "")),
                     controls=controls, families={str(k): str(v) for k, v in (data.get("families") or {}).items()},
                     sources=sources, note=note, threats=bool(meta.get("threats")))


def control_title(framework: str, control: str) -> str:
    try:
        return control_catalogue(framework).controls.get(control, "")
    except KeyError:
        return ""


def rule_family(rule_id: str) -> tuple[str, str]:
    """(key, title) of a rule's family from its id (``AIP-GR-001`` -> guardrails); user ids fall back to the infix."""
    parts = rule_id.split("-")
    infix = parts[1] if len(parts) > 2 else rule_id
    fam = catalog().get("families", {}).get(infix)
    return (fam["key"], fam["title"]) if fam else (infix.lower(), infix)


def rule_docs_url(rule: Any) -> str | None:
    """Documentation link of a rule: the docs/rules.md anchor for built-in rules, else its first reference URL."""
    try:
        builtin = rules_dir().resolve() in {p for p in _parents(rule.file)}
    except (OSError, ValueError):
        builtin = False
    if builtin:
        return f"{DOCS_URL}#{rule.id.lower()}"
    for ref in getattr(rule, "references", None) or []:
        if isinstance(ref, str) and ref.startswith("https://"):
            return ref
    return None


def _parents(file: str) -> list[Any]:
    from pathlib import Path

    return list(Path(file).resolve().parents)
