"""Writes go only where the user asked, never through a symbolic link the scanned tree planted."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from safety_helpers import ROOT, cli, failing_filter, one_error_line

from aiposture import inventory as inv
from aiposture.cli.common import run_pipeline
from aiposture.pipeline import Options

TF = ROOT / "tests" / "fixtures" / "iac" / "terraform"
SECRET = "victim file: must stay exactly as it is\n"


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A pull-request checkout (the current directory) and a victim file outside it."""
    repo = tmp_path / "repo"
    shutil.copytree(TF, repo / "infra")
    victim = tmp_path / "victim.txt"
    victim.write_text(SECRET)
    monkeypatch.chdir(repo)
    return repo, victim


def test_iac_sarif_writes_no_inventory_and_replaces_a_planted_output_link(checkout):
    repo, victim = checkout
    (repo / "aiposture-inventory.json").symlink_to(victim)
    (repo / "aiposture.sarif").symlink_to(victim)
    r = cli("iac", "infra", "-f", "sarif", "-o", "aiposture.sarif", "-q")
    assert r.code == 1, r
    assert victim.read_text() == SECRET
    # the planted link at the output name was replaced by the report, its target never opened
    assert not (repo / "aiposture.sarif").is_symlink()
    assert json.loads((repo / "aiposture.sarif").read_text())["version"] == "2.1.0"
    # IaC findings point at the IaC files: no inventory is written beside the SARIF at all
    assert (repo / "aiposture-inventory.json").is_symlink()


def test_live_sarif_companion_inventory_replaces_a_planted_link(checkout):
    repo, victim = checkout
    out = repo / "out"
    out.mkdir()
    (out / "aiposture-inventory.json").symlink_to(victim)
    doc = inv.new_document([failing_filter()])
    code = run_pipeline(doc, Options(formats=["sarif"], outputs=["out/results.sarif"], quiet=True), None)
    assert code == 1
    assert victim.read_text() == SECRET
    companion = out / "aiposture-inventory.json"
    assert not companion.is_symlink() and inv.load(companion)["resources"][0]["id"] == "gr-1"
    sarif = json.loads((out / "results.sarif").read_text())
    loc = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "out/aiposture-inventory.json"
    assert companion.read_text().splitlines()[loc["region"]["startLine"] - 1].lstrip().startswith('{"account"')


def test_live_sarif_on_stdout_writes_nothing_into_the_checkout(checkout, capsys):
    repo, victim = checkout
    (repo / "aiposture-inventory.json").symlink_to(victim)
    doc = inv.new_document([failing_filter()])
    code = run_pipeline(doc, Options(formats=["sarif"], outputs=["-"]), None)
    assert code == 1 and victim.read_text() == SECRET
    assert (repo / "aiposture-inventory.json").is_symlink()
    captured = capsys.readouterr()
    sarif = json.loads(captured.out)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "aiposture-inventory.json"
    assert "was not written" in captured.err


def test_output_through_a_planted_directory_link_is_refused(checkout, tmp_path):
    repo, _ = checkout
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "reports").symlink_to(outside, target_is_directory=True)
    r = cli("iac", "infra", "-f", "json", "-o", "reports/out.json", "-q")
    one_error_line(r, "reports", "symbolic link")
    assert list(outside.iterdir()) == []


def test_save_inventory_replaces_a_planted_link(checkout):
    repo, victim = checkout
    (repo / "inv.json").symlink_to(victim)
    r = cli("iac", "infra", "--save-inventory", "inv.json", "-f", "json", "-o", "out.json", "-q")
    assert r.code == 1, r
    assert victim.read_text() == SECRET and not (repo / "inv.json").is_symlink()
    assert inv.load(repo / "inv.json")["resources"]


def test_unwritable_destinations_are_one_line_exit_2(checkout):
    repo, _ = checkout
    (repo / "adir").mkdir()
    one_error_line(cli("iac", "infra", "-f", "json", "-o", "adir", "-q"), "adir", "folder")
    one_error_line(cli("iac", "infra", "--output-dir", "/proc/nope", "-f", "json", "-q"), "/proc/nope")
    one_error_line(cli("inventory", "docs", "-o", "/proc/nope/inventory.md"), "/proc/nope")
    one_error_line(cli("rules", "docs", "-o", "/proc/nope/rules.md"), "/proc/nope")


def test_reports_are_replaced_atomically_with_the_users_umask(checkout):
    repo, _ = checkout
    old = os.umask(0o027)
    try:
        assert cli("iac", "infra", "-f", "csv", "-o", "r.csv", "-q").code == 1
    finally:
        os.umask(old)
    assert oct((repo / "r.csv").stat().st_mode & 0o777) == oct(0o640)
    assert not [p for p in repo.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind
