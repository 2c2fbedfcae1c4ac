"""The streamed writers produce exactly the documents the dict builders describe, at scale."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from aiposture import inventory as inv
from aiposture import pipeline
from aiposture.engine import Config
from aiposture.engine.synthetic import document
from aiposture.output import evidence, json_out, sarif


@pytest.fixture(scope="module")
def big_report(tmp_path_factory):
    doc = document(700, seed=4, chaos=0.3)  # failures, errors, inline suppressions (waived)
    path = tmp_path_factory.mktemp("inv") / "inventory.json"
    inv.save(doc, path)
    # inline suppressions allowed: some are applied (waived), wildcards are refused (listed only)
    return pipeline.evaluate(doc, pipeline.Options(), Config(inline_suppressions=True), inventory_path=path)


def test_json_stream_equals_the_document(big_report):
    lines = list(json_out.result_lines(big_report.results))
    assert [json.loads(line) for line in lines] == [r.to_dict() for r in big_report.results]
    assert json.loads(json_out.render(big_report)) == json.loads(json.dumps(json_out.build(big_report)))
    text = json_out.render(big_report)
    assert text.count("\n") > len(big_report.results)  # one finding per line: greppable, diffable


def test_sarif_stream_equals_the_document(big_report, tmp_path):
    rules = sarif._rules_used(big_report)
    index = {r.id: i for i, r in enumerate(rules)}
    dicts, lines, n1, n2 = [], [], [], []
    dicts = list(sarif._results(big_report, tmp_path, index, n1))
    lines = [json.loads(x) for x in sarif._result_lines(big_report, tmp_path, index, n2)]
    assert dicts == lines and n1 == n2
    assert any("suppressions" in d for d in dicts) and n1  # waived and not-checked findings are covered
    assert any("aiposture/suppression" in d["properties"] for d in dicts)  # and a suppression not applied
    assert json.loads(sarif.render(big_report)) == json.loads(json.dumps(sarif.build(big_report)))


def test_evidence_pack_streamed_with_verifiable_hashes(big_report, tmp_path):
    path = tmp_path / "pack.zip"
    evidence.write(big_report, path)
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert set(manifest["files"]) == set(z.namelist()) - {"manifest.json"}
        for name, meta in manifest["files"].items():
            data = z.read(name)
            assert hashlib.sha256(data).hexdigest() == meta["sha256"] and len(data) == meta["bytes"], name
        results = json.loads(z.read("results.json"))
        assert "inventory" not in results and len(results["results"]) == len(big_report.results)
        assert json.loads(z.read("inventory.json")) == json.loads(json.dumps(big_report.inventory))
        assert json.loads(z.read("results.sarif")) == json.loads(sarif.render(big_report))
    assert evidence.build(big_report)[:2] == b"PK"


def test_pipeline_streams_json_and_sarif_to_files(big_report, tmp_path):
    opts = pipeline.Options(formats=["json", "sarif"], outputs=[str(tmp_path / "a.json"), str(tmp_path / "a.sarif")],
                            quiet=True)
    pipeline.write_outputs(big_report, opts, pipeline.plan_outputs(opts))
    assert json.loads(Path(tmp_path / "a.json").read_text()) == json.loads(json_out.render(big_report))
    assert json.loads(Path(tmp_path / "a.sarif").read_text())["runs"][0]["results"]
