"""Audit evidence pack: one zip an ISO/IEC 27001 or 42001 auditor can file, read and verify later.

Contents::

    manifest.json             format, tool version, scan id and times, command line, SHA-256 and size of every other file
    summary.html              the human-readable summary: scope, identity, selection, verdicts, SoA, failing resources
    scope.json                targets, sources, clouds / accounts / regions / IaC files seen, scanning identity,
                              what could not be checked
    selection.json            command line, effective rule selection, fail threshold, waivers, config file digest,
                              rules evaluated (version, digest) and rules loaded but not selected
    config/<name>             the configuration file used, verbatim (when there was one)
    controls.json             per framework control: verdict, reason, rules behind it, failing resources
    soa.json, soa.csv         Statement-of-Applicability style coverage: every control of every framework,
                              covered by which rules or not covered by any, and this run's verdict
    shared_responsibility.json  per provider and control family: what the provider attests, what is yours
    inventory.json            the inventory snapshot the results were computed from (raw API data removed)
    results.json              findings (the JSON report, without the inventory copy)
    results.sarif             the same findings as SARIF 2.1.0
    rules/<ID>.json           each rule as evaluated (condition, version, digest, mappings)
    raw/<n>.json, raw/index.json   with --evidence-raw: the provider-native configuration behind each resource,
                              secret-looking keys and values redacted

Integrity does not rest on the manifest alone (it sits in the zip it certifies): ``--sign-key`` writes a
detached Ed25519 signature of the whole zip beside it (``pack.zip.sig``, 64 raw bytes, checkable with
OpenSSL too), and ``aiposture evidence verify pack.zip --key pub.pem`` checks the signature, every hash,
and that no file was added or removed.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TextIO

from aiposture.errors import AiPostureError
from aiposture.inventory import now_iso
from aiposture.output import Report
from aiposture.safeio import SCRUB

FORMAT = "aiposture-evidence/2"
MAX_ENTRIES = 200_000  # a pack with more entries is not one aiposture wrote
MAX_MANIFEST = 64 * 1024 * 1024  # nor one with a larger manifest (its size scales with the entry count)
REDACTED = "[redacted]"
# keys whose values are secrets whatever they hold; matched on the key name, case-insensitively
_SECRET_KEY = re.compile(
    r"(secret|passw|passphrase|token|api[_-]?key$|apikey|access[_-]?key|private[_-]?key|connection[_-]?string|"
    r"sas[_-]?(token|url)|sastoken|credentials?$|authorization|signature|client[_-]?secret|primary[_-]?key|"
    r"secondary[_-]?key|session[_-]?key)",
    re.IGNORECASE)
# values that look like secrets wherever they appear
_SECRET_VALUE = re.compile(
    r"(-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(AKIA|ASIA)[0-9A-Z]{16}\b|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.|"
    r"\bAIza[0-9A-Za-z_-]{35}\b|\bsig=[A-Za-z0-9%/+=]{20,})")


def redact(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` with secret-looking keys and values replaced by ``[redacted]`` (bounded depth)."""
    if depth > 64:
        return REDACTED
    if isinstance(value, dict):
        return {k: (REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) and v not in (None, "", [], {})
                    else redact(v, depth + 1)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, depth + 1) for v in value]
    if isinstance(value, str) and _SECRET_VALUE.search(value):
        return REDACTED
    return value


def pretty_json(value: Any, depth: int = 2, level: int = 0) -> str:
    """JSON indented for the first ``depth`` levels, each deeper value on one line.

    ``json.dumps(indent=...)`` runs CPython's pure-Python encoder (about ten times slower than the C one);
    here every leaf block goes through the C encoder, so a 100 MB results file stays readable (one result
    per line) and fast to write."""
    if depth <= 0 or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)  # strict JSON: NaN is refused
    pad, end = "  " * (level + 1), "  " * level
    if isinstance(value, dict):
        body = ",\n".join(f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {pretty_json(v, depth - 1, level + 1)}"
                           for k, v in value.items())
        return "{\n" + body + "\n" + end + "}"
    return "[\n" + ",\n".join(pad + pretty_json(v, depth - 1, level + 1) for v in value) + "\n" + end + "]"


