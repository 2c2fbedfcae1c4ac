"""Real-world IaC corpus: public, permissively licensed samples vendored under tests/corpus/.

Each source is one folder ``tests/corpus/<source>/`` with

* ``SOURCE.yaml``: ``repo``, ``commit`` (40 hex), ``license`` (SPDX id), ``paths`` (the
  original paths copied), optional ``scan`` (paths inside the folder to pass to
  ``aiposture iac``, default ``["."]``) and ``args`` (extra ``iac`` options such as
  ``--var-file``);
* ``LICENSE`` (or ``NOTICE``): the source's licence text;
* the vendored files;
* ``expected.yaml``, written by reading the files, not by running the tool:
  ``ai_resources`` (how many normalised AI resources the source deploys with its
  defaults: instances that would exist, ``count = 0`` excluded), optional
  ``not_checked`` (substrings that must appear in the scan's not-checked list, e.g. a
  module that needs ``terraform init``) and ``outcomes`` (``resource``: a substring of
  the resource's address or id, ``rule``, ``expect``: pass | fail | error | waived).

The bar (issue 11): at least 95% of the AI resource definitions reach the inventory, at
most 10% of the results are ``error``, nothing crashes, and every file or module not read
is listed as not checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiposture import pipeline
from aiposture.engine import Config
from aiposture.iac.scan import scan_paths

CORPUS = Path(__file__).resolve().parent / "corpus"
SOURCES = sorted(p.parent for p in CORPUS.glob("*/SOURCE.yaml"))
PERMISSIVE = {"Apache-2.0", "MIT", "MIT-0", "BSD-2-Clause", "BSD-3-Clause", "MPL-2.0", "ISC", "CC0-1.0", "Unlicense"}


def _scan(src: Path) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    meta = yaml.safe_load((src / "SOURCE.yaml").read_text(encoding="utf-8"))
    paths = [src / p for p in meta.get("scan") or ["."]]
    kwargs: dict[str, Any] = {}
    for k, v in (meta.get("scan_options") or {}).items():  # e.g. var_files, variables
        kwargs[k] = [src / x for x in v] if k.endswith("files") else v
    doc = scan_paths(paths, base=src, **kwargs)
    report = pipeline.evaluate(doc, pipeline.Options(), Config())
    return doc, report, meta


_cache: dict[Path, tuple[dict[str, Any], Any, dict[str, Any]]] = {}


def scanned(src: Path):
    if src not in _cache:
        _cache[src] = _scan(src)
    return _cache[src]


def _expected(src: Path) -> dict[str, Any]:
    return yaml.safe_load((src / "expected.yaml").read_text(encoding="utf-8")) or {}


def _matches(resource: dict[str, Any], needle: str) -> bool:
    src = resource.get("source") or {}
    return needle in str(src.get("address", "")) or needle in resource["id"]


@pytest.mark.parametrize("src", SOURCES, ids=[p.name for p in SOURCES])
def test_source_is_documented_and_permissive(src: Path):
    meta = yaml.safe_load((src / "SOURCE.yaml").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", meta["repo"]), meta
    assert re.fullmatch(r"[0-9a-f]{40}", meta["commit"]), meta
    assert meta["license"] in PERMISSIVE, meta["license"]
    assert (src / "LICENSE").is_file() or (src / "NOTICE").is_file()
    assert (src / "expected.yaml").is_file()


@pytest.mark.parametrize("src", SOURCES, ids=[p.name for p in SOURCES])
def test_source_outcomes_judged_by_reading(src: Path):
    doc, report, _ = scanned(src)
    exp = _expected(src)
    for item in exp.get("outcomes") or []:
        got = {r.status.value for r in report.results if r.rule.id == item["rule"] and _matches(r.resource, item["resource"])}
        assert got, f"{src.name}: no result of {item['rule']} on {item['resource']}"
        assert got == {item["expect"]}, f"{src.name}: {item['rule']} on {item['resource']}: expected {item['expect']}, got {got}"
    listed = " ".join(
        f"{e.get('file', '')} {e.get('message', '')} {e.get('module', '')}" for e in doc["errors"]
    ) + " " + " ".join(doc["scan"].get("notes", []))
    for needle in exp.get("not_checked") or []:
        assert needle in listed, f"{src.name}: {needle!r} is not listed as not checked"


def test_corpus_totals():
    """Aggregated over the corpus: >= 95% of AI resources read, <= 10% error results."""
    if not SOURCES:
        pytest.fail("tests/corpus/ holds no source")
    expected = found = 0
    results = errors = 0
    for src in SOURCES:
        doc, report, _ = scanned(src)
        want = int(_expected(src).get("ai_resources", 0))
        have = sum(1 for r in doc["resources"] if r.get("provider") != "iac")
        expected += want
        found += min(want, have)
        results += len(report.results)
        errors += sum(1 for r in report.results if r.status.value == "error")
    assert expected > 0
    assert found / expected >= 0.95, f"{found}/{expected} AI resources reached the inventory"
    assert results and errors / results <= 0.10, f"{errors}/{results} results are error"
