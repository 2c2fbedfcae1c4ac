"""Single-file HTML report: summary, ISO 27090 threat x cloud matrix, severity chart, filterable findings.

Self-contained (inline CSS, inline SVG, a few lines of inline JavaScript, no
network). Every string that came from a cloud, a repository or a rule file
goes through :func:`html.escape`; filters read only ``data-*`` attributes, so
no scanned value is ever placed in script context.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape

from aiposture.catalog import threat_title
from aiposture.engine.evaluator import summarize
from aiposture.engine.model import SEVERITIES, Status
from aiposture.output import Report

PROVIDERS = ("aws", "azure", "gcp")
SEV_COLOR = {"critical": "#7f1d1d", "high": "#dc2626", "medium": "#d97706", "low": "#0891b2"}
STATUS_ORDER = {"fail": 0, "error": 1, "waived": 2, "pass": 3}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#111827;color:#f9fafb;padding:18px 28px}header h1{margin:0 0 4px;font-size:20px}
header p{margin:0;color:#d1d5db;font-size:13px}main{padding:20px 28px;max-width:1400px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:18px}.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;
padding:10px 16px;min-width:110px}.card b{display:block;font-size:22px}.fail b{color:#dc2626}.error b{color:#9333ea}
.waived b{color:#6b7280}.pass b{color:#16a34a}section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;
padding:14px 18px;margin-bottom:18px}h2{font-size:16px;margin:0 0 10px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #f3f4f6;vertical-align:top}th{background:#f9fafb;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}.hot{background:#fee2e2}.warm{background:#fef3c7}.ok{background:#dcfce7}
.sev{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px}.st{font-weight:600}.st-fail{color:#dc2626}
.st-error{color:#9333ea}.st-waived{color:#6b7280}.st-pass{color:#16a34a}.filters{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:10px}
select,input{padding:4px 6px;border:1px solid #d1d5db;border-radius:4px}code{font-size:12px;word-break:break-all}
.muted{color:#6b7280}details summary{cursor:pointer}
"""

JS = """
(function(){
  var q=document.getElementById('q'),fs=document.querySelectorAll('select[data-f]'),rows=document.querySelectorAll('#findings tbody tr');
  function apply(){
    var text=q.value.toLowerCase(),want={};
    fs.forEach(function(s){if(s.value)want[s.getAttribute('data-f')]=s.value;});
    var shown=0;
    rows.forEach(function(r){
      var ok=(!text||r.textContent.toLowerCase().indexOf(text)>=0);
      for(var k in want){if(r.getAttribute('data-'+k)!==want[k])ok=false;}
      r.style.display=ok?'':'none';if(ok)shown++;
    });
    document.getElementById('shown').textContent=shown;
  }
  q.addEventListener('input',apply);fs.forEach(function(s){s.addEventListener('change',apply);});apply();
})();
"""


def _e(v: object) -> str:
    return escape(str(v if v is not None else ""), quote=True)


def _matrix(report: Report) -> str:
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in report.results:
        for t in r.rule.threats:
            cells[(t, r.resource["provider"])][r.status.value] += 1
    threats = sorted({t for t, _ in cells}, key=threat_title)
    rows = []
    for t in threats:
        tds = []
        for p in PROVIDERS:
            c = cells.get((t, p), Counter())
            total = sum(c.values())
            if not total:
                tds.append('<td class="n muted">–</td>')
                continue
            cls = "hot" if c["fail"] else ("warm" if c["error"] else "ok")
            tds.append(f'<td class="n {cls}" title="fail/error/pass">{c["fail"]} / {c["error"]} / {c["pass"] + c["waived"]}</td>')
        rows.append(f"<tr><td>{_e(threat_title(t))}</td>{''.join(tds)}</tr>")
    head = "".join(f"<th>{p.upper()}</th>" for p in PROVIDERS)
    return (f"<section><h2>ISO/IEC 27090 threats by cloud</h2><p class=muted>Each cell: failing / not checked / passing "
            f"results.</p><table><thead><tr><th>Threat</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>")


def _severity_chart(summary: dict) -> str:
    counts = summary["by_severity"]
    top = max(counts.values()) or 1
    bars = []
    for i, sev in enumerate(SEVERITIES):
        w = int(360 * counts[sev] / top)
        y = 8 + i * 28
        bars.append(f'<text x="0" y="{y + 15}" font-size="12">{sev}</text>'
                    f'<rect x="70" y="{y}" width="{w}" height="20" rx="3" fill="{SEV_COLOR[sev]}"/>'
                    f'<text x="{76 + w}" y="{y + 15}" font-size="12">{counts[sev]}</text>')
    return (f'<section><h2>Failing findings by severity</h2><svg width="480" height="{16 + 28 * len(SEVERITIES)}" '
            f'role="img" aria-label="failing findings by severity">{"".join(bars)}</svg></section>')