def _json(data: Any, depth: int = 3) -> bytes:
    return (pretty_json(data, depth) + "\n").encode("utf-8", SCRUB)  # a lone surrogate becomes U+FFFD


def scope(report: Report) -> dict[str, Any]:
    """What was scanned, by whom, and what could not be checked."""
    scan = report.inventory.get("scan", {})
    resources = report.inventory.get("resources", [])
    accounts: dict[str, set[str]] = {}
    regions: dict[str, set[str]] = {}
    files: set[str] = set()
    kinds: dict[str, int] = {}
    for r in resources:
        accounts.setdefault(r["provider"], set()).add(r.get("account") or "")
        regions.setdefault(r["provider"], set()).add(r.get("region") or "")
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
        src = r.get("source") or {}
        if src.get("file") and src.get("origin") != "live":
            files.add(src["file"])
    identity = scan.get("identity")
    return {
        "scan": {k: scan.get(k) for k in ("id", "started_at", "finished_at", "tool_version", "sources") if k in scan},
        "targets": scan.get("targets", []),
        "identity": identity or "not recorded (the source of this inventory did not record who scanned)",
        "clouds": {p: {"accounts": sorted(a - {""}), "regions": sorted(regions[p] - {""})} for p, a in sorted(accounts.items())},
        "iac_files": sorted(files),
        "resources": len(resources),
        "resources_by_kind": dict(sorted(kinds.items())),
        "not_checked": report.scan_errors,
        "rule_problems": report.rule_problems,
        "notes": scan.get("notes", []),
    }


def selection(report: Report, config_digest: str | None) -> dict[str, Any]:
    run = dict(report.run)
    selected = {r.id for r in report.rules}
    return {
        **run,
        "config_sha256": config_digest,
        "rules": {r.id: {"version": r.version, "digest": r.digest, "file": Path(r.file).name} for r in report.rules},
        "rules_not_selected": sorted(r.id for r in report.available_rules if r.id not in selected),
    }


def soa(report: Report, views: list[Any]) -> list[dict[str, Any]]:
    """Every control of every framework: covered (by which rules) or not covered by any, and this run's verdict."""
    rows = []
    for view in views:
        for c in view.controls:
            rows.append({"framework": view.catalogue.slug, "control": c.id, "title": c.title,
                         "covered": c.status != "not_covered", "rules": c.rules or c.other_rules,
                         "verdict": c.status, "reason": c.reason, "failing_resources": c.failing_count()})
    return rows


def _soa_csv(rows: list[dict[str, Any]]) -> bytes:
    from aiposture.output.csv_out import _safe

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = ["framework", "control", "title", "covered", "rules", "verdict", "reason", "failing_resources"]
    w.writerow(cols)
    for r in rows:
        w.writerow(_safe(" ".join(r[c]) if isinstance(r[c], list) else ("yes" if r[c] is True else "no" if r[c] is False else r[c]))
                   for c in cols)
    return buf.getvalue().encode("utf-8", SCRUB)


def shared_responsibility(report: Report) -> dict[str, Any]:
    """Per provider in the scan and per rule family: the split, with this run's failing results."""
    from aiposture import providers
    from aiposture.catalog import rule_family

    family = {rule.id: rule_family(rule.id)[0] for rule in report.rules}
    fails: dict[tuple[str, str], int] = {}
    for r in report.results:
        if r.status.value == "fail":
            key = (r.resource["provider"], family.get(r.rule.id) or rule_family(r.rule.id)[0])
            fails[key] = fails.get(key, 0) + 1
    clouds: set[str] = {str(r["provider"]) for r in report.inventory.get("resources", [])}
    clouds |= {str(e.get("provider")) for e in report.scan_errors}
    seen = sorted(clouds & set(providers.PROVIDERS))
    out: dict[str, Any] = {}
    for p in seen:
        general = providers.general_split(p)
        fams = {}
        for fam in providers.families(p):
            split = providers.family_split(p, fam)
            assert split is not None
            fams[fam] = {"provider": list(split.provider), "customer": list(split.customer), "failing_results": fails.get((p, fam), 0)}
        out[p] = {"title": providers.title(p), "sources": providers.sources(p),
                  "general": {"provider": list(general.provider), "customer": list(general.customer)}, "families": fams}
    return out


