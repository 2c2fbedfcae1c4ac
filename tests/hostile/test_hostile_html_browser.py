"""The HTML report opened in headless Chromium with hostile names: nothing injected runs.

A canary page with the same Content-Security-Policy proves, in the same browser run, that an
inline script and an ``onerror`` handler *would* run if they reached the DOM as markup; the
report must show the same payloads as text only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from safety_helpers import cli, failing_filter, write_doc

from aiposture import inventory as inv

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), shutil.which("google-chrome"))
                 if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine: install the Debian package "
                                "'chromium' (listed in scripts/debian-packages.txt; scripts/test.sh installs it)")

PAYLOADS = [
    "<script>document.body.setAttribute('data-pwned','script')</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
    "\"><svg onload=\"document.body.setAttribute('data-pwned','svg')\">",
    "'><iframe srcdoc=\"<script>parent.document.body.setAttribute('data-pwned','iframe')</script>\">",
    "</code></td></tr></table></section><script>document.body.setAttribute('data-pwned','breakout')</script>",
    "<style>body{display:none}</style><a href=\"javascript:document.body.setAttribute('data-pwned','href')\">x</a>",
]
CANARY = ("<!DOCTYPE html><html><head><meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"></head><body>"
          "<img src=x onerror=\"document.body.setAttribute('data-img','ran')\">"
          "<script>document.body.setAttribute('data-script','ran')</script></body></html>")


class Dom(HTMLParser):
    """Elements and attributes of a serialised DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []  # code the browser runs
        self.data_blocks: list[str] = []  # <script type="application/json">: data, never run
        self._in: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in = self.data_blocks if dict(attrs).get("type") == "application/json" else self.scripts
        else:
            self._in = None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        (self.text if self._in is None else self._in).append(data)


def dump_dom(page: Path) -> Dom:
    with tempfile.TemporaryDirectory(prefix="aiposture-chromium-") as profile:
        p = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
             "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 0 and "<html" in p.stdout, p.stderr[-2000:]
    dom = Dom()
    dom.feed(p.stdout)
    return dom


def test_hostile_names_in_the_html_report_stay_text(tmp_path):
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY)
    body = dict(next(a for t, a in dump_dom(canary).tags if t == "body"))
    assert body.get("data-script") == "ran" and body.get("data-img") == "ran"  # the harness does run injected code

    resources, errors = [], []
    for i, payload in enumerate(PAYLOADS):
        r = failing_filter(rid=f"arn:aws:bedrock:eu-west-1:111122223333:guardrail/{payload}", name=payload,
                           tags={"team": payload})
        r["account"], r["region"] = payload, payload
        if i % 2:
            r["source"] = {"origin": "terraform", "file": f"{payload}.tf", "line": 1, "address": payload}
        resources.append(r)
        errors.append(inv.make_error("aws", payload, code=payload, kinds=["agent"], account=payload, region=payload))
    src = write_doc(tmp_path / "inventory.json", resources, errors)
    run = cli("scan", "--inventory", src, "-f", "html", "-o", tmp_path / "report.html", "-q")
    assert run.code == 1, run

    dom = dump_dom(tmp_path / "report.html")
    body = next(a for t, a in dom.tags if t == "body")
    assert not any(k.startswith("data-pwned") for k in body), body  # no injected code ran
    # and none is even present as markup: no handler, no javascript: URL, no frame, no foreign script
    assert not [(t, k) for t, a in dom.tags for k in a if k.startswith("on")]
    assert not [(t, v) for t, a in dom.tags for v in a.values() if v and ("setAttribute(" in v or "javascript:" in v)]
    assert not [t for t, a in dom.tags if t in ("iframe", "object", "embed", "base", "meta") and "pwned" in str(a)]
    assert not [t for t, a in dom.tags if t == "img" and not str(a.get("src", "")).startswith("data:")]
    assert not [s for s in dom.scripts if "pwned" in s]  # no payload in code that runs
    # the report's data travel in non-executed JSON blocks: each must still parse whole (no payload closed it)
    assert dom.data_blocks and all(isinstance(json.loads(b), (dict, list)) for b in dom.data_blocks)
    assert [t for t, _ in dom.tags].count("style") == 1  # only the report's own stylesheet
    text = "".join(dom.text)
    for payload in PAYLOADS:
        assert payload in text  # shown to the reader, literally
