"""The distributions: built by `python -m build`, accepted by `twine check --strict`, and the wheel
works installed in a fresh virtualenv outside the repository (rules, schemas, examples inside)."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """sdist and wheel of this checkout (build backend from the test extras, no network)."""
    out = tmp_path_factory.mktemp("dist")
    p = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    return next(dist.glob("aiposture-*.whl"))


def test_twine_accepts_both_distributions(dist):
    files = sorted(str(p) for p in dist.iterdir())
    assert len(files) == 2 and {Path(f).suffix for f in files} == {".gz", ".whl"}
    p = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count("PASSED") == 2


def test_wheel_contains_data_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "aiposture/_data/schemas/inventory.schema.json" in names
    assert "aiposture/_data/rules/_catalog.yaml" in names
    assert "aiposture/_data/rules/guardrails/AIP-GR-001.yaml" in names
    assert "aiposture/_data/providers/aws.yaml" in names
    assert {f"aiposture/_data/frameworks/{f}.yaml" for f in ("iso27001_2022", "iso42001_2023", "owasp_llm_2025", "mitre_atlas",
                                                            "eu_ai_act", "iso27090")} <= set(names)
    assert "aiposture/_data/examples/inventory.json" in names
    assert sum(n.startswith("aiposture/_data/rules/") and n.endswith(".yaml") for n in names) >= 41
    assert not any("/tests/" in n for n in names)


def test_wheel_metadata_versions_and_floors(wheel):
    from aiposture import __version__

    assert wheel.name.startswith(f"aiposture-{__version__}-")
    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        licence = [n for n in z.namelist() if n.endswith("LICENSE")]
    assert licence, "the licence text ships in the wheel"
    assert "Requires-Python: >=3.11" in meta
    assert re.search(r"Requires-Dist: tfparse>=0\.6\.22; extra == ['\"]iac['\"]", meta)
    assert re.search(r"Requires-Dist: boto3>=1\.43\.26; extra == ['\"]aws['\"]", meta)


def test_sdist_has_sources_and_no_local_tooling(dist):
    sdist = next(dist.glob("aiposture-*.tar.gz"))
    names = tarfile.open(sdist).getnames()
    top = names[0].split("/")[0]
    for must in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "src/aiposture/__init__.py", "rules/_catalog.yaml"):
        assert f"{top}/{must}" in names, must
    assert not any(f"{top}/{d}/" in n for n in names for d in (".tools", ".venv", "aiposture-demo"))


def test_wheel_installed_in_a_fresh_venv_runs_the_demo(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # the wheel itself, without dependencies; they come from the test environment's site-packages,
    # appended after the venv's own (a plain .pth path: the editable install's hook is not run)
    p = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--quiet",
                        "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    Path(purelib, "zz-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    where = subprocess.run([str(py), "-c", "import aiposture; print(aiposture.__file__)"], capture_output=True, text=True,
                           cwd=tmp_path, env=env)
    assert where.stdout.startswith(purelib), where.stdout + where.stderr  # the wheel, not the checkout's src/
    p = subprocess.run([str(venv / "bin" / "aiposture"), "demo", "--output-dir", "out"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert {"aiposture.sarif", "aiposture.html", "aiposture-evidence.zip"} <= {f.name for f in (tmp_path / "out").iterdir()}
    assert "failing:" in p.stdout