def _raw_files(report: Report) -> dict[str, bytes]:
    index = []
    files: dict[str, bytes] = {}
    for i, r in enumerate(report.inventory.get("resources", [])):
        if r.get("raw") is None:
            continue
        name = f"raw/{i:06d}.json"
        files[name] = _json({"resource_id": r["id"], "provider": r["provider"], "native_type": r.get("native_type", ""),
                             "raw": redact(r["raw"])})
        index.append({"file": name, "resource_id": r["id"]})
    without = sum(1 for r in report.inventory.get("resources", []) if r.get("raw") is None)
    files["raw/index.json"] = _json({"files": index, "resources_without_raw": without,
                                     "note": ("Provider-native configuration as the collector recorded it, secret-looking keys and values "
                                              "replaced by [redacted]. Resources read from IaC, or whose collector keeps no raw copy, "
                                              "have none.")})
    return files


class _Hashing(io.RawIOBase):
    """A write-only stream into a zip member that hashes and counts what passes through."""

    def __init__(self, dest: IO[bytes]):
        self.dest, self.sha, self.size = dest, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self.sha.update(data)
        self.size += len(data)
        self.dest.write(data)
        return len(data)


def _member(z: zipfile.ZipFile, name: str, fill: Callable[[TextIO], object], digests: dict[str, dict[str, Any]]) -> None:
    """Write one member by streaming text into it; record its SHA-256 and size."""
    with z.open(name, "w", force_zip64=True) as raw:
        hashing = _Hashing(raw)
        with io.TextIOWrapper(io.BufferedWriter(hashing, 1 << 16), encoding="utf-8", errors=SCRUB, newline="") as text:
            fill(text)
        digests[name] = {"sha256": hashing.sha.hexdigest(), "bytes": hashing.size}


