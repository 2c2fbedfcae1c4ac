"""The HTML report's trend chart: failing findings per severity, framework and cloud over stored scans."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from aiposture.cli import main
from aiposture.output.html import trend_section

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "inventory.json"


def _scan(tmp_path: Path, doc: dict, name: str, *extra: str):
    inv = tmp_path / f"{name}.json"
    inv.write_text(json.dumps(doc))
    return CliRunner().invoke(main, ["scan", "--inventory", str(inv), "--store", str(tmp_path / "h.db"), "-q",
                                     "--soft-fail", "--tolerate-errors", *extra])


def _legend(html: str, caption: str) -> dict[str, int]:
    fig = html.split(f"<figcaption>{caption}</figcaption>", 1)[1].split("</figure>", 1)[0]
    return {name: int(n) for name, n in re.findall(r"</i>([^<(]+) \((\d+)\)</span>", fig)}


def test_trend_section_follows_the_stored_scans_of_the_scope(tmp_path):
    first = json.loads(EXAMPLE.read_text())
    r = _scan(tmp_path, first, "one", "-f", "html", "-o", str(tmp_path / "one.html"))
    assert r.exit_code == 0, r.output
    assert "<h2>Trend</h2>" not in (tmp_path / "one.html").read_text()  # one scan: nothing to draw yet

    second = json.loads(EXAMPLE.read_text())
    second["scan"]["id"], second["scan"]["started_at"] = "two", "2026-11-21T09:00:00Z"
    second["resources"] = [x for x in second["resources"] if x["provider"] != "azure"]  # azure findings go away
    r = _scan(tmp_path, second, "two", "-f", "html", "-o", str(tmp_path / "two.html"), "-f", "json", "-o",
              str(tmp_path / "two-results.json"))
    assert r.exit_code == 0, r.output
    html = (tmp_path / "two.html").read_text()
    assert "<h2>Trend</h2>" in html and "The last 2 stored scans" in html
    assert html.count("<figure class=trend>") == 3

    # the legends carry the newest scan's counts: they must equal this run's failing results
    results = [x for x in json.loads((tmp_path / "two-results.json").read_text())["results"] if x["status"] == "fail"]
    sev = _legend(html, "Failing findings per severity")
    assert sev == {s: sum(1 for x in results if x["severity"] == s) for s in ("critical", "high", "medium", "low")}
    clouds = _legend(html, "Failing findings per cloud")
    providers = {x["id"]: x["provider"] for x in second["resources"]}
    by_cloud = Counter(providers[x["resource_id"]] for x in results)
    assert {k: v for k, v in clouds.items() if v} == dict(by_cloud)
    assert clouds["azure"] == 0  # drawn: it failed in the older scan, and fell to zero
    fw = _legend(html, "Failing findings per framework")
    assert fw and max(fw.values()) <= len(results) and sum(fw.values()) >= len(results)
    azure = [int(n) for n in re.findall(r"<title>azure · [^<]*: (\d+)</title>", html)]
    assert len(azure) == 2 and azure[0] > 0 and azure[1] == 0

    # a different scope (another inventory's sources) is not mixed in
    other = json.loads(EXAMPLE.read_text())
    other["scan"]["sources"] = ["aws"]
    other["resources"] = [x for x in other["resources"] if x["provider"] == "aws"]
    r = _scan(tmp_path, other, "other", "-f", "html", "-o", str(tmp_path / "other.html"))
    assert "<h2>Trend</h2>" not in (tmp_path / "other.html").read_text()


def test_trend_section_escapes_every_label_and_loads_nothing():
    hostile = '<img src=x onerror="alert(1)">'
    points = [{"id": "a", "started_at": "2026-11-20T09:00:00</title><script>x</script>",
               "severity": {"high": 2}, "framework": {hostile: 1}, "cloud": {hostile: 3}},
              {"id": "b", "started_at": "2026-11-21T09:00:00", "severity": {"high": 1}, "framework": {}, "cloud": {}}]
    html = trend_section(points)
    assert "<img" not in html and "<script" not in html and "&lt;img" in html
    assert "http" not in html.replace("http://www.w3.org", "")  # no external resource
    assert trend_section(points[:1]) == "" and trend_section(None) == ""
