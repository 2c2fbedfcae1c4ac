"""The scanned repository cannot configure or waive its own scan; bad config files are one-line errors."""

from __future__ import annotations

import json

import pytest
from safety_helpers import EXAMPLE, cli, one_error_line, proc

WAIVE_ALL = ("fail_on: critical\nskip: ['*']\n"
             "waivers:\n  - {rule: '*', resource: '*', reason: 'pull request says so', owner: attacker, expires: 2099-01-01}\n"
             "inline_suppressions: true\n")

def _guardrail(comment: str, name: str) -> str:
    """A Bedrock guardrail without prompt-attack filtering, with a suppression comment above it."""
    return (f"{comment}\nresource \"aws_bedrock_guardrail\" \"{name}\" {{\n  name = \"{name}\"\n"
            "  blocked_input_messaging   = \"x\"\n  blocked_outputs_messaging = \"x\"\n"
            "  content_policy_config {\n    filters_config {\n      type            = \"PROMPT_ATTACK\"\n"
            "      input_strength  = \"NONE\"\n      output_strength = \"NONE\"\n    }\n  }\n}\n")


# a wildcard on line 1 and a named rule on line 15, above resources starting on lines 2 and 16
TF = _guardrail("# aiposture:ignore * nothing to see here", "evil") + "\n" + _guardrail(
    "# aiposture:ignore AIP-GR-001 reviewed by the PR author", "named")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(TF)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json(ran):
    return json.loads(ran.stdout)


def test_config_shipped_in_the_scanned_repo_is_not_loaded(repo):
    for name in (".aiposture.yaml", ".aiposture.yml"):
        (repo / name).write_text(WAIVE_ALL)
        r = cli("iac", ".", "-f", "json", "-o", "-")
        assert r.code == 1, r  # the waivers, skip and fail_on of the pull request change nothing
        doc = _json(r)
        assert doc["summary"]["fail"] > 0 and doc["summary"]["waived"] == 0
        assert f"{name} in the current directory was not loaded" in r.stderr
        (repo / name).unlink()


def test_wildcard_inline_suppression_is_refused_and_reported(repo):
    r = cli("iac", ".", "--allow-inline-suppressions", "-f", "json", "-o", "-")
    assert r.code == 1, r
    doc = _json(r)
    evil = [s for s in doc["suppressions"] if s["resource"].endswith(".evil")]
    assert evil and all(s["status"] == "refused" and s["rule"] == "*" for s in evil)
    assert all(s["origin"] == "main.tf:2" and s["reason"] == "nothing to see here" for s in evil)
    assert not [x for x in doc["results"] if x["resource_id"].endswith(".evil") and x["status"] == "waived"]
    # named inline suppressions apply only because the user allowed them
    named = [s for s in doc["suppressions"] if s["resource"].endswith(".named")]
    assert [(s["rule_id"], s["status"], s["origin"]) for s in named] == [("AIP-GR-001", "applied", "main.tf:16")]


def test_inline_suppressions_are_listed_but_not_applied_by_default(repo):
    r = cli("iac", ".", "-f", "json", "-o", "-")
    doc = _json(r)
    assert doc["summary"]["waived"] == 0
    named = next(s for s in doc["suppressions"] if s["resource"].endswith(".named"))
    assert named["status"] == "not-allowed" and named["reason"] == "reviewed by the PR author"
    # the user's own config may allow them; --no-inline-suppressions overrides it
    cfg = repo.parent / "trusted.yaml"
    cfg.write_text("inline_suppressions: true\n")
    assert _json(cli("iac", ".", "--config", cfg, "-f", "json", "-o", "-"))["summary"]["waived"] == 1
    assert _json(cli("iac", ".", "--config", cfg, "--no-inline-suppressions", "-f", "json", "-o", "-"))["summary"]["waived"] == 0


