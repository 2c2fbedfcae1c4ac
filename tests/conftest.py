import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "inventory.json"


@pytest.fixture
def example_doc():
    return json.loads(EXAMPLE.read_text())


@pytest.fixture
def example_copy(tmp_path):
    p = tmp_path / "inventory.json"
    shutil.copy(EXAMPLE, p)
    return p


@pytest.fixture(scope="module")
def demo_report():
    """The bundled example inventory evaluated with the whole pack (read-only: do not mutate)."""
    from aiposture import inventory as inv
    from aiposture import pipeline
    from aiposture.engine import Config

    return pipeline.evaluate(inv.load(EXAMPLE), pipeline.Options(), Config())
