"""The wheel must carry rules/, schemas/, providers/ and examples/ so an installed tool works outside the repo."""

import subprocess
import sys
import zipfile

import pytest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    import hatchling  # noqa: F401 - the build backend, installed by the test extras
    out = tmp_path_factory.mktemp("wheel")
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(root)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return next(out.glob("aiposture-*.whl"))


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
