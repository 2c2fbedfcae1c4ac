"""The composite GitHub Action, run locally step by step with GitHub's expressions emulated.

No runner here: the shell steps run exactly as written in action.yml (bash, the same
environment variables, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files), `if:` conditions
are evaluated, and the `uses:` steps are stood in for: setup-python reports this
interpreter, the install step is replaced by the installed aiposture, and the uploads
succeed or fail as the test says (to prove a failed upload never changes the result).
The metadata is checked against SchemaStore's github-action schema, and every third-party
action is pinned to a full commit SHA.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
FIXTURES = ROOT / "tests" / "fixtures" / "iac"


@dataclass
class Run:
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> outputs
    ran: list[str] = field(default_factory=list)  # names of the steps that ran
    summary: str = ""
    log: str = ""
    rc: int = 0  # the action's result: the exit code of the first failing step not marked continue-on-error


def _value(token: str, ctx: dict) -> str:
    parts = token.split(".")
    if parts[0] == "inputs":
        return ctx["inputs"][parts[1]]
    if parts[0] == "steps":
        return ctx["steps"].get(parts[1], {}).get(parts[3], "")
    if parts[0] == "runner":
        return {"os": "Linux", "temp": ctx["temp"]}[parts[1]]
    if parts[0] == "github":
        return {"action_ref": "", "action_path": str(ROOT)}[parts[1]]
    raise AssertionError(f"unexpected expression {token!r}")


def _evaluate(expr: str, ctx: dict) -> bool | str:
    """GitHub's expression language, as far as action.yml uses it (contexts, ==, !=, &&, always())."""
    py = re.sub(r"\b(inputs|steps|runner|github)\.[\w.-]+", lambda m: repr(_value(m.group(0), ctx)), expr)
    py = py.replace("&&", " and ").replace("||", " or ").replace("always()", "True")
    py = re.sub(r"!(?!=)", " not ", py)
    return eval(py, {"__builtins__": {}}, {})


def _substitute(text: str, ctx: dict) -> str:
    return EXPR.sub(lambda m: str(_evaluate(m.group(1), ctx)), text)


def run_action(cwd: Path, *, upload_fails: bool = False, **inputs: str) -> Run:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    for k, v in inputs.items():
        key = k.replace("_", "-")
        assert key in values, f"no input {key!r} in action.yml"
        values[key] = v
    temp = cwd / "runner-temp"
    temp.mkdir(exist_ok=True)
    ctx: dict = {"inputs": values, "steps": {}, "temp": str(temp)}
    run = Run()
    summary = cwd / "step-summary.md"
    summary.write_text("")
    failed = False
    for i, step in enumerate(action["runs"]["steps"]):
        cond = step.get("if")
        cond_value = _evaluate(EXPR.sub(lambda m: m.group(1), cond), ctx) if cond else not failed
        if cond and "always()" not in cond:
            cond_value = cond_value and not failed
        if not cond_value:
            continue
        name = step.get("name") or step.get("uses", "").split("@")[0]
        run.ran.append(name)
        sid = step.get("id", f"step{i}")
        if "uses" in step:
            uses = step["uses"]
            with_ = {k: _substitute(str(v).lower() if isinstance(v, bool) else str(v), ctx)
                     for k, v in (step.get("with") or {}).items()}
            rc = 0
            if uses.startswith("actions/setup-python@"):
                assert with_["update-environment"] == "false"  # never leaks onto the caller's PATH
                ctx["steps"][sid] = {"python-path": sys.executable, "python-version": "3.x"}
            elif uses.startswith("github/codeql-action/upload-sarif@"):
                assert (cwd / with_["sarif_file"]).is_file()
                rc = 1 if upload_fails else 0
            elif uses.startswith("actions/upload-artifact@"):
                assert (cwd / with_["path"]).is_dir()
                rc = 1 if upload_fails else 0
            if rc and not step.get("continue-on-error"):
                failed, run.rc = True, rc
            continue
        if step.get("id") == "install":  # stands in for 'pip install' into a fresh venv
            ctx["steps"][sid] = {"bin": str(Path(sys.executable).parent / "aiposture"), "python": sys.executable}
            continue
        env = {k: _substitute(str(v), ctx) for k, v in (step.get("env") or {}).items()}
        gh_out = cwd / f"gh-output-{sid}"
        gh_out.write_text("")
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _substitute(step["run"], ctx)], cwd=cwd,
                           env={**os.environ, **env, "GITHUB_OUTPUT": str(gh_out), "GITHUB_STEP_SUMMARY": str(summary),
                                "RUNNER_TEMP": str(temp), "GITHUB_ACTION_PATH": str(ROOT)},
                           capture_output=True, text=True, timeout=300)
        assert "Traceback" not in p.stderr, p.stderr
        run.log += p.stdout + p.stderr
        ctx["steps"][sid] = dict(line.split("=", 1) for line in gh_out.read_text().splitlines() if "=" in line)
        if p.returncode and not step.get("continue-on-error"):
            failed, run.rc = True, p.returncode
    run.outputs = ctx["steps"]
    run.summary = summary.read_text()
    return run


@pytest.fixture
def repo(tmp_path):
    """A checked-out repository with insecure Terraform (the fixture has high-severity failures)."""
    shutil.copytree(FIXTURES / "terraform", tmp_path / "infra")
    return tmp_path


