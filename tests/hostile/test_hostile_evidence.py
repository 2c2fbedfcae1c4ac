"""The evidence pack and the compliance view on a hostile checkout.

The pack, its detached signature and ``aiposture evidence sign`` write only where the user asked
(never through a link planted at ``pack.zip`` or ``pack.zip.sig``); ``aiposture evidence verify``
reads packs made by anyone, so their member names are printed inert and a corrupt or oversized
member is a failed check, never a traceback; the compliance table shows hostile names as text.
"""

from __future__ import annotations

import json
import zipfile

import pytest
from safety_helpers import HOSTILE_NAME, cli, failing_filter, write_doc

from aiposture.output.evidence import FORMAT, MAX_MANIFEST

SECRET = "victim file: must stay exactly as it is\n"


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A pull-request checkout (the current directory) with an inventory whose names are hostile, and a
    victim file outside it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    write_doc(repo / "inventory.json", [failing_filter(name=HOSTILE_NAME)], [])
    victim = tmp_path / "victim.txt"
    victim.write_text(SECRET)
    monkeypatch.chdir(repo)
    return repo, victim


def test_signed_pack_and_signature_replace_planted_links(checkout, keys):
    repo, victim = checkout
    (repo / "pack.zip").symlink_to(victim)
    (repo / "pack.zip.sig").symlink_to(victim)
    r = cli("scan", "--inventory", "inventory.json", "-f", "evidence", "-o", "pack.zip", "--sign-key",
            keys / "signer.pem", "-q")
    assert r.code == 1, r
    assert victim.read_text() == SECRET  # neither link's target was opened
    assert not (repo / "pack.zip").is_symlink() and not (repo / "pack.zip.sig").is_symlink()
    assert zipfile.is_zipfile(repo / "pack.zip") and len((repo / "pack.zip.sig").read_bytes()) == 64
    v = cli("evidence", "verify", "pack.zip", "--key", keys / "signer.pub.pem")
    assert v.code == 0, v.stdout


def test_evidence_sign_replaces_a_planted_signature_link(checkout, keys):
    repo, victim = checkout
    assert cli("scan", "--inventory", "inventory.json", "-f", "evidence", "-o", "pack.zip", "-q").code == 1
    (repo / "pack.zip.sig").symlink_to(victim)
    r = cli("evidence", "sign", "pack.zip", "--key", keys / "signer.pem")
    assert r.code == 0, r
    assert victim.read_text() == SECRET
    assert not (repo / "pack.zip.sig").is_symlink()
    assert cli("evidence", "verify", "pack.zip", "--key", keys / "signer.pub.pem").code == 0


def test_a_signed_pack_to_a_device_is_refused_before_writing(checkout, keys):
    r = cli("scan", "--inventory", "inventory.json", "-f", "evidence", "-o", "/dev/null", "--sign-key",
            keys / "signer.pem", "-q")
    assert r.code == 2 and "regular file" in r.stderr, r


def _pack(path, members: dict[str, bytes], listed: dict[str, bytes] | None = None) -> None:
    """A zip with ``members`` and a manifest listing ``listed`` (default: the same members, honestly)."""
    import hashlib

    listed = members if listed is None else listed
    manifest = {"format": FORMAT, "files": {n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d)}
                                            for n, d in listed.items()}}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        z.writestr("manifest.json", json.dumps(manifest))


def test_verify_prints_a_hostile_packs_member_names_inert(tmp_path):
    pack = tmp_path / "pack.zip"
    name = "a\x1b[2J\x1b]0;pwned\x07\n::error::forged.json"
    _pack(pack, {name: b"smuggled", "dup.json": b"x"}, listed={"dup.json": b"x", "gone\x1b[31m.json": b"y"})
    with zipfile.ZipFile(pack, "a") as z, pytest.warns(UserWarning, match="Duplicate name"):
        z.writestr("dup.json", "x")  # zipfile warns but writes it: a pack made by anyone can hold this
    r = cli("evidence", "verify", pack)
    assert r.code == 1, r
    out = r.stdout + r.stderr
    assert "\x1b" not in out and "\x07" not in out
    assert not [line for line in out.splitlines() if line.startswith("::error::")]  # no forged workflow command
    assert "\\x1b[2J" in out and "not in the manifest" in out  # named, visibly
    assert "dup.json: appears more than once" in out and "listed in the manifest but missing" in out


def test_verify_a_corrupt_member_is_a_failed_check_not_a_crash(tmp_path):
    good = tmp_path / "good.zip"
    data = b"results " * 4096
    _pack(good, {"results.json": data})
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("results.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0xFF  # flip a byte inside the deflate stream
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(raw))
    r = cli("evidence", "verify", bad)
    assert r.code == 1, r
    assert "results.json: cannot be read" in r.stdout or "results.json: content differs" in r.stdout, r.stdout


def test_verify_refuses_a_manifest_larger_than_any_it_writes(tmp_path):
    pack = tmp_path / "pack.zip"
    with zipfile.ZipFile(pack, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", b" " * (MAX_MANIFEST + 1))  # inflates to 64 MiB from ~64 KB
    r = cli("evidence", "verify", pack)
    assert r.code == 1 and "manifest.json: larger than any manifest" in r.stdout, r


def test_verify_a_member_larger_than_its_manifest_entry_fails(tmp_path):
    pack = tmp_path / "pack.zip"
    _pack(pack, {"inventory.json": b"\0" * (8 << 20)}, listed={"inventory.json": b"{}"})
    r = cli("evidence", "verify", pack)
    assert r.code == 1 and "inventory.json: content differs" in r.stdout, r


def test_compliance_table_on_the_terminal_shows_hostile_names_as_text(checkout):
    r = cli("scan", "--inventory", "inventory.json", "--compliance", "owasp-llm-2025", "--soft-fail")
    assert r.code == 0, r
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout and "\x07" not in r.stdout
    assert not [line for line in r.stdout.splitlines() if line.lstrip("│ ").startswith("::error::")]
    assert "\\x1b[2J" in r.stdout  # the name is there, visibly escaped


def test_compliance_commands_print_rule_problems_inert(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x\x1b[2J\x1b]0;pwned\x07.yaml").write_text("id: [unclosed\n")
    for args in (["compliance", "coverage", "owasp-llm-2025"], ["compliance", "list"]):
        r = cli(*args, "--rules-dir", rules)
        assert "\\x1b[2J" in r.stderr, r  # the broken file is named...
        assert "\x1b" not in r.stdout + r.stderr and "\x07" not in r.stderr  # ...visibly, inert