def test_every_suppression_is_in_the_table_and_in_sarif_with_its_text_and_origin(repo):
    r = cli("iac", ".", "--allow-inline-suppressions")
    assert "SUPPRESSION REFUSED AIP-GR-001 on .#aws_bedrock_guardrail.evil from main.tf:2" in r.stdout
    assert 'SUPPRESSED AIP-GR-001 on .#aws_bedrock_guardrail.named from main.tf:16: "reviewed by the PR author"' in r.stdout
    sarif = json.loads(cli("iac", ".", "--allow-inline-suppressions", "-f", "sarif", "-o", "-").stdout)
    results = sarif["runs"][0]["results"]
    applied = [x for x in results if x.get("suppressions")]
    assert len(applied) == 1
    sup = applied[0]["suppressions"][0]
    assert sup["status"] == "accepted" and sup["kind"] == "inSource" and "reviewed by the PR author" in sup["justification"]
    assert sup["properties"]["origin"] == "main.tf:16"
    assert sup["location"]["physicalLocation"]["artifactLocation"]["uri"] == "main.tf"
    refused = [x for x in results if "aiposture/suppression" in x.get("properties", {})]
    assert refused and all(x["properties"]["aiposture/suppression"]["status"] == "refused" and "suppressions" not in x
                           for x in refused)


def test_every_suppression_is_in_the_evidence_packs_summary(repo):
    import zipfile

    r = cli("iac", ".", "-f", "evidence", "-o", repo.parent / "pack.zip", "-q")
    assert r.code == 1, r
    with zipfile.ZipFile(repo.parent / "pack.zip") as z:
        summary = z.read("summary.html").decode()
        listed = json.loads(z.read("results.json"))["suppressions"]
    assert listed and f"Suppressions: 0 applied, {len(listed)} not applied" in summary  # the same list as the JSON
    assert "SUPPRESSION REFUSED AIP-GR-001 on .#aws_bedrock_guardrail.evil from main.tf:2" in summary
    assert "SUPPRESSION NOT APPLIED AIP-GR-001 on .#aws_bedrock_guardrail.named from main.tf:16" in summary
    assert "&quot;reviewed by the PR author&quot;" in summary  # the author's own words, escaped


def test_config_from_environment_variable(repo):
    cfg = repo.parent / "trusted.yaml"
    cfg.write_text("fail_on: critical\n")
    r = cli("iac", ".", "-q", env={"AIPOSTURE_CONFIG": str(cfg)})
    assert r.code == 0, r  # only high findings: below the user's threshold


@pytest.mark.parametrize(("name", "content", "names"), [
    ("impossible-date", b"waivers: [{rule: A, resource: '*', reason: 'sandbox', owner: o, expires: 2026-02-30}]\n",
     ["waivers.0.expires", "2026-02-30"]),
    ("wrong-type", b"waivers: 5\n", ["waivers", "array"]),
    ("wrong-type-nested", b"select: {severity: [urgent]}\n", ["select.severity.0"]),
    ("top-level-list", b"- a\n", ["(top level)"]),
    ("latin-1", b"skip: [caf\xe9]\n", ["not UTF-8"]),
    ("deep-flow", b"skip: " + b"[" * 5000 + b"]" * 5000 + b"\n", ["nest"]),
    ("deep-block", b"".join(b"  " * i + b"k:\n" for i in range(200)), ["nested more than"]),
    ("alias-bomb", b"a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
        b"a%d: &a%d [" % (i, i) + b",".join([b"*a" + (str(i - 1).encode() if i > 1 else b"")] * 9) + b"]\n"
        for i in range(1, 9)) + b"skip: *a8\n", ["expands"]),
    ("python-tag", b"skip: !!python/object/apply:os.system ['echo pwned']\n", ["malformed YAML"]),
    ("unknown-key", b"waive: []\n", ["waive"]),
    ("too-large", b"# " + b"x" * (1024 * 1024 + 10) + b"\n", ["over"]),
    ("not-found", None, ["config file not found"]),
])
def test_bad_config_is_one_line_exit_2(tmp_path, name, content, names):
    cfg = tmp_path / f"{name}.yaml"
    if content is not None:
        cfg.write_bytes(content)
    one_error_line(cli("scan", "--inventory", EXAMPLE, "--config", cfg), cfg.name, *names)


def test_bad_config_exit_code_seen_by_a_shell(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_bytes(b"waivers: [{rule: A, resource: '*', reason: 'sandbox', owner: o, expires: 2026-02-30}]\n")
    p = proc("scan", "--inventory", EXAMPLE, "--config", cfg)
    assert p.returncode == 2 and p.stderr.decode().count("\n") == 1
