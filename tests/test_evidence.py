"""The audit evidence pack: every item an ISO/IEC 27001 / 42001 auditor asks for, and verification that
detects a modified, added or removed file, with and without a detached signature."""

import csv
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiposture import inventory as inv
from aiposture.catalog import control_catalogue, slugs
from aiposture.cli import main
from aiposture.output.evidence import FORMAT, redact

IDENTITY = [{"provider": "aws", "principal": "arn:aws:sts::111122223333:assumed-role/aiposture-read/ci", "type": "assumed-role",
             "account": "111122223333"}]
PLANTED = {"apiKey": "sk-live-PLANTED-1", "properties": {"clientSecret": "PLANTED-2", "endpoint": "https://x.example",
           "keys": [{"primaryKey": "PLANTED-3"}], "note": "creds AKIAABCDEFGHIJKLMNOP inline"},
           "connectionString": "Endpoint=sb://x;SharedAccessKey=PLANTED-4", "kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"}


def cli(*args, **kw):
    return CliRunner().invoke(main, [str(a) for a in args], **kw)


@pytest.fixture(scope="module")
def signed_pack(tmp_path_factory, keys):
    """A pack from the example inventory with a scanning identity, a config file (waiver, skip), raw API data
    with planted secrets, written through the CLI with --evidence-raw and --sign-key."""
    from aiposture.paths import examples_dir

    d = tmp_path_factory.mktemp("pack")
    doc = json.loads((examples_dir() / "inventory.json").read_text())
    doc["scan"]["identity"] = IDENTITY
    doc["scan"]["targets"] = [{"provider": "aws", "account": "111122223333", "region": "us-east-1"}]
    svc = next(r for r in doc["resources"] if r["native_type"] == "AWS::Bedrock::Account")
    svc["raw"] = PLANTED
    inventory = d / "inventory.json"
    inv.save(doc, inventory)
    (d / ".aiposture.yaml").write_text("skip: [AIP-RL-002]\nwaivers:\n  - rule: AIP-AUTH-001\n    resource: '*oai-dev'\n"
                                       "    reason: sandbox\n    owner: alice@example.com\n    expires: 2999-01-01\n")
    r = cli("scan", "--inventory", inventory, "--config", d / ".aiposture.yaml", "--severity", "critical", "--severity", "high",
            "--severity", "medium", "--severity", "low", "-f", "evidence", "-o", d / "pack.zip", "--evidence-raw",
            "--sign-key", keys / "signer.pem", "--soft-fail", "--tolerate-errors")
    assert r.exit_code == 0, r.output
    return d / "pack.zip"


def read(pack: Path, name: str):
    with zipfile.ZipFile(pack) as z:
        data = z.read(name)
    return json.loads(data) if name.endswith(".json") else data.decode()


def test_manifest_hashes_every_file_and_records_tool_and_command(signed_pack):
    with zipfile.ZipFile(signed_pack) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["format"] == FORMAT and manifest["tool"]["name"] == "aiposture"
        assert set(manifest["files"]) == set(z.namelist()) - {"manifest.json"}
        for name, meta in manifest["files"].items():
            data = z.read(name)
            assert hashlib.sha256(data).hexdigest() == meta["sha256"] and len(data) == meta["bytes"], name
    assert manifest["command_line"][:2] == ["aiposture", "scan"] or "--inventory" in manifest["command_line"]
    assert "--evidence-raw" in manifest["command_line"]


def test_scope_targets_and_scanning_identity(signed_pack):
    scope = read(signed_pack, "scope.json")
    assert scope["identity"] == IDENTITY
    assert scope["targets"] == [{"provider": "aws", "account": "111122223333", "region": "us-east-1"}]
    assert set(scope["clouds"]) == {"aws", "azure", "gcp"} and "444455556666" in scope["clouds"]["aws"]["accounts"]
    assert scope["resources"] == 27 and scope["not_checked"][0]["code"] == "AccessDeniedException"
    summary = read(signed_pack, "summary.html")
    assert "arn:aws:sts::111122223333:assumed-role/aiposture-read/ci" in summary


def test_identity_not_recorded_is_said(tmp_path, example_copy):
    r = cli("scan", "--inventory", example_copy, "-f", "evidence", "-o", tmp_path / "p.zip", "--soft-fail", "--tolerate-errors")
    assert r.exit_code == 0, r.output
    assert read(tmp_path / "p.zip", "scope.json")["identity"].startswith("not recorded")
    assert "not recorded" in read(tmp_path / "p.zip", "summary.html")


def test_selection_config_and_rule_versions(signed_pack):
    sel = read(signed_pack, "selection.json")
    assert sel["selection"]["severities"] == ["critical", "high", "medium", "low"]
    assert "AIP-RL-002" in sel["selection"]["skip"] and "AIP-RL-002" in sel["rules_not_selected"]
    assert "AIP-RL-002" not in sel["rules"] and sel["rules"]["AIP-GR-001"]["digest"]
    assert sel["waivers"][0]["owner"] == "alice@example.com"
    config = read(signed_pack, "config/.aiposture.yaml")
    assert "AIP-RL-002" in config and hashlib.sha256(config.encode()).hexdigest() == sel["config_sha256"]
    rule = read(signed_pack, "rules/AIP-GR-001.json")
    assert rule["condition"] and rule["controls"]["iso27001"]