def test_findings_fail_the_job_after_every_report_is_written_and_uploaded(repo):
    run = run_action(repo, paths="infra", fail_on="high")
    assert run.outputs["scan"]["exit-code"] == "1" and run.rc == 1
    assert run.ran[-3:] == ["Upload SARIF", "Upload reports", "Apply the exit code"]
    out = repo / "aiposture-reports"
    assert {"aiposture.sarif", "aiposture.json", "aiposture.md", "aiposture.html", "aiposture.txt"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "aiposture.sarif").read_text())["runs"][0]["results"]
    assert "FAIL " in run.log  # the compact table is in the log
    assert "## aiposture: failing findings" in run.summary and "Top failing findings" in run.summary
    assert "Exit code 1 (fail-on: high)" in run.summary


def test_a_failed_upload_never_changes_the_result(repo, tmp_path):
    # private repository without code scanning, or a fork PR without security-events: write
    assert run_action(repo, paths="infra", upload_fails=True).rc == 1
    clean = tmp_path / "clean"
    (clean / "infra").mkdir(parents=True)
    (clean / "infra" / "main.tf").write_text('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
    run = run_action(clean, paths="infra", upload_fails=True)
    assert run.outputs["scan"]["exit-code"] == "0" and run.rc == 0


def test_uploads_can_be_turned_off(repo):
    run = run_action(repo, paths="infra", upload_sarif="false", upload_artifact="false", job_summary="false")
    assert "Upload SARIF" not in run.ran and "Upload reports" not in run.ran and "Job summary" not in run.ran
    assert run.summary == "" and run.rc == 1


def test_soft_fail_passes_on_findings_but_not_on_errors(repo, tmp_path):
    assert run_action(repo, paths="infra", soft_fail="true").rc == 0
    broken = tmp_path / "broken"
    (broken / "infra").mkdir(parents=True)
    (broken / "infra" / "main.tf").write_text('resource "aws_bedrock_guardrail" "g" {\n  name = \n}\n')
    run = run_action(broken, paths="infra", soft_fail="true")
    assert run.outputs["scan"]["exit-code"] == "3" and run.rc == 3


def test_a_usage_error_is_exit_2_with_a_summary_and_no_upload(repo):
    run = run_action(repo, paths="infra", args="--framework nosuch")
    assert run.outputs["scan"]["exit-code"] == "2" and run.rc == 2
    assert "Upload SARIF" not in run.ran  # no SARIF was written
    assert "the scan did not finish" in run.summary and "Exit code 2" in run.summary
    assert "--framework 'nosuch'" in run.log


def test_paths_and_args_are_split_like_a_shell_without_globbing(repo):
    (repo / "infra two").mkdir()
    shutil.copy(FIXTURES / "terraform" / "main.tf", repo / "infra two" / "main.tf")
    run = run_action(repo, paths="'infra two'", args="--exclude 'modules/*' --rule 'AIP-GR-*'", formats="")
    assert run.outputs["scan"]["exit-code"] in ("0", "1"), run.log
    doc = json.loads((repo / "aiposture-reports" / "aiposture.json").read_text())
    assert doc["results"] and all(r["rule_id"].startswith("AIP-GR-") for r in doc["results"])
    assert all("infra two/" in r["source"]["file"] for r in doc["results"] if r["source"].get("file"))


def test_the_job_summary_escapes_attacker_controlled_names(tmp_path):
    # file names come from the pull request: the summary shows them in the "Where" column
    (tmp_path / "infra").mkdir()
    evil = "x](javascript:alert(1)) <img src=x onerror=alert(1)> | @here"
    shutil.copy(FIXTURES / "terraform" / "main.tf", tmp_path / "infra" / f"{evil}.tf")
    run = run_action(tmp_path, paths="infra", fail_on="low")
    assert run.rc == 1
    assert not re.search(r"(?<!\\)<", run.summary)  # no raw HTML
    assert not re.search(r"(?<!\\)\]\(", run.summary)  # no link
    assert "x\\]\\(javascript:alert\\(1\\)\\) \\<img src=x onerror=alert\\(1\\)\\> \\| @here\\.tf" in run.summary


def test_action_metadata_matches_the_schema_and_pins_actions_by_sha():
    from jsonschema import Draft7Validator

    schema = json.loads((ROOT / "tests" / "data" / "schemastore" / "github-action.json").read_text())
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    errors = sorted(Draft7Validator(schema).iter_errors(action), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    text = (ROOT / "action.yml").read_text()
    for uses in re.findall(r"uses:\s*(\S+)(.*)", text):
        ref, comment = uses
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref
        assert re.search(r"# v\d+\.\d+\.\d+", comment), f"{ref}: say which version the SHA is"
    # every input is used, every expression names a declared input
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used == set(action["inputs"]), set(action["inputs"]) ^ used


def test_pre_commit_hook_matches_the_schema():
    from jsonschema import Draft7Validator

    schema = json.loads((ROOT / "tests" / "data" / "schemastore" / "pre-commit-hooks.json").read_text())
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert not list(Draft7Validator(schema).iter_errors(hooks))
    hook = hooks[0]
    # pre-commit installs the repository itself at the pinned rev: no version that may not exist yet
    assert not any("==" in d or "@v" in d for d in hook.get("additional_dependencies", []))