def _bytes_member(z: zipfile.ZipFile, name: str, data: bytes, digests: dict[str, dict[str, Any]]) -> None:
    z.writestr(name, data)
    digests[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _write_text(text: str, fh: TextIO) -> None:
    fh.write(text)


def _write_zip(report: Report, target: IO[bytes], *, raw: bool) -> None:
    from aiposture import compliance
    from aiposture.output import html, json_out, sarif

    aggs = compliance.aggregate(report.results)
    views = compliance.views(report, aggregates=aggs)
    config_path = str(report.run.get("config_path") or "")
    config_bytes = None
    if config_path:
        try:
            config_bytes = Path(config_path).read_bytes()
        except OSError:
            config_bytes = None
    config_digest = hashlib.sha256(config_bytes).hexdigest() if config_bytes is not None else None
    inventory = report.inventory
    if any("raw" in r for r in inventory.get("resources", [])):
        inventory = {**inventory, "resources": [{k: v for k, v in r.items() if k != "raw"} for r in inventory["resources"]]}
    scope_doc, selection_doc = scope(report), selection(report, config_digest)
    soa_rows = soa(report, views)
    small: dict[str, bytes] = {
        "scope.json": _json(scope_doc),
        "selection.json": _json(selection_doc),
        "controls.json": _json({"frameworks": [v.to_dict() for v in views]}, depth=5),
        "soa.json": _json(soa_rows),
        "soa.csv": _soa_csv(soa_rows),
        "shared_responsibility.json": _json(shared_responsibility(report)),
    }
    if config_bytes is not None:
        small[f"config/{Path(config_path).name}"] = config_bytes
    for rule in report.rules:
        small[f"rules/{rule.id}.json"] = _json(rule.to_dict())
    if raw:
        small.update(_raw_files(report))
    digests: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        def inventory_member(fh: TextIO) -> None:
            json_out.write_inventory(fh, inventory)
            fh.write("\n")

        # the large members are streamed into the zip as they are produced
        _member(z, "inventory.json", inventory_member, digests)
        _member(z, "results.json", lambda fh: json_out.write(report, fh, include_inventory=False), digests)
        _member(z, "results.sarif", lambda fh: sarif.write(report, fh), digests)
        _member(z, "summary.html", functools.partial(_write_text, html.render_summary(report, views, scope_doc, selection_doc, aggs)),
                digests)
        for name, data in sorted(small.items()):
            _bytes_member(z, name, data, digests)
        scan = report.inventory.get("scan", {})
        manifest = {
            "format": FORMAT,
            "tool": {"name": "aiposture", "version": report.tool_version},
            "scan": {k: scan.get(k) for k in ("id", "started_at", "finished_at", "sources") if k in scan},
            "generated_at": now_iso(),
            "command_line": report.run.get("command_line", []),
            "rules": {r.id: {"version": r.version, "digest": r.digest} for r in report.rules},
            "files": dict(sorted(digests.items())),
        }
        z.writestr("manifest.json", _json(manifest))  # last: it lists the others' hashes


def build(report: Report, *, raw: bool = False) -> bytes:
    """The pack in memory (tests, small reports); :func:`write` streams it to a file."""
    from aiposture.output.html import gc_paused

    buf = io.BytesIO()
    with gc_paused():
        _write_zip(report, buf, raw=raw)
    return buf.getvalue()


def write(report: Report, path: str | Path, *, raw: bool = False, sign_key: Path | None = None) -> None:
    """Stream the pack to ``path`` (each member compressed as it is produced) through a temporary file that
    replaces ``path`` at the end (:mod:`aiposture.safeio`: never through a planted link); with ``sign_key``,
    write the detached signature ``path.sig`` the same way (the key is checked first, so a bad key writes
    nothing)."""
    from aiposture import safeio
    from aiposture.output.html import gc_paused

    path = Path(path)
    key = load_private_key(sign_key) if sign_key is not None else None
    if key is not None and safeio.special_destination(path):
        raise AiPostureError(f"{path}: a signed evidence pack must go to a regular file (the signature is written beside it)")
    with gc_paused(), safeio.open_for_write(path, "the evidence output", binary=True) as fh:
        _write_zip(report, fh, raw=raw)
    if key is not None:
        safeio.write_file(signature_path(path), key.sign(safeio.read_back(path, "the evidence pack")),
                          "the evidence signature")


# -- signatures ---------------------------------------------------------------------------------------

def signature_path(pack: Path) -> Path:
    return pack.with_name(pack.name + ".sig")


def _crypto():
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # pragma: no cover - the extra is part of the default install in CI
        raise AiPostureError("signing needs the 'cryptography' package: pip install 'aiposture[sign]'") from None
    return serialization, ed25519


def _read(path: Path, what: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise AiPostureError(f"{path}: cannot read the {what}: {e.strerror}") from None
    if len(data) > 64 * 1024:
        raise AiPostureError(f"{path}: not a {what} (larger than 64 KiB)")
    return data


def sign_bytes(data: bytes, key_path: Path) -> bytes:
    """Ed25519 signature (64 raw bytes) of ``data`` with the PEM private key at ``key_path``."""
    return load_private_key(key_path).sign(data)


def load_private_key(key_path: Path) -> Any:
    """The Ed25519 private key in PEM at ``key_path``; an encrypted key takes its passphrase from
    AIPOSTURE_SIGN_KEY_PASSPHRASE."""
    import os

    serialization, ed25519 = _crypto()
    pem = _read(key_path, "signing key")
    passphrase = os.environ.get("AIPOSTURE_SIGN_KEY_PASSPHRASE")
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase.encode() if passphrase else None)
    except (ValueError, TypeError) as e:
        raise AiPostureError(f"{key_path}: not a usable PEM private key ({str(e).splitlines()[0]})") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise AiPostureError(f"{key_path}: the signing key must be Ed25519 (openssl genpkey -algorithm ed25519)")
    return key


def public_key_fingerprint(key: Any) -> str:
    serialization, _ = _crypto()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def load_public_key(path: Path) -> Any:
    serialization, ed25519 = _crypto()
    pem = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as e:
        raise AiPostureError(f"{path}: not a PEM public key ({str(e).splitlines()[0]})") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise AiPostureError(f"{path}: the public key must be Ed25519")
    return key


def sign_pack(pack: Path, key_path: Path) -> Path:
    """Sign an existing pack; returns the signature file."""
    try:
        data = pack.read_bytes()
    except OSError as e:
        raise AiPostureError(f"{pack}: cannot read: {e.strerror}") from None
    from aiposture.safeio import write_file

    sig = sign_bytes(data, key_path)
    out = signature_path(pack)
    write_file(out, sig, "the evidence signature")  # never through a link planted at pack.zip.sig
    return out


# -- verification -------------------------------------------------------------------------------------

class _Unreadable(Exception):
    """A zip member that cannot be decompressed (bad CRC, encryption, unknown method)."""


def _member_bytes(z: zipfile.ZipFile, name: str) -> bytes:
    try:
        return z.read(name)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error) as e:
        raise _Unreadable(name) from e