def _findings(report: Report) -> str:
    results = sorted(report.results, key=lambda r: (STATUS_ORDER[r.status.value], -r.rule.severity_rank, r.rule.id, r.resource_id))
    rows = []
    for r in results:
        res = r.resource
        src = res.get("source") or {}
        where = f"{src['file']}:{src.get('line') or 1}" if src.get("file") else " ".join(
            str(x) for x in (res.get("account"), res.get("region")) if x)
        st = r.status.value
        rows.append(
            f'<tr data-status="{_e(st)}" data-severity="{_e(r.rule.severity)}" data-provider="{_e(res["provider"])}" '
            f'data-kind="{_e(res["kind"])}"><td class="st st-{_e(st)}">{_e(st.upper())}</td>'
            f'<td><span class="sev" style="background:{SEV_COLOR[r.rule.severity]}">{_e(r.rule.severity)}</span></td>'
            f"<td><code>{_e(r.rule.id)}</code><br>{_e(r.rule.title)}</td><td>{_e(res['provider'])}</td>"
            f"<td>{_e(res.get('name') or res['id'])}<br><code class=muted>{_e(res['id'])}</code></td>"
            f"<td><code>{_e(where)}</code></td><td>{_e(r.message)}</td></tr>")

    def select(field: str, values) -> str:
        opts = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
        return f'<select data-f="{field}" aria-label="{field}"><option value="">all {field}</option>{opts}</select>'

    filters = (f'<div class="filters"><input id="q" type="search" placeholder="search resource, rule, message" size="40">'
               f'{select("status", ("fail", "error", "waived", "pass"))}{select("severity", SEVERITIES)}'
               f'{select("provider", PROVIDERS)}{select("kind", sorted({r.resource["kind"] for r in report.results}))}'
               f'<span class=muted><span id="shown">{len(rows)}</span> of {len(rows)} shown</span></div>')
    return (f'<section><h2>Findings</h2>{filters}<table id="findings"><thead><tr><th>Status</th><th>Severity</th><th>Rule</th>'
            f'<th>Cloud</th><th>Resource</th><th>Where</th><th>Finding</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _not_checked(report: Report) -> str:
    if not report.scan_errors and not report.rule_problems:
        return ""
    items = []
    for e in report.scan_errors:
        where = " ".join(f"{k}={v}" for k, v in (e.get("scope") or {}).items())
        kinds = ", ".join(e.get("kinds") or ["all kinds"])
        items.append(f"<tr><td>{_e(e.get('provider'))}</td><td><code>{_e(where)}</code></td><td>{_e(e.get('code', ''))}</td>"
                     f"<td>{_e(kinds)}</td><td>{_e(e.get('message', ''))}</td></tr>")
    for p in report.rule_problems:
        items.append(f"<tr><td>rules</td><td></td><td>RuleError</td><td></td><td>{_e(p)}</td></tr>")
    return ("<section><h2>What could not be checked</h2><table><thead><tr><th>Source</th><th>Scope</th><th>Code</th>"
            f"<th>Kinds</th><th>Message</th></tr></thead><tbody>{''.join(items)}</tbody></table></section>")


def _remediation(report: Report) -> str:
    failing = sorted({r.rule.id: r.rule for r in report.results if r.status is Status.FAIL}.values(),
                     key=lambda x: (-x.severity_rank, x.id))
    if not failing:
        return ""
    parts = []
    for rule in failing:
        fixes = "".join(f"<dt>{_e(k)}</dt><dd><pre>{_e(v)}</pre></dd>" for k, v in (rule.remediation or {}).items())
        controls = "; ".join(f"{_e(fw)}: {_e(', '.join(ids))}" for fw, ids in (rule.controls or {}).items())
        parts.append(f"<details><summary><code>{_e(rule.id)}</code> {_e(rule.title)}</summary>"
                     f"<p>{_e(rule.rationale)}</p><p class=muted>{controls}</p><dl>{fixes}</dl></details>")
    return f"<section><h2>How to fix</h2>{''.join(parts)}</section>"


def render(report: Report) -> str:
    s = summarize(report.results)
    scan = report.inventory.get("scan", {})
    cards = "".join(f'<div class="card {k}"><b>{s[k]}</b>{label}</div>' for k, label in
                    (("fail", "failing"), ("error", "not checked"), ("waived", "waived"), ("pass", "passing")))
    sources = ", ".join(scan.get("sources") or []) or "inventory"
    meta = (f"scan {_e(scan.get('id', ''))} · {_e(scan.get('started_at', ''))} · sources: {_e(sources)} · "
            f"{len(report.inventory.get('resources', []))} resources · {len(report.rules)} rules · aiposture {_e(report.tool_version)}")
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width,initial-scale=1">'
            "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">"
            f"<title>aiposture report</title><style>{CSS}</style></head><body>"
            f"<header><h1>AI security posture</h1><p>{meta}</p></header><main>"
            f'<div class="cards">{cards}</div>{_not_checked(report)}{_matrix(report)}{_severity_chart(s)}'
            f"{_findings(report)}{_remediation(report)}</main><script>{JS}</script></body></html>\n")