def test_per_control_verdicts_with_failing_resources(signed_pack):
    from jsonschema import Draft202012Validator

    from aiposture.paths import schema

    controls = read(signed_pack, "controls.json")
    assert list(Draft202012Validator(schema("compliance")).iter_errors(controls)) == []
    fws = {f["framework"]["slug"]: f for f in controls["frameworks"]}
    assert set(fws) == set(slugs())
    a815 = next(c for c in fws["iso27001"]["controls"] if c["id"] == "A.8.15")
    assert a815["status"] == "fail" and a815["failing_resources"] and "AIP-LOG-001" in a815["rules"]
    results = read(signed_pack, "results.json")["results"]
    failing = {r["resource_id"] for r in results if r["status"] == "fail" and r["rule_id"] in a815["rules"]}
    assert set(a815["failing_resources"]) == failing
    assert sum(a815["failing_by_rule"].values()) >= len(failing)


def test_statement_of_applicability_lists_every_control(signed_pack):
    soa = read(signed_pack, "soa.json")
    rows = list(csv.DictReader(io.StringIO(read(signed_pack, "soa.csv"))))
    assert len(soa) == len(rows) == sum(len(control_catalogue(s).controls) for s in slugs())
    a61 = next(r for r in rows if r["framework"] == "iso27001" and r["control"] == "A.6.1")
    assert a61["covered"] == "no" and a61["verdict"] == "not_covered"
    a89 = next(r for r in soa if r["framework"] == "iso27001" and r["control"] == "A.8.9")
    assert a89["covered"] and len(a89["rules"]) >= 50


def test_shared_responsibility_per_provider_and_family(signed_pack):
    sr = read(signed_pack, "shared_responsibility.json")
    assert set(sr) == {"aws", "azure", "gcp"}
    for p in sr.values():
        assert set(p["families"]) == {"guardrails", "agents", "rate-limits", "logging", "auth", "network", "encryption", "data"}
        assert all(f["provider"] and f["customer"] for f in p["families"].values())
    assert sr["aws"]["families"]["logging"]["failing_results"] > 0
    summary = read(signed_pack, "summary.html")
    assert "Shared responsibility" in summary and "CloudTrail event history" in summary


def test_raw_api_responses_only_when_asked_and_never_secrets(signed_pack, tmp_path):
    with zipfile.ZipFile(signed_pack) as z:
        raw_names = [n for n in z.namelist() if n.startswith("raw/")]
        everything = b"".join(z.read(n) for n in z.namelist())
    assert "raw/index.json" in raw_names and len(raw_names) == 2
    raw = read(signed_pack, raw_names[0] if raw_names[0] != "raw/index.json" else raw_names[1])
    assert raw["raw"]["properties"]["endpoint"] == "https://x.example"  # configuration kept
    assert raw["raw"]["kmsKeyId"].startswith("arn:aws:kms")  # a key *id* is not a secret
    for secret in (b"PLANTED-", b"sk-live", b"AKIAABCDEFGHIJKLMNOP", b"SharedAccessKey"):
        assert secret not in everything, secret
    assert "raw" not in json.dumps(read(signed_pack, "inventory.json")["resources"])  # snapshot carries no raw copy
    # without --evidence-raw: no raw/ at all
    doc = inv.load(signed_pack.parent / "inventory.json")
    inv.save(doc, tmp_path / "i.json")
    r = cli("scan", "--inventory", tmp_path / "i.json", "-f", "evidence", "-o", tmp_path / "p.zip", "--soft-fail", "--tolerate-errors")
    assert r.exit_code == 0
    with zipfile.ZipFile(tmp_path / "p.zip") as z:
        assert not [n for n in z.namelist() if n.startswith("raw/")]
        assert b"PLANTED-" not in b"".join(z.read(n) for n in z.namelist())


