"""Single-file HTML report, and the auditor summary of the evidence pack.

Tabs (pure CSS, no script needed to switch): overview (cards, what could not be checked, the threat x
cloud matrix, severity chart), findings, compliance per framework (per-cloud and per-account summaries),
shared responsibility per provider and control family, and how to fix (the finding's own cloud and IaC
flavour only, with a link to each rule's documentation).

Scale: the findings are embedded once as JSON in a non-executed ``application/json`` block and a small
script renders one page of rows at a time, failing findings first and passing checks only on request;
filters run over the in-memory array (debounced), never over thousands of DOM rows. 20,000 resources
open in a browser in about a second instead of minutes.

Safety: every string that came from a cloud, a repository or a rule file goes through
:func:`html.escape` in markup; in the JSON block ``<``, ``>`` and ``&`` are ``\\u`` escapes, so nothing
can close the script element, and the script writes values with ``textContent`` only. No network, a
strict Content-Security-Policy.
"""

from __future__ import annotations

import gc
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from typing import Any

from aiposture.catalog import catalog, rule_docs_url, rule_family, threat_title
from aiposture.compliance import LABELS, STATUSES, FrameworkView
from aiposture.engine.model import SEVERITIES, Rule
from aiposture.output import Report

PROVIDERS = ("aws", "azure", "gcp")
CLOUD_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}
SEV_COLOR = {"critical": "#7f1d1d", "high": "#dc2626", "medium": "#d97706", "low": "#0891b2"}
STATUS_ORDER = {"fail": 0, "error": 1, "waived": 2, "pass": 3}
STATUS_CLASS = {"fail": "st-fail", "not_checked": "st-error", "pass": "st-pass", "not_covered": "st-none"}
MAX_LISTED = 10  # failing resources named per control in the HTML (the JSON/CSV/evidence carry all)
ORIGIN_FLAVOUR = {"terraform": "terraform", "terraform_plan": "terraform", "cloudformation": "cloudformation", "arm": "arm"}
FLAVOUR_NAMES = {"live": "live scan", "terraform": "Terraform", "cloudformation": "CloudFormation", "arm": "ARM / Bicep"}
_TF_CLOUD = {"aws": "aws", "azurerm": "azure", "azapi": "azure", "google": "gcp"}
_TF_TYPE = re.compile(r"\b(aws|azurerm|azapi|google)_[a-z0-9_]+")

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#111827;color:#f9fafb;padding:18px 28px}header h1{margin:0 0 4px;font-size:20px}
header p{margin:0;color:#d1d5db;font-size:13px}main{padding:14px 28px;max-width:1400px}
.trend{margin:0 0 14px}.trend figcaption{font-weight:600;margin-bottom:4px}.tlegend{font-size:12px}.tl{margin-right:12px}.tl i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:18px}.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;
padding:10px 16px;min-width:110px}.card b{display:block;font-size:22px}.fail b{color:#dc2626}.error b{color:#9333ea}
.waived b{color:#6b7280}.pass b{color:#16a34a}.none b{color:#6b7280}section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;
padding:14px 18px;margin-bottom:18px}h2{font-size:16px;margin:0 0 10px}h3{font-size:14px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #f3f4f6;vertical-align:top}th{background:#f9fafb;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}.hot{background:#fee2e2}.warm{background:#fef3c7}.ok{background:#dcfce7}
.sev{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px}.st{font-weight:600}.st-fail{color:#dc2626}
.st-error{color:#9333ea}.st-waived{color:#6b7280}.st-pass{color:#16a34a}.st-none{color:#9ca3af}
.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin-bottom:10px}
select,input,button{padding:4px 6px;border:1px solid #d1d5db;border-radius:4px;font:inherit}
code,pre{font-size:12px;word-break:break-all;white-space:pre-wrap}.muted{color:#6b7280}details summary{cursor:pointer}
.tabr{position:absolute;opacity:0;pointer-events:none}.tabs{display:flex;gap:4px;flex-wrap:wrap;margin:0 0 14px;
border-bottom:1px solid #e5e7eb}.tabs label{padding:8px 14px;cursor:pointer;border:1px solid transparent;border-bottom:none;
border-radius:6px 6px 0 0;color:#374151}.panels>div,.fwpanels>div{display:none}
#t-overview:checked~.panels>#p-overview,#t-findings:checked~.panels>#p-findings,#t-compliance:checked~.panels>#p-compliance,
#t-shared:checked~.panels>#p-shared,#t-fix:checked~.panels>#p-fix{display:block}
#t-overview:checked~.tabs label[for=t-overview],#t-findings:checked~.tabs label[for=t-findings],
#t-compliance:checked~.tabs label[for=t-compliance],#t-shared:checked~.tabs label[for=t-shared],
#t-fix:checked~.tabs label[for=t-fix]{background:#fff;border-color:#e5e7eb;font-weight:600}
.fwtabs label{display:inline-block;padding:4px 10px;margin:0 4px 8px 0;border:1px solid #d1d5db;border-radius:14px;cursor:pointer}
@@FWCSS@@
.sev-critical{background:#7f1d1d}.sev-high{background:#dc2626}.sev-medium{background:#d97706}.sev-low{background:#0891b2}
.pager{display:flex;gap:8px;align-items:center;margin-top:8px}a{color:#1d4ed8}
"""

JS = """
(function(){
  var el=document.getElementById('findings-data');if(!el)return;
  var D=JSON.parse(el.textContent),R=D.rules,S=D.res,CR=D.rule,CS=D.resource,M=D.message,ST=['fail','error','waived','pass'];
  var N=CR.length,bounds=[],acc=0;D.counts.forEach(function(c){acc+=c;bounds.push(acc);});
  function status(i){for(var k=0;k<4;k++){if(i<bounds[k])return k;}return 3;}
  var q=document.getElementById('q'),fs=document.querySelectorAll('select[data-f]'),pc=document.getElementById('passes');
  var body=document.querySelector('#findings tbody'),info=document.getElementById('shown'),page=0,PS=100,view=[],hay=null,timer=null;
  function text(i){var ru=R[CR[i]],re=S[CS[i]];return (ru[0]+' '+ru[1]+' '+re[0]+' '+re[1]+' '+re[4]+' '+(M[i]||'')).toLowerCase();}
  function filter(){
    var t=q.value.toLowerCase(),want={},passes=pc.checked;
    fs.forEach(function(s){if(s.value)want[s.getAttribute('data-f')]=s.value;});
    if(t&&!hay){hay=new Array(N);for(var i=0;i<N;i++)hay[i]=text(i);}
    var end=(passes||want.status==='pass')?N:bounds[2];
    view=[];
    for(var i=0;i<end;i++){
      var ru=R[CR[i]],re=S[CS[i]];
      if(want.status&&want.status!==ST[status(i)])continue;
      if(want.severity&&want.severity!==ru[2])continue;
      if(want.provider&&want.provider!==re[2])continue;
      if(want.kind&&want.kind!==re[3])continue;
      if(t&&hay[i].indexOf(t)<0)continue;
      view.push(i);
    }
    page=0;draw();
  }
  function td(tr,v,cls){var c=document.createElement('td');if(cls)c.className=cls;c.textContent=v;tr.appendChild(c);return c;}
  function draw(){
    var frag=document.createDocumentFragment(),start=page*PS,end=Math.min(view.length,start+PS);
    for(var k=start;k<end;k++){
      var i=view[k],ru=R[CR[i]],re=S[CS[i]],st=ST[status(i)],tr=document.createElement('tr');
      td(tr,st.toUpperCase(),'st st-'+st);
      var s=document.createElement('span');s.className='sev sev-'+ru[2];s.textContent=ru[2];td(tr,'').appendChild(s);
      var c=td(tr,'');var code=document.createElement('code');code.textContent=ru[0];
      if(ru[3]){var a=document.createElement('a');a.href=ru[3];a.rel='noopener noreferrer';a.target='_blank';a.appendChild(code);c.appendChild(a);}
      else c.appendChild(code);
      c.appendChild(document.createElement('br'));c.appendChild(document.createTextNode(ru[1]));
      td(tr,re[2]);
      var n=td(tr,re[0]||re[1]);n.appendChild(document.createElement('br'));var ic=document.createElement('code');ic.className='muted';ic.textContent=re[1];n.appendChild(ic);
      var w=td(tr,'');var wc=document.createElement('code');wc.textContent=re[4];w.appendChild(wc);
      td(tr,st==='pass'?'met':M[i]);
      frag.appendChild(tr);
    }
    body.textContent='';body.appendChild(frag);
    info.textContent=view.length?((start+1)+'-'+end+' of '+view.length):'0';
    document.getElementById('prev').disabled=page===0;document.getElementById('next').disabled=end>=view.length;
  }
  q.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(filter,200);});
  fs.forEach(function(s){s.addEventListener('change',filter);});pc.addEventListener('change',filter);
  document.getElementById('prev').addEventListener('click',function(){if(page>0){page--;draw();}});
  document.getElementById('next').addEventListener('click',function(){if((page+1)*PS<view.length){page++;draw();}});
  filter();
})();
"""


def _e(v: object) -> str:
    return escape(str(v if v is not None else ""), quote=True)


def _json_script(data: Any, element_id: str) -> str:
    """Data for the script, in a non-executed block that no value can break out of."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _docs_links(rules: list[Rule]) -> dict[str, str | None]:
    """Rule id -> documentation URL (https only), computed once per rule."""
    out: dict[str, str | None] = {}
    for r in rules:
        url = rule_docs_url(r)
        out[r.id] = url if url and url.startswith("https://") else None
    return out


class Tally:
    """Counts the overview, the threat matrix, the shared-responsibility table and the fix groups read, derived
    from the compliance aggregation (one pass over the results) plus a pass over the failing results only."""

    def __init__(self, report: Report, aggregates: dict[str, Any] | None = None):
        from aiposture.compliance import aggregate

        aggs = aggregates if aggregates is not None else aggregate(report.results)
        flavour = {id(r): ORIGIN_FLAVOUR.get((r.get("source") or {}).get("origin", "live"), "live")
                   for r in report.inventory.get("resources", [])}
        self.rules: dict[str, Rule] = {r.id: r for r in report.rules}
        self.counts: Counter = Counter()  # (rule id, cloud, status) -> results
        self.status: Counter = Counter()
        self.failing: Counter = Counter()  # (rule id, cloud, flavour) -> failing results
        for rid, agg in aggs.items():
            for prov, counts in agg.by_cloud.items():
                for st, n in counts.items():
                    self.counts[(rid, prov, str(st))] += n
                    self.status[str(st)] += n
            self.failing.update((rid, r.resource["provider"], flavour.get(id(r.resource), "live")) for r in agg.failing)
            if agg.failing and rid not in self.rules:  # results of a rule outside the selection still resolve
                self.rules[rid] = agg.failing[0].rule

    def summary(self) -> dict[str, Any]:
        sev: Counter = Counter()
        for (rid, _p, _f), n in self.failing.items():
            sev[self.rules[rid].severity] += n
        return {"total": sum(self.status.values()), **{k: self.status.get(k, 0) for k in ("pass", "fail", "error", "waived")},
                "by_severity": {s: sev.get(s, 0) for s in SEVERITIES}}

    def failing_by_family(self) -> Counter:
        out: Counter = Counter()
        for (rid, prov, _f), n in self.failing.items():
            out[(prov, rule_family(rid)[0])] += n
        return out


def _rule_link(rule_id: str, links: dict[str, str | None]) -> str:
    url = links.get(rule_id)
    code = f"<code>{_e(rule_id)}</code>"
    return f'<a href="{_e(url)}" rel="noopener noreferrer" target="_blank">{code}</a>' if url else code


# -- remediation: the finding's own cloud and IaC flavour ------------------------------------------------

def snippet_cloud(text: str, rule: Rule) -> str | None:
    """The cloud a Terraform snippet is for: from the resource types it names, else the rule's only provider.

    None means a note for every cloud (comment lines only); "unknown" a snippet that names no cloud on a
    rule for several clouds: it is not shown, rather than show one cloud's code on another's finding."""
    clouds = {_TF_CLOUD[m] for m in _TF_TYPE.findall(text)}
    if len(clouds) == 1:
        return clouds.pop()
    if clouds:
        return "several"
    if rule.providers and len(rule.providers) == 1:
        return rule.providers[0]
    return None if all(line.lstrip().startswith("#") for line in text.splitlines() if line.strip()) else "unknown"


def remediation_for(rule: Rule, provider: str, flavour: str) -> list[tuple[str, str, bool]]:
    """(label, text, is_code) for one cloud and one flavour (live, terraform, cloudformation, arm)."""
    rem = rule.remediation or {}
    out: list[tuple[str, str, bool]] = []
    if rem.get(provider):
        out.append((CLOUD_NAMES.get(provider, provider), rem[provider], False))
    if flavour in ("live", "terraform"):
        tf = rem.get(f"terraform_{provider}")
        if tf is None and rem.get("terraform") and snippet_cloud(rem["terraform"], rule) in (provider, None):
            tf = rem["terraform"]
        if tf:
            out.append(("Terraform", tf, True))
    elif rem.get(flavour):
        out.append((FLAVOUR_NAMES[flavour], rem[flavour], True))
    return out


def _fix_section(tally: Tally, links: dict[str, str | None]) -> str:
    from aiposture import providers

    groups: dict[str, Counter] = defaultdict(Counter)
    for (rid, prov, flavour), n in tally.failing.items():
        groups[rid][(prov, flavour)] += n
    rules = {rid: tally.rules[rid] for rid in groups}
    if not rules:
        return "<section><h2>How to fix</h2><p>No failing findings.</p></section>"
    parts = []
    for rule in sorted(rules.values(), key=lambda x: (-x.severity_rank, x.id)):
        family = rule_family(rule.id)
        blocks = []
        for (prov, flavour), n in sorted(groups[rule.id].items()):
            items = remediation_for(rule, prov, flavour)
            body = "".join(f"<dt>{_e(label)}</dt><dd>{'<pre>' + _e(text) + '</pre>' if code else _e(text)}</dd>"
                           for label, text, code in items) or "<dd class=muted>No specific remediation for this cloud; see the rule documentation.</dd>"
            split = providers.family_split(prov, family[0]) if prov in providers.PROVIDERS else None
            shared = (f"<p class=muted>Shared responsibility ({_e(family[1])}): {_e(CLOUD_NAMES.get(prov, prov))} attests "
                      f"{_e('; '.join(split.provider))}. Yours: {_e('; '.join(split.customer))}.</p>") if split else ""
            blocks.append(f"<h3>{_e(CLOUD_NAMES.get(prov, prov))}, {_e(FLAVOUR_NAMES[flavour])}: {n} failing</h3><dl>{body}</dl>{shared}")
        parts.append(f"<details><summary>{_rule_link(rule.id, links)} {_e(rule.title)} "
                     f"<span class=muted>({sum(groups[rule.id].values())} failing)</span></summary>"
                     f"<p>{_e(rule.rationale)}</p>{''.join(blocks)}</details>")
    return f"<section><h2>How to fix</h2><p class=muted>For each failing rule, the fix for the clouds and IaC flavours it failed on.</p>{''.join(parts)}</section>"


# -- overview -----------------------------------------------------------------------------------------

def _matrix(tally: Tally) -> str:
    cells: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for (rule_id, provider, status), n in tally.counts.items():
        rule = tally.rules.get(rule_id)
        for t in rule.threats if rule else ():
            cells[(t, provider)][status] += n
    threats = sorted({t for t, _ in cells}, key=threat_title)
    rows = []
    for t in threats:
        tds = []
        for p in PROVIDERS:
            c = cells.get((t, p), Counter())
            if not sum(c.values()):
                tds.append('<td class="n muted">–</td>')
                continue
            cls = "hot" if c["fail"] else ("warm" if c["error"] else "ok")
            tds.append(f'<td class="n {cls}" title="fail/error/pass">{c["fail"]} / {c["error"]} / {c["pass"] + c["waived"]}</td>')
        rows.append(f"<tr><td>{_e(threat_title(t))}</td>{''.join(tds)}</tr>")
    head = "".join(f"<th>{p.upper()}</th>" for p in PROVIDERS)
    return (f"<section><h2>Threats by cloud</h2><p class=muted>Each cell: failing / not checked / passing results. Threat "
            f"names: {_e(catalog()['threats_wording'])}.</p><table><thead><tr><th>Threat</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


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


TREND_PALETTE = ("#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0d9488", "#be185d", "#4b5563", "#ca8a04")
CLOUD_COLOR = {"aws": "#ea580c", "azure": "#2563eb", "gcp": "#16a34a"}


def _line_chart(title: str, dates: list[str], series: dict[str, list[int]], colors: dict[str, str]) -> str:
    """One inline SVG line chart (no script, no external resource); every label is escaped."""
    width, height, left, right, top_pad, bottom = 600, 190, 44, 12, 10, 26
    n = len(dates)
    peak = max((v for vals in series.values() for v in vals), default=0) or 1
    span_x = (width - left - right) / max(n - 1, 1)
    span_y = height - top_pad - bottom

    def xy(i: int, v: int) -> tuple[float, float]:
        return round(left + i * span_x, 1), round(top_pad + span_y * (1 - v / peak), 1)

    parts = [f'<line x1="{left}" y1="{top_pad + span_y}" x2="{width - right}" y2="{top_pad + span_y}" stroke="#9ca3af"/>',
             f'<text x="{left - 6}" y="{top_pad + 4}" font-size="11" text-anchor="end">{peak}</text>',
             f'<text x="{left - 6}" y="{top_pad + span_y + 4}" font-size="11" text-anchor="end">0</text>',
             f'<text x="{left}" y="{height - 6}" font-size="11">{_e(dates[0][:16])}</text>',
             f'<text x="{width - right}" y="{height - 6}" font-size="11" text-anchor="end">{_e(dates[-1][:16])}</text>']
    legend = []
    for name, vals in series.items():
        color = colors.get(name, "#4b5563")
        pts = " ".join(f"{x},{y}" for x, y in (xy(i, v) for i, v in enumerate(vals)))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in enumerate(vals):
            x, y = xy(i, v)
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{color}"><title>{_e(name)} · {_e(dates[i][:16])}: '
                         f'{v}</title></circle>')
        legend.append(f'<span class=tl><i style="background:{color}"></i>{_e(name)} ({vals[-1]})</span>')
    return (f'<figure class=trend><figcaption>{_e(title)}</figcaption><svg width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">{"".join(parts)}</svg>'
            f'<div class=tlegend>{"".join(legend)}</div></figure>')


def trend_section(points: list[dict[str, Any]] | None) -> str:
    """Failing findings per severity, framework and cloud over the stored scans of this scope (oldest first).

    Shown when the store holds at least one earlier scan of the same scope."""
    if not points or len(points) < 2:
        return ""
    dates = [str(p.get("started_at", "")).replace("T", " ") for p in points]

    def series(field: str, order: list[str] | None = None) -> dict[str, list[int]]:
        names = order or sorted({k for p in points for k in (p.get(field) or {})})
        return {k: [int((p.get(field) or {}).get(k, 0)) for p in points] for k in names}

    frameworks = series("framework")
    charts = [
        _line_chart("Failing findings per severity", dates, series("severity", list(SEVERITIES)), SEV_COLOR),
        _line_chart("Failing findings per framework", dates, frameworks,
                    {k: TREND_PALETTE[i % len(TREND_PALETTE)] for i, k in enumerate(frameworks)}) if frameworks else "",
        _line_chart("Failing findings per cloud", dates, series("cloud"), CLOUD_COLOR),
    ]
    return (f'<section><h2>Trend</h2><p class=muted>The last {len(points)} stored scans of this scope, oldest first '
            f'(from the scan store).</p>{"".join(charts)}</section>')


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


def identity_text(scan: dict[str, Any]) -> str:
    ids = scan.get("identity") or []
    if not ids:
        return "not recorded"
    return "; ".join(f"{i.get('provider', '')}: {i.get('principal', '')}" + (f" ({i['type']})" if i.get("type") else "")
                     for i in ids if isinstance(i, dict))


# -- findings -----------------------------------------------------------------------------------------

def findings_data(report: Report, links: dict[str, str | None]) -> dict[str, Any]:
    """Compact, columnar findings for the script: rules and resources once; per row a rule index, a resource
    index and (except for passes) the message; rows ordered failing, not checked, waived, passing, with
    ``counts`` giving where each status starts."""
    rule_ix: dict[int, int] = {}
    rules: list[list[Any]] = []
    res_ix: dict[int, int] = {}
    res: list[list[str]] = []
    col_rule: list[int] = []
    col_res: list[int] = []
    col_msg: list[str] = []
    # the engine sorts by severity, rule and resource: a stable partition by status gives failing first
    buckets: dict[str, list[Any]] = {s: [] for s in STATUS_ORDER}
    for r in report.results:
        buckets[r.status].append(r)
    rule_get, res_get, add_rule, add_res, add_msg = rule_ix.get, res_ix.get, col_rule.append, col_res.append, col_msg.append
    for st_name, bucket in buckets.items():
        with_message = st_name != "pass"
        for r in bucket:
            rule = r.rule
            ri = rule_get(id(rule))
            if ri is None:
                ri = rule_ix[id(rule)] = len(rules)
                rules.append([rule.id, rule.title, rule.severity, links.get(rule.id)])
            x = r.resource
            si = res_get(id(x))
            if si is None:
                si = res_ix[id(x)] = len(res)
                src = x.get("source") or {}
                where = f"{src['file']}:{src.get('line') or 1}" if src.get("file") else " ".join(
                    str(v) for v in (x.get("account"), x.get("region")) if v)
                res.append([str(x.get("name") or ""), str(x["id"]), x["provider"], x["kind"], where])
            add_rule(ri)
            add_res(si)
            if with_message:
                add_msg(r.message)
    return {"rules": rules, "res": res, "counts": [len(b) for b in buckets.values()], "rule": col_rule, "resource": col_res,
            "message": col_msg}


def _findings(kinds: list[str], summary: dict[str, Any]) -> str:
    def select(field: str, values) -> str:
        opts = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
        return f'<select data-f="{field}" aria-label="{field}"><option value="">all {field}</option>{opts}</select>'

    filters = (f'<div class="filters"><input id="q" type="search" placeholder="search resource, rule, message" size="40">'
               f'{select("status", ("fail", "error", "waived", "pass"))}{select("severity", SEVERITIES)}'
               f'{select("provider", PROVIDERS)}{select("kind", kinds)}'
               f'<label><input type="checkbox" id="passes"> include {summary["pass"]} passing checks</label></div>')
    pager = ('<div class="pager"><button id="prev" type="button">previous</button><span class=muted>rows <span id="shown">0</span>'
             '</span><button id="next" type="button">next</button></div>')
    return (f'<section><h2>Findings</h2><p class=muted>Failing findings first, then not checked and waived; passing checks '
            f'are hidden unless you include them. 100 rows per page.</p>{filters}'
            f'<noscript><p>The findings table needs JavaScript; the JSON, CSV and SARIF outputs and the evidence pack carry '
            f'the same findings.</p></noscript>'
            f'<table id="findings"><thead><tr><th>Status</th><th>Severity</th><th>Rule</th><th>Cloud</th><th>Resource</th>'
            f'<th>Where</th><th>Finding</th></tr></thead><tbody></tbody></table>{pager}</section>')


# -- compliance ---------------------------------------------------------------------------------------

def _counts_row(label: str, counts: dict[str, int]) -> str:
    return f"<tr><td>{label}</td>" + "".join(f'<td class="n {STATUS_CLASS[s]}">{counts.get(s, 0)}</td>' for s in STATUSES) + "</tr>"


def _status_head(first: str) -> str:
    return f"<tr><th>{first}</th>" + "".join(f"<th>{_e(LABELS[s])}</th>" for s in STATUSES) + "</tr>"


def framework_panel(view: FrameworkView, links: dict[str, str | None], *, accounts_open: bool = False) -> str:
    cat = view.catalogue
    s = view.summary
    cards = "".join(f'<div class="card {c}"><b>{s[k]}</b>{_e(LABELS[k])}</div>'
                    for k, c in (("fail", "fail"), ("not_checked", "error"), ("pass", "pass"), ("not_covered", "none")))
    clouds = "".join(_counts_row(_e(CLOUD_NAMES.get(p, p)), c) for p, c in view.by_cloud.items())
    accts = "".join(_counts_row(f"{_e(CLOUD_NAMES.get(a['provider'], a['provider']))} <code>{_e(a['account'] or '(none)')}</code>", a)
                    for a in view.by_account)
    open_attr = " open" if accounts_open or len(view.by_account) <= 20 else ""
    rows = []
    uncovered = []
    for c in view.controls:
        if c.status == "not_covered":
            uncovered.append(f"<code>{_e(c.id)}</code> {_e(c.title)}")
            continue
        n = c.failing_count()
        listed = "".join(f"<li>{_e(f['name'] or f['resource_id'])} <code class=muted>{_e(f['resource_id'])}</code> "
                         f"<span class=muted>({_e(', '.join(f['rules']))})</span></li>" for f in c.failing_resources(limit=MAX_LISTED))
        more = f"<li class=muted>and {n - MAX_LISTED} more (JSON / CSV / evidence pack)</li>" if n > MAX_LISTED else ""
        res_cell = f"<details><summary>{n} failing</summary><ul>{listed}{more}</ul></details>" if n else ""
        rules = " ".join(_rule_link(r, links) for r in c.rules) or " ".join(_rule_link(r, links) for r in c.other_rules)
        rows.append(f'<tr><td class="st {STATUS_CLASS[c.status]}">{_e(LABELS[c.status].upper())}</td><td><code>{_e(c.id)}</code></td>'
                    f"<td>{_e(c.title)}</td><td>{rules}</td><td>{res_cell}<span class=muted>{_e(c.reason)}</span></td></tr>")
    na = "".join(f"<li>{_rule_link(rid, links)}: {_e(why)}</li>" for rid, why in sorted(view.not_applicable.items()))
    return (f'<h2>{_e(cat.title)} <span class=muted>({_e(cat.version)})</span></h2>'
            f'<div class="cards">{cards}</div><p class=muted>{_e(cat.note)}</p>'
            f"<h3>By cloud</h3><table><thead>{_status_head('Cloud')}</thead><tbody>{clouds}</tbody></table>"
            f"<details{open_attr}><summary><b>By account ({len(view.by_account)})</b></summary><table><thead>"
            f"{_status_head('Account')}</thead><tbody>{accts}</tbody></table></details>"
            f"<h3>Controls covered by rules ({len(rows)})</h3><table><thead><tr><th>Status</th><th>Control</th><th>Title</th>"
            f"<th>Rules</th><th>Failing resources / why</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<details><summary>Not covered by any rule ({len(uncovered)})</summary><p class=muted>A configuration scanner gives "
            f"technical evidence for part of a framework; these controls need other evidence.</p><p>{'<br>'.join(uncovered)}</p></details>"
            + (f"<details><summary>Rules that declare this framework not applicable ({len(view.not_applicable)})</summary>"
               f"<ul>{na}</ul></details>" if na else "")
            + f"<p class=muted>Catalogue sources: {_e('; '.join(cat.sources))}</p>")


def _compliance(views: list[FrameworkView], links: dict[str, str | None]) -> str:
    radios = "".join(f'<input type=radio name=fw class=tabr id="fw-{_e(v.catalogue.slug)}"{" checked" if i == 0 else ""}>'
                     for i, v in enumerate(views))
    labels = "".join(f'<label for="fw-{_e(v.catalogue.slug)}">{_e(v.catalogue.title)}</label>' for v in views)
    panels = "".join(f'<div id="fwp-{_e(v.catalogue.slug)}">{framework_panel(v, links)}</div>' for v in views)
    return f'<section>{radios}<div class="fwtabs">{labels}</div><div class="fwpanels">{panels}</div></section>'


def _fw_css(views: list[FrameworkView]) -> str:
    parts = []
    for v in views:
        s = v.catalogue.slug
        parts.append(f"#fw-{s}:checked~.fwpanels>#fwp-{s}{{display:block}}"
                     f"#fw-{s}:checked~.fwtabs label[for=fw-{s}]{{background:#111827;color:#fff}}")
    return "\n".join(parts)


# -- shared responsibility ------------------------------------------------------------------------------

def shared_section(report: Report, tally: Tally | None = None) -> str:
    from aiposture import providers

    fails = (tally or Tally(report)).failing_by_family()
    seen = sorted({r["provider"] for r in report.inventory.get("resources", [])} & set(providers.PROVIDERS)) or list(providers.PROVIDERS)
    titles = {v["key"]: v["title"] for v in catalog().get("families", {}).values()}
    parts = []
    for p in seen:
        gen = providers.general_split(p)
        rows = []
        for fam in providers.families(p):
            split = providers.family_split(p, fam)
            if split is None:
                continue
            n = fails.get((p, fam), 0)
            rows.append(f"<tr><td>{_e(titles.get(fam, fam))}</td><td>{'<br>'.join(_e(x) for x in split.provider)}</td>"
                        f"<td>{'<br>'.join(_e(x) for x in split.customer)}</td>"
                        f'<td class="n {"hot" if n else "ok"}">{n}</td></tr>')
        parts.append(f"<h3>{_e(providers.title(p))}</h3><p class=muted>Always the provider's: {_e('; '.join(gen.provider))}. "
                     f"Always yours: {_e('; '.join(gen.customer))}.</p><table><thead><tr><th>Control family</th>"
                     f"<th>{_e(CLOUD_NAMES[p])} operates and attests</th><th>You configure (what aiposture checks)</th>"
                     f"<th>Failing</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
                     f"<p class=muted>Sources: {_e('; '.join(providers.sources(p)))}</p>")
    return f"<section><h2>Shared responsibility</h2>{''.join(parts)}</section>"


# -- whole documents -----------------------------------------------------------------------------------

def _page(title: str, header: str, body: str, css: str = CSS, script: str = "") -> str:
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width,initial-scale=1">'
            f'<meta http-equiv=Content-Security-Policy content="{CSP}">'
            f"<title>{_e(title)}</title><style>{css}</style></head><body>{header}<main>{body}</main>{script}</body></html>\n")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Writers allocate hundreds of thousands of small lists and dicts that form no cycles; the cyclic
    collector would rescan the whole report each time (about 20% of a 20,000-resource HTML render)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render(report: Report, views: list[FrameworkView] | None = None, aggregates: dict[str, Any] | None = None) -> str:
    with gc_paused():
        return _render(report, views, aggregates)


def _render(report: Report, views: list[FrameworkView] | None, aggregates: dict[str, Any] | None) -> str:
    from aiposture import compliance

    aggs = aggregates if aggregates is not None else compliance.aggregate(report.results)
    views = views if views is not None else compliance.views(report, aggregates=aggs)
    links = _docs_links(report.available_rules or report.rules)
    tally = Tally(report, aggs)
    s = tally.summary()
    data = findings_data(report, links)
    kinds = sorted({x[3] for x in data["res"]})
    scan = report.inventory.get("scan", {})
    cards = "".join(f'<div class="card {k}"><b>{s[k]}</b>{label}</div>' for k, label in
                    (("fail", "failing"), ("error", "not checked"), ("waived", "waived"), ("pass", "passing")))
    sources = ", ".join(scan.get("sources") or []) or "inventory"
    meta = (f"scan {_e(scan.get('id', ''))} · {_e(scan.get('started_at', ''))} · sources: {_e(sources)} · scanned by: "
            f"{_e(identity_text(scan))} · {len(report.inventory.get('resources', []))} resources · {len(report.rules)} rules · "
            f"aiposture {_e(report.tool_version)}")
    tabs = (("overview", "Overview"), ("findings", f"Findings ({s['fail']} failing)"), ("compliance", "Compliance"),
            ("shared", "Shared responsibility"), ("fix", "How to fix"))
    radios = "".join(f'<input type=radio name=tab class=tabr id="t-{k}"{" checked" if i == 0 else ""}>' for i, (k, _) in enumerate(tabs))
    nav = "".join(f'<label for="t-{k}">{_e(v)}</label>' for k, v in tabs)
    panels = (f'<div id="p-overview"><div class="cards">{cards}</div>{_not_checked(report)}{_matrix(tally)}{_severity_chart(s)}{trend_section(report.trend)}</div>'
              f'<div id="p-findings">{_findings(kinds, s)}</div>'
              f'<div id="p-compliance">{_compliance(views, links)}</div>'
              f'<div id="p-shared">{shared_section(report, tally)}</div>'
              f'<div id="p-fix">{_fix_section(tally, links)}</div>')
    body = f'{radios}<nav class="tabs">{nav}</nav><div class="panels">{panels}</div>'
    script = _json_script(data, "findings-data") + f"<script>{JS}</script>"
    return _page("aiposture report", f"<header><h1>AI security posture</h1><p>{meta}</p></header>", body,
                 CSS.replace("@@FWCSS@@", _fw_css(views)), script)


def _kv_table(rows: list[tuple[str, str]]) -> str:
    return "<table><tbody>" + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</tbody></table>"


def _suppressions_html(report: Report, limit: int = 200) -> str:
    """Every suppression that touched a failing result, applied or not, with its origin and its author's text
    (a pull request's ``aiposture:ignore`` is never silent, in the pack either); the JSON and SARIF carry all."""
    from aiposture.output.suppressions import suppression_lines

    lines = suppression_lines(report.results)
    if not lines:
        return "none"
    shown = "<br>".join(_e(x) for x in lines[1:limit + 1])
    more = f"<br><span class=muted>and {len(lines) - 1 - limit} more (results.json, results.sarif)</span>" if len(lines) - 1 > limit else ""
    return f"{_e(lines[0])}<br>{shown}{more}"


def render_summary(report: Report, views: list[FrameworkView], scope: dict[str, Any], selection: dict[str, Any],
                   aggregates: dict[str, Any] | None = None) -> str:
    """The evidence pack's human-readable summary: static (no script), every section an auditor asks for."""
    links = _docs_links(report.available_rules or report.rules)
    tally = Tally(report, aggregates)
    s = tally.summary()
    scan = scope["scan"]
    ident = scope["identity"]
    ident_html = (_e(ident) if isinstance(ident, str) else "<br>".join(
        _e(f"{i.get('provider', '')}: {i.get('principal', '')}" + (f" ({i['type']})" if i.get("type") else "")
           + (f", account {i['account']}" if i.get("account") else "") + (f", used for {i['scope']}" if i.get("scope") else ""))
        for i in ident if isinstance(i, dict)))
    targets = "<br>".join(_e(" ".join(f"{k}={v}" for k, v in t.items())) for t in scope["targets"][:200]) or "<span class=muted>none recorded</span>"
    if len(scope["targets"]) > 200:
        targets += f"<br><span class=muted>and {len(scope['targets']) - 200} more (scope.json)</span>"
    clouds = "<br>".join(_e(f"{CLOUD_NAMES.get(p, p)}: {len(c['accounts'])} account(s) ({', '.join(c['accounts'][:20])}"
                            f"{'...' if len(c['accounts']) > 20 else ''}), regions {', '.join(c['regions'][:20])}")
                         for p, c in scope["clouds"].items()) or "<span class=muted>none</span>"
    sel = selection.get("selection", {})
    sel_text = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in sel.items() if v) or "the whole built-in pack, no filter"
    run = [
        ("Tool", _e(f"aiposture {report.tool_version}")),
        ("Command line", f"<code>{_e(' '.join(selection.get('command_line') or []))}</code>"),
        ("Scan", _e(f"{scan.get('id', '')} · {scan.get('started_at', '')} to {scan.get('finished_at', '')} · sources "
                    f"{', '.join(scan.get('sources') or [])}")),
        ("Scanning identity", ident_html),
        ("Targets", targets),
        ("Clouds, accounts, regions", clouds),
        ("IaC files", _e(f"{len(scope['iac_files'])} file(s)") + (": " + _e(", ".join(scope["iac_files"][:50])) if scope["iac_files"] else "")),
        ("Resources", _e(f"{scope['resources']} ({', '.join(f'{k} {v}' for k, v in scope['resources_by_kind'].items())})")),
        ("Rule selection", _e(sel_text)),
        ("Rules evaluated", _e(f"{len(selection.get('rules', {}))} (not selected: {', '.join(selection.get('rules_not_selected', [])) or 'none'})")),
        ("Fail threshold", _e(selection.get("fail_on", ""))),
        ("Configuration file", _e(f"{selection.get('config_path')} (sha256 {selection.get('config_sha256')}; copied under config/)")
         if selection.get("config_path") else "none"),
        ("Waivers", _e(f"{len(selection.get('waivers') or [])} (listed in selection.json)")),
        ("Suppressions", _suppressions_html(report)),
        ("Results", _e(f"{s['fail']} failing, {s['error']} not checked, {s['waived']} waived, {s['pass']} passing")),
    ]
    soa_rows = []
    for v in views:
        sm = v.summary
        covered = sm["controls"] - sm["not_covered"]
        soa_rows.append(f"<tr><td>{_e(v.catalogue.title)}</td><td class=n>{sm['controls']}</td><td class=n>{covered}</td>"
                        f"<td class=n>{sm['not_covered']}</td>" + "".join(f'<td class="n {STATUS_CLASS[k]}">{sm[k]}</td>'
                                                                          for k in ("fail", "not_checked", "pass")) + "</tr>")
    soa = ("<table><thead><tr><th>Framework</th><th>Controls</th><th>Covered by rules</th><th>Not covered</th><th>fail</th>"
           f"<th>not checked</th><th>pass</th></tr></thead><tbody>{''.join(soa_rows)}</tbody></table>")
    fw = "".join(f"<section>{framework_panel(v, links, accounts_open=True)}</section>" for v in views)
    body = (f"<section><h2>Scope and run</h2>{_kv_table(run)}</section>{_not_checked(report)}"
            f"<section><h2>Statement of applicability: coverage</h2><p class=muted>Per framework: controls covered by at least one "
            f"rule and this run's verdicts; every control is listed in soa.csv / soa.json. Integrity: manifest.json hashes every "
            f"file; a detached signature (pack.zip.sig) makes it verifiable outside the zip: <code>aiposture evidence verify "
            f"pack.zip --key signer.pub.pem</code>.</p>{soa}</section>{shared_section(report, tally)}{fw}")
    header = f"<header><h1>AI security posture: audit evidence summary</h1><p>{_e(scan.get('id', ''))}</p></header>"
    return _page("aiposture evidence summary", header, body, CSS.replace("@@FWCSS@@", ""))