def _member_digest(z: zipfile.ZipFile, name: str, expected: int) -> tuple[str, int] | None:
    """SHA-256 and size of a member, reading no more than one chunk past ``expected`` bytes (a member
    that inflates beyond what the manifest says is already a mismatch: no need to inflate a bomb)."""
    h = hashlib.sha256()
    size = 0
    try:
        with z.open(name) as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
                if size > expected:
                    break
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error):
        return None
    return h.hexdigest(), size



def verify(pack: Path, *, signature: Path | None = None, public_key: Path | None = None) -> tuple[list[str], list[str]]:
    """Check a pack: detached signature (when a key is given), manifest format, every file's hash and size,
    and that the zip holds exactly the files the manifest lists. Returns (checks passed, problems)."""
    ok: list[str] = []
    bad: list[str] = []
    try:
        data = pack.read_bytes()
    except OSError as e:
        raise AiPostureError(f"{pack}: cannot read: {e.strerror}") from None
    sig_path = signature or signature_path(pack)
    if public_key is not None:
        key = load_public_key(public_key)
        if not sig_path.is_file():
            bad.append(f"signature: {sig_path} not found (sign with --sign-key or 'aiposture evidence sign')")
        else:
            from cryptography.exceptions import InvalidSignature

            try:
                key.verify(_read(sig_path, "signature"), data)
                ok.append(f"signature: valid Ed25519 signature of the whole zip by key {public_key_fingerprint(key)}")
            except InvalidSignature:
                bad.append(f"signature: {sig_path} does not match this zip and key (the pack or the signature was changed)")
    elif signature is not None:
        raise AiPostureError("--signature needs --key (the signer's Ed25519 public key)")
    elif sig_path.is_file():
        ok.append(f"signature: {sig_path.name} present but not checked (give --key PUBLIC.pem)")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return ok, [*bad, f"{pack}: not a zip file"]
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ENTRIES:
            return ok, [*bad, f"{pack}: {len(infos)} entries: not an aiposture evidence pack"]
        names = [i.filename for i in infos]
        from collections import Counter

        for n, count in sorted(Counter(names).items()):  # linear: a hostile pack may hold 200,000 names
            if count > 1:
                bad.append(f"{n}: appears more than once in the zip")
        if "manifest.json" not in names:
            return ok, [*bad, "manifest.json missing: not an aiposture evidence pack"]
        if z.getinfo("manifest.json").file_size > MAX_MANIFEST:
            return ok, [*bad, "manifest.json: larger than any manifest aiposture writes"]
        try:
            manifest = json.loads(_member_bytes(z, "manifest.json"))
            listed = manifest["files"]
            assert isinstance(listed, dict)
        except (ValueError, KeyError, TypeError, AssertionError, RecursionError, _Unreadable):
            return ok, [*bad, "manifest.json: not a valid manifest"]
        if manifest.get("format") != FORMAT:
            bad.append(f"manifest.json: format {manifest.get('format')!r}, expected {FORMAT!r}")
        present = set(names) - {"manifest.json"}
        for name in sorted(present - set(listed)):
            bad.append(f"{name}: in the zip but not in the manifest (added after the pack was made)")
        checked = 0
        for name, meta in sorted(listed.items()):
            if name not in present:
                bad.append(f"{name}: listed in the manifest but missing from the zip")
                continue
            expected = meta.get("bytes") if isinstance(meta, dict) else None
            digest = _member_digest(z, name, expected if isinstance(expected, int) else -1)
            if digest is None:
                bad.append(f"{name}: cannot be read (corrupt, encrypted or an unsupported compression)")
            elif digest[1] != expected or digest[0] != meta.get("sha256"):
                bad.append(f"{name}: content differs from the manifest (sha256 or size changed)")
            else:
                checked += 1
        if checked == len(listed) and not bad:
            ok.append(f"manifest: {checked} files, every SHA-256 and size matches, no file added or removed")
    return ok, bad