def test_redaction_rules():
    out = redact({"Authorization": "Bearer x", "token": None, "SessionToken": "abc", "name": "-----BEGIN PRIVATE KEY-----\nx",
                  "list": [{"password": "p"}, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"], "keySource": "Microsoft.KeyVault"})
    assert out == {"Authorization": "[redacted]", "token": None, "SessionToken": "[redacted]", "name": "[redacted]",
                   "list": [{"password": "[redacted]"}, "[redacted]"], "keySource": "Microsoft.KeyVault"}


def test_human_readable_summary(signed_pack):
    summary = read(signed_pack, "summary.html")
    for section in ("Scope and run", "Scanning identity", "Command line", "Rule selection", "Configuration file",
                    "Statement of applicability", "ISO/IEC 42001:2023 Annex A", "Not covered by any rule"):
        assert section in summary, section
    assert "<script" not in summary  # static: readable without running anything
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary and "<img src=x" not in summary  # hostile names escaped


def test_verify_accepts_the_signed_pack(signed_pack, keys):
    r = cli("evidence", "verify", signed_pack, "--key", keys / "signer.pub.pem")
    assert r.exit_code == 0, r.output
    assert "valid Ed25519 signature" in r.output and "every SHA-256 and size matches" in r.output


def test_openssl_verifies_the_detached_signature_too(signed_pack, keys):
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    p = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(keys / "signer.pub.pem"), "-rawin",
                        "-in", str(signed_pack), "-sigfile", str(signed_pack) + ".sig"], capture_output=True, text=True, check=False)
    assert p.returncode == 0 and "Signature Verified Successfully" in p.stdout, p.stdout + p.stderr


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy a zip, letting ``change(name, data)`` return new bytes (or None to drop the entry)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def test_verify_detects_a_modified_file(signed_pack, tmp_path, keys):
    bad = tmp_path / "pack.zip"
    _rewrite(signed_pack, bad, lambda n, d: d.replace(b'"fail"', b'"pass"') if n == "results.json" else d)
    r = cli("evidence", "verify", bad)
    assert r.exit_code == 1 and "FAIL  results.json: content differs" in r.output


def test_a_consistent_forgery_passes_hashes_but_not_the_signature(signed_pack, tmp_path, keys):
    """Edit a file AND fix its hash in the manifest: the hashes inside the zip agree, only the signature catches it."""
    bad = tmp_path / "pack.zip"
    forged = b'{"frameworks": []}\n'

    def change(name, data):
        if name == "controls.json":
            return forged
        if name == "manifest.json":
            m = json.loads(data)
            m["files"]["controls.json"] = {"sha256": hashlib.sha256(forged).hexdigest(), "bytes": len(forged)}
            return json.dumps(m).encode()
        return data

    _rewrite(signed_pack, bad, change)
    shutil.copy(str(signed_pack) + ".sig", str(bad) + ".sig")
    assert cli("evidence", "verify", bad).exit_code == 0  # internally consistent...
    r = cli("evidence", "verify", bad, "--key", keys / "signer.pub.pem")
    assert r.exit_code == 1 and "does not match this zip and key" in r.output  # ...but not what was signed


def test_verify_detects_added_and_removed_files(signed_pack, tmp_path):
    added = tmp_path / "added.zip"
    shutil.copy(signed_pack, added)
    with zipfile.ZipFile(added, "a") as z:
        z.writestr("extra.txt", "smuggled")
    r = cli("evidence", "verify", added)
    assert r.exit_code == 1 and "extra.txt: in the zip but not in the manifest" in r.output
    removed = tmp_path / "removed.zip"
    _rewrite(signed_pack, removed, lambda n, d: None if n == "soa.csv" else d)
    r = cli("evidence", "verify", removed)
    assert r.exit_code == 1 and "soa.csv: listed in the manifest but missing" in r.output


def test_wrong_key_missing_signature_and_bad_keys(signed_pack, tmp_path, keys):
    r = cli("evidence", "verify", signed_pack, "--key", keys / "other.pub.pem")
    assert r.exit_code == 1 and "does not match" in r.output
    lone = tmp_path / "lone.zip"
    shutil.copy(signed_pack, lone)
    r = cli("evidence", "verify", lone, "--key", keys / "signer.pub.pem")
    assert r.exit_code == 1 and "signature:" in r.output and "not found" in r.output
    r = cli("evidence", "sign", lone, "--key", keys / "rsa.pem")
    assert r.exit_code == 2 and "must be Ed25519" in r.output
    r = cli("evidence", "verify", lone, "--key", keys / "signer.pem")  # a private key is not a public key
    assert r.exit_code == 2 and "not a PEM public key" in r.output
    r = cli("evidence", "sign", lone, "--key", keys / "signer.pem")
    assert r.exit_code == 0 and cli("evidence", "verify", lone, "--key", keys / "signer.pub.pem").exit_code == 0


def test_not_a_pack(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    r = cli("evidence", "verify", junk)
    assert r.exit_code == 1 and "not a zip file" in r.output
    r = cli("evidence", "verify", tmp_path / "missing.zip")
    assert r.exit_code == 2


def test_a_bad_signing_key_writes_nothing(tmp_path, example_copy, keys):
    r = cli("scan", "--inventory", example_copy, "-f", "evidence", "-o", tmp_path / "p.zip", "--sign-key", keys / "rsa.pem")
    assert r.exit_code == 2 and "must be Ed25519" in r.output and not (tmp_path / "p.zip").exists()


def test_command_line_masks_secret_options():
    from aiposture.pipeline import command_line

    assert command_line(["/usr/bin/aiposture", "scan", "aws", "--external-id", "s3cret", "--role-name", "r",
                         "--external-id=x2"]) == ["aiposture", "scan", "aws", "--external-id", "***", "--role-name", "r",
                                                  "--external-id=***"]
    # the same masking as the scan store: Terraform variables, store URLs, anything named like a secret
    assert command_line(["aiposture", "iac", ".", "--var", "db_password=hunter2", "--store=postgresql://u:pw@h/db",
                         "--api-token", "t0k"]) == ["aiposture", "iac", ".", "--var", "***", "--store=***", "--api-token", "***"]
