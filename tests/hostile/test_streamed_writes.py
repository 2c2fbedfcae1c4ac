"""The streamed writers (JSON, SARIF, evidence) keep the safe-write guarantees.

speed streams large reports straight into their destination; safety writes every file
through a temporary file renamed over the destination and keeps every output valid UTF-8
and strict JSON. These tests hold the merged pipeline to both at once, and hold the
pre-scan destination check to the rule that nothing is created in /dev or beside a device.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from safety_helpers import cli, failing_filter

from aiposture import inventory as inv
from aiposture import pipeline
from aiposture.engine import Config
from aiposture.errors import AiPostureError
from aiposture.output import sarif
from aiposture.pipeline import Options


@pytest.fixture(scope="module")
def surrogate_report():
    """A report whose messages carry a lone surrogate: the writers' own guarantee, without sanitize."""
    doc = inv.new_document([failing_filter(name="bad\udfffname")])  # ids are sanitised before (fingerprints)
    return pipeline.evaluate(doc, Options(rule_ids=["AIP-GR-001"]), Config())


def _strict(text: str):
    def refuse(name):
        raise ValueError(f"{name} in output")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_streamed_reports_are_valid_utf8_in_a_file_and_on_stdout(surrogate_report, fmt, tmp_path, monkeypatch):
    dest = tmp_path / f"out.{fmt}"
    pipeline.write_outputs(surrogate_report, Options(quiet=True), [(fmt, str(dest))])
    on_disk = dest.read_bytes()
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")  # a terminal that cannot show U+FFFD
    monkeypatch.setattr(sys, "stdout", stdout)
    pipeline.write_outputs(surrogate_report, Options(quiet=True), [(fmt, "-")])
    stdout.flush()
    assert stdout.buffer.getvalue() == on_disk  # the same bytes wherever the report goes
    text = on_disk.decode("utf-8")  # strict: a lone surrogate would not decode
    assert "\ufffd" in text
    _strict(text)
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed, not left behind


def test_streamed_json_refuses_nan():
    from aiposture.output import json_out

    with pytest.raises(ValueError):
        json_out._dump({"x": float("nan")})


def test_evidence_pack_goes_through_a_temporary_file_and_replaces_a_planted_link(surrogate_report, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    dest = tmp_path / "pack.zip"
    dest.symlink_to(victim)
    pipeline.write_outputs(surrogate_report, Options(quiet=True), [("evidence", str(dest))])
    assert victim.read_text() == "keep me"
    assert not dest.is_symlink()
    with zipfile.ZipFile(dest) as z:
        results = _strict(z.read("results.json").decode("utf-8"))
    assert "bad\ufffdname" in results["results"][0]["message"]


def test_sarif_stream_cannot_be_split_by_a_value_that_looks_like_its_placeholder():
    # the stream writes the run's skeleton around placeholders; a rule (--rules-dir may point
    # into the scanned tree) titled like a fixed placeholder would have cut the document there
    report = pipeline.evaluate(inv.new_document([failing_filter(rid="gr-1")]), Options(rule_ids=["AIP-GR-001"]), Config())
    for marker in ("\x00aiposture-results\x00", "\x00aiposture-invocations\x00"):
        rule = dataclasses.replace(report.results[0].rule, title=marker)
        for r in report.results:
            r.rule = rule
        streamed = _strict(sarif.render(report))
        assert streamed == json.loads(json.dumps(sarif.build(report)))
        assert streamed["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"]["text"] == marker


def test_destination_check_creates_nothing_beside_a_named_pipe(tmp_path, monkeypatch):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    created = []
    real = os.open

    def spy(path, flags, *a, **kw):
        if flags & os.O_CREAT:
            created.append(path)
        return real(path, flags, *a, **kw)

    monkeypatch.setattr(os, "open", spy)
    pipeline.check_destination(fifo, "the json output")
    pipeline.check_destination("/dev/null", "the json output")
    assert created == []
    assert sorted(os.listdir(tmp_path)) == ["pipe"]
    with pytest.raises(AiPostureError, match="no such file"):
        pipeline.check_destination("/dev/aiposture-does-not-exist", "the json output")


def test_a_scan_writing_to_dev_null_leaves_dev_alone(tmp_path):
    inventory = tmp_path / "inv.json"
    inv.save(inv.new_document([failing_filter()]), inventory)
    before = set(os.listdir("/dev"))
    r = subprocess.run([sys.executable, "-m", "aiposture", "scan", "--inventory", str(inventory), "-q",
                        "-f", "json,sarif,evidence", "-o", "/dev/null", "-o", "/dev/stdout", "-o", "/dev/null"],
                       capture_output=True, check=False, timeout=120)
    assert r.returncode == 1, r.stderr
    _strict(r.stdout.decode("utf-8"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not {n for n in set(os.listdir("/dev")) - before if n.startswith(".")}  # no probe or temporary file


def test_unreadable_var_file_is_a_usage_error(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text('variable "x" {}\n')
    (tmp_path / "bad.tfvars").write_bytes(b'x = "\xff\xfe"\n')
    monkeypatch.chdir(tmp_path)
    r = cli("iac", ".", "--var-file", "bad.tfvars")
    assert r.code == 2 and "--var-file bad.tfvars" in r.stderr and "UTF-8" in r.stderr, r


def test_history_diff_output_replaces_a_planted_link(tmp_path, monkeypatch):
    store = tmp_path / "h.db"
    monkeypatch.chdir(tmp_path)
    for i in range(2):  # two scans (two inventories: a stored scan is keyed by its inventory's scan id)
        inventory = tmp_path / f"inv{i}.json"
        inv.save(inv.new_document([failing_filter(), failing_filter(rid=f"gr-{i + 2}")]), inventory)
        assert cli("scan", "--inventory", inventory, "-q", "--store", store, "-f", "json", "-o", "r.json").code == 1
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    Path("drift.md").symlink_to(victim)
    r = cli("diff", "--store", store, "-o", "drift.md")
    assert r.code == 0, r
    assert victim.read_text() == "keep me" and not Path("drift.md").is_symlink()
    assert Path("drift.md").read_text(encoding="utf-8")


class _FullDisk(io.BytesIO):
    """Standard output whose first write fails (a closed pipe, a full disk), then works."""

    failed = False

    def write(self, data) -> int:  # type: ignore[override]
        if not self.failed:
            self.failed = True
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_stdout_stays_open_after_a_failed_streamed_write(monkeypatch):
    from aiposture import safeio

    raw = _FullDisk()
    stdout = io.TextIOWrapper(raw, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stdout)
    with pytest.raises((OSError, RuntimeError)), safeio.stdout_text() as fh:
        fh.write("partial")  # a buffering wrapper keeps this and fails only when it lets go
        raise RuntimeError("the writer failed half-way")
    import gc

    gc.collect()  # a wrapper left owning the stream would close it when collected
    assert not raw.closed
    with safeio.stdout_text() as fh:  # the error can still be reported on stdout
        fh.write("still here\udfff\n")
    assert raw.getvalue() == "still here\ufffd\n".encode()


def test_stdout_batches_many_small_writes_into_the_same_bytes(monkeypatch):
    from aiposture import safeio

    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    pieces = [f"{i},é\udfff;" for i in range(40_000)]  # ~400 KB: several batches, non-ASCII and lone surrogates
    with safeio.stdout_text() as fh:
        fh.writelines(pieces[:100])
        for p in pieces[100:]:
            fh.write(p)
    assert raw.getvalue() == "".join(pieces).replace("\udfff", "\ufffd").encode("utf-8")
