"""The lower bounds in pyproject.toml are real: the oldest allowed releases run the code.

The core and IaC dependencies are installed at exactly their floor (``name==floor``, wheels
only) into a folder put first on PYTHONPATH, and the engine, selection and IaC tests plus a
CLI smoke run against them. For the AWS extra, every Bedrock/IAM/S3/... operation the
collector calls must exist in botocore's service models at the boto3 floor (a boto3 release
pins the botocore of the same version).

Needs the package index (PyPI) once; pip's cache serves later runs.
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
FLOOR = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9][0-9.]*)$")


def floors(requirements: list[str]) -> dict[str, str]:
    out = {}
    for req in requirements:
        m = FLOOR.match(req.replace(" ", ""))
        assert m, f"{req!r}: every dependency needs a tested lower bound (name>=X.Y)"
        out[m.group(1).lower()] = m.group(2)
    return out


def pip_target(tmp: Path, pins: dict[str, str]) -> Path:
    target = tmp / "floor"
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--only-binary=:all:", "--target", str(target), *(f"{n}=={v}" for n, v in pins.items())],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    return target


@pytest.fixture(scope="module")
def core_floor(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    pins = {**floors(PYPROJECT["project"]["dependencies"]),
            **floors(PYPROJECT["project"]["optional-dependencies"]["iac"])}
    return pip_target(tmp_path_factory.mktemp("core"), pins), pins


def _env(target: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])}


def test_core_and_iac_floors_run_the_engine_iac_and_cli(core_floor, tmp_path):
    target, pins = core_floor
    env = _env(target)
    probe = ("import importlib.metadata as m, json; "
             f"print(json.dumps({{n: m.version(n) for n in {sorted(pins)!r}}}))")
    seen = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    from packaging.version import Version

    assert {n: Version(v) for n, v in json.loads(seen).items()} == {n: Version(v) for n, v in pins.items()}  # the floors, not the newer releases of the test environment, are imported
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                        "tests/test_selection.py", "tests/test_iac.py", "-k", "not cli"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    # the CLI: option parsing (comma lists, env vars, tri-state --compact), rich tables, reports
    inv = ROOT / "examples" / "inventory.json"

    def cli(*args, **extra_env):
        return subprocess.run([sys.executable, "-m", "aiposture", *map(str, args)], cwd=tmp_path, env={**env, **extra_env},
                              capture_output=True, text=True, timeout=300)

    r = cli("scan", "--inventory", inv, "--framework", "ISO27001", "--severity", "critical,high", AIPOSTURE_OUTPUT_DIR="out",
            AIPOSTURE_FORMAT="json,sarif,table")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert {f.name for f in (tmp_path / "out").iterdir()} == {"aiposture.json", "aiposture.sarif", "aiposture.txt"}
    assert "STATUS  RULE" in cli("scan", "--inventory", inv, "--no-compact").stdout
    r = cli("scan", "--inventory", inv, "--threat", "prompt_injeciton")
    assert r.returncode == 2 and "did you mean 'prompt_injection'" in r.stderr
    r = cli("rules", "list", "--provider", "aws,gcp")
    assert r.returncode == 0 and "AIP-GR-001" in r.stdout
    assert cli("demo", "--output-dir", "demo").returncode == 0


AWS_SERVICES = ("bedrock", "bedrock-agent", "iam", "s3", "ec2", "cloudtrail", "organizations", "sts")


def _operations(env: dict[str, str] | None = None) -> set[str]:
    """Every operation (snake_case) of the services the collector uses, in the botocore that ``env`` imports."""
    code = ("import json, botocore.session as s; from botocore import xform_name; sess = s.get_session(); ops = set(); "
            f"[ops.update(xform_name(o) for o in sess.get_service_model(n).operation_names) for n in {AWS_SERVICES!r}]; "
            "print(json.dumps(sorted(ops)))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout))


def _aws_operations_used() -> set[str]:
    """Operations the AWS collector names: identifiers in its source that are operations in today's botocore."""
    text = "".join(Path(f).read_text() for f in glob.glob(str(ROOT / "src" / "aiposture" / "collect" / "aws_*.py")))
    words = set(re.findall(r"\b((?:get|list|describe|assume)_[a-z0-9_]+)\b", text))
    return words & _operations()


def test_aws_floor_has_every_operation_the_collector_calls(tmp_path):
    boto3_floor = floors(PYPROJECT["project"]["optional-dependencies"]["aws"])["boto3"]
    target = pip_target(tmp_path, {"botocore": boto3_floor})
    text = "".join(Path(f).read_text() for f in glob.glob(str(ROOT / "src" / "aiposture" / "collect" / "aws_*.py")))
    services = set(re.findall(r"client\(\s*(?:[\w.]+,\s*)?\"([a-z0-9-]+)\"", text))
    assert services and services <= set(AWS_SERVICES), f"add {services - set(AWS_SERVICES)} to AWS_SERVICES"
    used = _aws_operations_used()
    assert {"get_guardrail", "list_agents", "get_account_authorization_details", "assume_role"} <= used
    missing = sorted(used - _operations(_env(target)))
    assert not missing, f"botocore {boto3_floor} lacks {missing}: raise the boto3 floor in pyproject.toml"
