"""A local AWS endpoint for tests: moto's server, plus the Bedrock/IAM operations moto lacks.

boto3 is pointed at this server with ``AWS_ENDPOINT_URL`` (the same switch users
have for VPC endpoints). Requests for operations moto implements are forwarded
to ``moto.server.ThreadedMotoServer`` unchanged; the gaps listed in
``../shared/CLOUD-API-NOTES.md`` (guardrails, enforced guardrails, data
retention, provisioned throughput, inference profiles, data sources, agent
action groups, the guardrail of an agent, IAM service-specific credentials)
are served here in botocore's wire format. Operation names come from
botocore's own service models, so routing follows the real API.

Fault injection for tests: AccessDenied per account, throttling N times per
operation, an AWS error answer per operation (``fail``), a response rewritten
before it is sent (``mutate``: wrong types, nulls, garbage or truncated bodies
applied to what moto or this fake would answer), regions whose endpoint closes
the connection or never answers (``dead_regions``), added latency. Calls made
by aiposture (User-Agent contains "aiposture") are logged as (account, region,
service, operation) in ``requests`` and as (account, service, operation) in
``calls``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import threading
import time
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.fakes.base import FakeServer

DEFAULT_ACCOUNT = "123456789012"
_AUTH = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/")


def _routes(service: str) -> list[tuple[str, re.Pattern, str]]:
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    out = []
    for name in model.operation_names:
        http_ = model.operation_model(name).http
        uri = http_["requestUri"].split("?")[0]
        pattern = re.sub(r"\\\{([A-Za-z0-9_]+)\\\+\\\}", r"(?P<\1>.+)", re.escape(uri))
        pattern = re.sub(r"\\\{([A-Za-z0-9_]+)\\\}", r"(?P<\1>[^/]+)", pattern)
        out.append((http_["method"], re.compile("^" + pattern + "$"), name))
    # most specific first: longer literal templates win
    return sorted(out, key=lambda r: -len(r[1].pattern))


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _strip_config(v: Any) -> Any:
    """Create* request shape -> Get* response shape (contentPolicyConfig.filtersConfig -> contentPolicy.filters)."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "kmsKeyId":
                out["kmsKeyArn"] = x
                continue
            out[k[:-6] if k.endswith("Config") and len(k) > 6 else k] = _strip_config(x)
        return out
    if isinstance(v, list):
        return [_strip_config(x) for x in v]
    return v


class Reply(Exception):
    def __init__(self, status: int, body: Any = None, *, error: str | None = None, message: str = ""):
        self.status, self.body, self.error, self.message = status, body, error, message


class AwsFake(FakeServer):
    """Front server: gap operations answered here, everything else proxied to moto."""

    def __init__(self, moto_port: int, *, page_size: int = 2, passthrough: bool = False):
        super().__init__()
        self.passthrough = passthrough  # forward everything to moto (plain moto behind a call log)
        self.moto_port = moto_port
        self.page_size = page_size
        self.keys: dict[str, str] = {}  # access key id -> account (learned from AssumeRole responses)
        self.denied: dict[str, set[str]] = defaultdict(set)  # account -> operations ("*" = all but STS)
        self.throttles: dict[str, int] = {}
        self.failures: dict[str, tuple[int, str, int]] = {}  # op -> (status, AWS error code, times left)
        # op -> f(status, content type, body) -> (status, content type, body), applied to the answer
        self.mutators: dict[str, Any] = {}
        self.dead_regions: dict[str, str] = {}  # region -> "close" (no answer) | "hang" (silent, then close)
        self.hang_seconds = 3.0
        self.calls: list[tuple[str, str, str]] = []
        self.requests: list[tuple[str, str, str, str]] = []
        self.state: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: defaultdict(dict))
        self.iam_creds: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.routes = {"bedrock": _routes("bedrock"), "bedrock-agent": _routes("bedrock-agent")}

    @classmethod
    def serve_in_child(cls, queue, page_size: int = 50) -> None:
        """Entry point for a child process: moto + this fake, ports reported on ``queue`` (keeps the GIL free)."""
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        srv.start()
        fake = cls(srv._server.server_port, page_size=page_size).start()
        queue.put(fake.url)
        threading.Event().wait()

    # ---------------------------------------------------------------- test controls
    def deny(self, account: str, *ops: str) -> None:
        self.denied[account].update(ops or {"*"})

    def throttle(self, op: str, times: int) -> None:
        self.throttles[op] = times

    def fail(self, op: str, status: int = 500, error: str = "InternalServerException", times: int = 1_000_000) -> None:
        """Answer ``op`` with an AWS error document (JSON with x-amzn-ErrorType, or XML for query services)."""
        self.failures[op] = (status, error, times)

    def mutate(self, op: str, fn) -> None:
        """Rewrite the answer to ``op``: ``fn(status, content_type, body) -> (status, content_type, body)``."""
        self.mutators[op] = fn

    def backdate_api_keys(self, account: str, days: int) -> None:
        when = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for c in self.iam_creds[account]:
            c["CreateDate"] = when

    def collector_ops(self) -> set[tuple[str, str]]:
        return {(svc, op) for _, svc, op in self.calls}

    # ---------------------------------------------------------------- request handling
    def identify(self, h: BaseHTTPRequestHandler, body: bytes) -> tuple[str, str, str, str]:
        """(account, region, service, operation) of a request."""
        m = _AUTH.search(h.headers.get("Authorization", ""))
        akid, region, signing = (m.group(1), m.group(2), m.group(3)) if m else ("", "us-east-1", "")
        account = self.keys.get(akid, DEFAULT_ACCOUNT)
        parts = urlsplit(h.path)
        target = h.headers.get("X-Amz-Target")
        if target:
            return account, region, signing, target.rsplit(".", 1)[-1]
        if signing in ("iam", "sts", "ec2"):
            form = parse_qs(body.decode() if body else "") or parse_qs(parts.query)
            return account, region, signing, (form.get("Action") or ["?"])[0]
        if signing == "s3":
            q = parse_qs(parts.query, keep_blank_values=True)
            op = {"versioning": "GetBucketVersioning", "object-lock": "GetObjectLockConfiguration",
                  "publicAccessBlock": "GetPublicAccessBlock"}.get(next(iter(q), ""), f"{h.command} s3")
            if h.command != "GET" and op != f"{h.command} s3":
                op = op.replace("Get", "Put", 1)
            return account, region, "s3", op
        if signing == "bedrock":
            for svc in ("bedrock-agent", "bedrock"):
                for method, rx, name in self.routes[svc]:
                    if method == h.command and rx.match(parts.path):
                        return account, region, svc, name
        return account, region, signing, f"{h.command} {parts.path}"

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        if h.path.startswith("/__fake/latency/"):  # control from another process (benchmarks)
            self.latency = int(h.path.rsplit("/", 1)[-1]) / 1000
            return self._send(h, 200, b"{}", "application/json")
        account, region, service, op = self.identify(h, body)
        if self.latency:
            time.sleep(self.latency)
        if "aiposture" in h.headers.get("User-Agent", ""):
            with self.lock:
                self.calls.append((account, service, op))
                self.requests.append((account, region, service, op))
        if region in self.dead_regions:  # the endpoint accepts the connection and never answers
            if self.dead_regions[region] == "hang":
                time.sleep(self.hang_seconds)
            h.close_connection = True
            return None
        h._aws_op = op  # type: ignore[attr-defined]  # for the mutators, applied where the answer is written
        try:
            with self.lock:
                status, error, left = self.failures.get(op, (0, "", 0))
                if left > 0:
                    self.failures[op] = (status, error, left - 1)
            if left > 0:
                raise Reply(status, error=error, message=f"injected failure of {op}")
            if service != "sts" and ("*" in self.denied.get(account, ()) or op in self.denied.get(account, ())):
                raise Reply(403, error="AccessDeniedException" if service.startswith("bedrock") else "AccessDenied",
                            message=f"User: arn:aws:sts::{account}:assumed-role/aiposture is not authorized to perform: {op}")
            with self.lock:
                if self.throttles.get(op, 0) > 0:
                    self.throttles[op] -= 1
                    raise Reply(429 if service.startswith("bedrock") else 400, error="ThrottlingException"
                                if service.startswith("bedrock") else "Throttling", message="Rate exceeded")
            handler = None if self.passthrough else getattr(self, f"op_{op}", None)
            if handler is None and op in ("CreateAgent", "GetAgent") and not self.passthrough:
                handler = getattr(self, f"agent_{op}")
            if handler is None:
                return self.forward(h, body, service, op)
            query = {k: v[0] for k, v in parse_qs(urlsplit(h.path).query).items()}
            data = json.loads(body) if body and service.startswith("bedrock") else {}
            if service == "iam":
                data = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            params = {}
            for _method, rx, name in self.routes.get(service, []):
                if name == op:
                    mm = rx.match(urlsplit(h.path).path)
                    params = mm.groupdict() if mm else {}
            result = handler(self.state[(account, region)], account=account, region=region, data=data, query=query,
                             params=params, h=h, body=body)
            if isinstance(result, tuple):  # (status, xml) for query-protocol services
                self._send(h, result[0], result[1].encode(), "text/xml")
            else:
                self._send(h, 200, json.dumps(result or {}).encode(), "application/json")
        except Reply as r:
            self._error(h, service, r)

    def _send(self, h, status: int, payload: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        mutator = self.mutators.get(getattr(h, "_aws_op", ""))
        if mutator is not None:
            status, ctype, payload = mutator(status, ctype, payload)
        self.send_json(h, status, payload, {"x-amzn-RequestId": str(uuid.uuid4()), **(extra or {})}, ctype)

    def _error(self, h, service: str, r: Reply) -> None:
        if service in ("iam", "sts", "ec2"):
            xml = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{r.error}</Code><Message>{escape(r.message)}</Message>"
                   f"</Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")
            return self._send(h, r.status, xml.encode(), "text/xml")
        if service == "s3":
            xml = f"<Error><Code>{r.error}</Code><Message>{escape(r.message)}</Message></Error>"
            return self._send(h, r.status, xml.encode(), "application/xml")
        payload = json.dumps({"__type": r.error, "message": r.message}).encode()
        self._send(h, r.status, payload, "application/json", {"x-amzn-ErrorType": r.error})
        return None

    def forward(self, h, body: bytes, service: str, op: str, *, capture: bool = False):
        conn = http.client.HTTPConnection("127.0.0.1", self.moto_port, timeout=30)
        headers = {k: v for k, v in h.headers.items() if k.lower() != "connection"}
        conn.request(h.command, h.path, body=body, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        if service == "sts" and op == "AssumeRole" and resp.status == 200:
            key = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", payload)
            role = parse_qs(body.decode()).get("RoleArn", [""])[0]
            if key and role.count(":") >= 4:
                self.keys[key.group(1).decode()] = role.split(":")[4]
        conn.close()
        if capture:
            return resp.status, payload
        status, headers = resp.status, resp.getheaders()
        mutator = self.mutators.get(getattr(h, "_aws_op", ""))
        if mutator is not None:
            ctype = next((v for k, v in headers if k.lower() == "content-type"), "")
            status, ctype, payload = mutator(status, ctype, payload)
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"] + [("Content-Type", ctype)]
        h.send_response(status)
        for k, v in headers:
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)
        return None

    def _page(self, items: list[Any], query: dict[str, str], data: dict[str, Any], key: str, token: str = "nextToken"):
        start = int(query.get(token) or data.get(token) or 0)
        size = min(int(query.get("maxResults") or data.get("maxResults") or self.page_size), self.page_size)
        out: dict[str, Any] = {key: items[start:start + size]}
        if start + size < len(items):
            out[token] = str(start + size)
        return out

    # ---------------------------------------------------------------- bedrock: guardrails
    def op_CreateGuardrail(self, st, *, account, region, data, **_):
        gid = uuid.uuid4().hex[:12]
        arn = f"arn:aws:bedrock:{region}:{account}:guardrail/{gid}"
        cfg = _strip_config({k: v for k, v in data.items() if k not in ("clientRequestToken", "tags")})
        cfg.update(guardrailId=gid, guardrailArn=arn, version="DRAFT", status="READY", createdAt=_now(), updatedAt=_now())
        st["guardrails"][gid] = {"DRAFT": cfg}
        return {"guardrailId": gid, "guardrailArn": arn, "version": "DRAFT", "createdAt": _now()}

    def op_CreateGuardrailVersion(self, st, *, params, **_):
        g = st["guardrails"].get(params["guardrailIdentifier"].rsplit("/", 1)[-1])
        if g is None:
            raise Reply(404, error="ResourceNotFoundException", message="guardrail not found")
        ver = str(len(g))
        g[ver] = {**g["DRAFT"], "version": ver}
        return {"guardrailId": g["DRAFT"]["guardrailId"], "version": ver}

    def op_ListGuardrails(self, st, *, query, data, **_):
        ident = query.get("guardrailIdentifier")
        rows = []
        for gid, versions in st["guardrails"].items():
            if ident and ident.rsplit("/", 1)[-1] != gid:
                continue
            for ver, cfg in versions.items():
                if not ident and ver != "DRAFT":
                    continue
                rows.append({"id": gid, "arn": cfg["guardrailArn"], "status": "READY", "name": cfg.get("name", gid),
                             "version": ver, "createdAt": cfg["createdAt"], "updatedAt": cfg["updatedAt"]})
        return self._page(rows, query, data, "guardrails")

    def op_GetGuardrail(self, st, *, params, query, **_):
        g = st["guardrails"].get(params["guardrailIdentifier"].rsplit("/", 1)[-1])
        ver = query.get("guardrailVersion", "DRAFT")
        if g is None or ver not in g:
            raise Reply(404, error="ResourceNotFoundException", message="guardrail not found")
        return g[ver]

    def op_PutEnforcedGuardrailConfiguration(self, st, *, account, region, data, **_):
        cfg = data.get("guardrailInferenceConfig", {})
        gid = cfg.get("guardrailIdentifier", "").rsplit("/", 1)[-1]
        cid = data.get("configId") or uuid.uuid4().hex[:8]
        st["enforced"][cid] = {"configId": cid, "guardrailId": gid, "guardrailVersion": cfg.get("guardrailVersion"),
                               "guardrailArn": f"arn:aws:bedrock:{region}:{account}:guardrail/{gid}", "owner": "ACCOUNT",
                               "modelEnforcement": cfg.get("modelEnforcement", {}), "createdAt": _now(), "updatedAt": _now()}
        return {"configId": cid, "updatedAt": _now()}

    def op_ListEnforcedGuardrailsConfiguration(self, st, *, query, data, **_):
        return self._page(list(st["enforced"].values()), query, data, "guardrailsConfig")

    def op_GetAccountDataRetention(self, st, **_):
        return {"mode": st["settings"].get("retention", "default"), "updatedAt": _now()}

    def op_PutAccountDataRetention(self, st, *, data, **_):
        st["settings"]["retention"] = data.get("mode")
        return {}

    # ---------------------------------------------------------------- bedrock: throughput, profiles
    def op_CreateProvisionedModelThroughput(self, st, *, account, region, data, **_):
        name = data["provisionedModelName"]
        arn = f"arn:aws:bedrock:{region}:{account}:provisioned-model/{uuid.uuid4().hex[:12]}"
        model = data["modelId"] if data["modelId"].startswith("arn:") else f"arn:aws:bedrock:{region}::foundation-model/{data['modelId']}"
        st["throughput"][arn] = {"provisionedModelName": name, "provisionedModelArn": arn, "modelArn": model,
                                 "desiredModelArn": model, "foundationModelArn": model, "modelUnits": data["modelUnits"],
                                 "desiredModelUnits": data["modelUnits"], "status": "InService",
                                 "creationTime": _now(), "lastModifiedTime": _now()}
        return {"provisionedModelArn": arn}

    def op_ListProvisionedModelThroughputs(self, st, *, query, data, **_):
        return self._page(list(st["throughput"].values()), query, data, "provisionedModelSummaries")

    def op_CreateInferenceProfile(self, st, *, account, region, data, **_):
        pid = uuid.uuid4().hex[:12]
        arn = f"arn:aws:bedrock:{region}:{account}:application-inference-profile/{pid}"
        st["profiles"][arn] = {"inferenceProfileName": data["inferenceProfileName"], "inferenceProfileArn": arn,
                               "inferenceProfileId": pid, "models": [{"modelArn": data["modelSource"]["copyFrom"]}],
                               "status": "ACTIVE", "type": "APPLICATION", "createdAt": _now(), "updatedAt": _now()}
        return {"inferenceProfileArn": arn, "status": "ACTIVE"}

    def op_ListInferenceProfiles(self, st, *, query, data, **_):
        rows = [p for p in st["profiles"].values() if query.get("type") in (None, p["type"])]
        return self._page(rows, query, data, "inferenceProfileSummaries")

    # ---------------------------------------------------------------- bedrock-agent
    def agent_CreateAgent(self, st, *, h, body, data, **_):
        status, payload = self.forward(h, body, "bedrock-agent", "CreateAgent", capture=True)
        doc = json.loads(payload)
        if status == 200 and data.get("guardrailConfiguration"):  # moto drops it
            st["agent_guardrail"][doc["agent"]["agentId"]] = data["guardrailConfiguration"]
            doc["agent"]["guardrailConfiguration"] = data["guardrailConfiguration"]
        if status != 200:
            raise Reply(status, error=doc.get("__type", "ValidationException"), message=doc.get("message", ""))
        return doc

    def agent_GetAgent(self, st, *, h, body, params, **_):
        status, payload = self.forward(h, body, "bedrock-agent", "GetAgent", capture=True)
        doc = json.loads(payload)
        if status != 200:
            raise Reply(status, error=doc.get("__type", "ResourceNotFoundException"), message=doc.get("message", ""))
        g = st["agent_guardrail"].get(params.get("agentId", ""))
        if g:
            doc["agent"]["guardrailConfiguration"] = g
        if params.get("agentId", "") in st["agent_ttl"]:
            doc["agent"]["idleSessionTTLInSeconds"] = st["agent_ttl"][params["agentId"]]
        return doc

    def op_CreateAgentActionGroup(self, st, *, params, data, **_):
        gid = uuid.uuid4().hex[:10].upper()
        group = {**data, "agentId": params["agentId"], "agentVersion": params["agentVersion"], "actionGroupId": gid,
                 "actionGroupState": data.get("actionGroupState", "ENABLED"), "createdAt": _now(), "updatedAt": _now()}
        group.pop("clientToken", None)
        if "parentActionGroupSignature" in group:  # the response names it differently
            group["parentActionSignature"] = group.pop("parentActionGroupSignature")
        st["action_groups"].setdefault(params["agentId"], {})[gid] = group
        return {"agentActionGroup": group}

    @staticmethod
    def _groups(st, params) -> dict[str, Any]:
        if params.get("agentVersion", "DRAFT") == "DRAFT":
            return st["action_groups"].get(params["agentId"], {})
        return st["versions"].get(params["agentId"], {}).get(params["agentVersion"], {}).get("action_groups", {})

    def op_ListAgentActionGroups(self, st, *, params, query, data, **_):
        rows = [{"actionGroupId": g["actionGroupId"], "actionGroupName": g.get("actionGroupName", ""),
                 "actionGroupState": g["actionGroupState"], "updatedAt": g["updatedAt"]}
                for g in self._groups(st, params).values()]
        return self._page(rows, query, data, "actionGroupSummaries")

    def op_UpdateAgent(self, st, *, h, body, params, data, **_):
        """moto has no UpdateAgent: keep the changes this fake tracks (guardrail, session TTL) for the DRAFT."""
        aid = params["agentId"]
        if "guardrailConfiguration" in data:
            st["agent_guardrail"][aid] = data["guardrailConfiguration"]
        if "idleSessionTTLInSeconds" in data:
            st["agent_ttl"][aid] = data["idleSessionTTLInSeconds"]
        return {"agent": self._draft(st, h, aid)}

    def _draft(self, st, h, agent_id: str) -> dict[str, Any]:
        """The DRAFT agent as GetAgent returns it (moto's record plus what this fake tracks)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.moto_port, timeout=30)
        conn.request("GET", f"/agents/{agent_id}/", headers={k: v for k, v in h.headers.items()
                                                             if k.lower() in ("authorization", "x-amz-date", "host")})
        resp = conn.getresponse()
        doc = json.loads(resp.read())
        conn.close()
        if resp.status != 200:
            raise Reply(resp.status, error=doc.get("__type", "ResourceNotFoundException"), message=doc.get("message", ""))
        agent = doc["agent"]
        if st["agent_guardrail"].get(agent_id):
            agent["guardrailConfiguration"] = st["agent_guardrail"][agent_id]
        if agent_id in st["agent_ttl"]:
            agent["idleSessionTTLInSeconds"] = st["agent_ttl"][agent_id]
        return agent

    def op_CreateAgentAlias(self, st, *, account, region, h, params, data, **_):
        """Like the service: an alias without a routing configuration snapshots the DRAFT as a new version."""
        aid = params["agentId"]
        versions = st["versions"].setdefault(aid, {})
        routing = data.get("routingConfiguration")
        if not routing:
            ver = str(len(versions) + 1)
            snap = {**self._draft(st, h, aid), "version": ver}
            groups = {gid: {**g, "agentVersion": ver} for gid, g in st["action_groups"].get(aid, {}).items()}
            versions[ver] = {"agent": snap, "action_groups": groups}
            routing = [{"agentVersion": ver}]
        alias_id = uuid.uuid4().hex[:10].upper()
        alias = {"agentId": aid, "agentAliasId": alias_id, "agentAliasName": data["agentAliasName"],
                 "agentAliasArn": f"arn:aws:bedrock:{region}:{account}:agent-alias/{aid}/{alias_id}",
                 "routingConfiguration": routing, "agentAliasStatus": "PREPARED", "createdAt": _now(), "updatedAt": _now()}
        st["aliases"].setdefault(aid, {})[alias_id] = alias
        return {"agentAlias": alias}

    def op_ListAgentAliases(self, st, *, region, account, params, query, data, **_):
        aid = params["agentId"]
        test = {"agentAliasId": "TSTALIASID", "agentAliasName": "AgentTestAlias", "routingConfiguration": [{"agentVersion": "DRAFT"}],
                "agentAliasStatus": "PREPARED", "createdAt": _now(), "updatedAt": _now()}
        rows = [test] + [{k: v for k, v in a.items() if k not in ("agentId", "agentAliasArn")}
                         for a in st["aliases"].get(aid, {}).values()]
        return self._page(rows, query, data, "agentAliasSummaries")

    def op_GetAgentVersion(self, st, *, params, **_):
        v = st["versions"].get(params["agentId"], {}).get(params["agentVersion"])
        if v is None:
            raise Reply(404, error="ResourceNotFoundException", message="agent version not found")
        return {"agentVersion": v["agent"]}

    def op_GetAgentActionGroup(self, st, *, params, **_):
        g = self._groups(st, params).get(params["actionGroupId"])
        if g is None:
            raise Reply(404, error="ResourceNotFoundException", message="action group not found")
        return {"agentActionGroup": g}

    def op_CreateDataSource(self, st, *, params, data, **_):
        did = uuid.uuid4().hex[:10].upper()
        ds = {**data, "knowledgeBaseId": params["knowledgeBaseId"], "dataSourceId": did, "status": "AVAILABLE",
              "createdAt": _now(), "updatedAt": _now()}
        ds.pop("clientToken", None)
        st["data_sources"].setdefault(params["knowledgeBaseId"], {})[did] = ds
        return {"dataSource": ds}

    def op_ListDataSources(self, st, *, params, query, data, **_):
        rows = [{"knowledgeBaseId": d["knowledgeBaseId"], "dataSourceId": d["dataSourceId"], "name": d["name"],
                 "status": d["status"], "updatedAt": d["updatedAt"]}
                for d in st["data_sources"].get(params["knowledgeBaseId"], {}).values()]
        return self._page(rows, query, data, "dataSourceSummaries")

    def op_GetDataSource(self, st, *, params, **_):
        d = st["data_sources"].get(params["knowledgeBaseId"], {}).get(params["dataSourceId"])
        if d is None:
            raise Reply(404, error="ResourceNotFoundException", message="data source not found")
        return {"dataSource": d}

    # ---------------------------------------------------------------- IAM service-specific credentials (query/XML)
    def op_CreateServiceSpecificCredential(self, st, *, account, data, **_):
        cid = "ACCA" + uuid.uuid4().hex[:16].upper()
        cred = {"UserName": data["UserName"], "ServiceName": data["ServiceName"], "Status": "Active",
                "ServiceSpecificCredentialId": cid, "ServiceUserName": f"{data['UserName']}-at-{account}",
                "CreateDate": _now()}
        if data.get("CredentialAgeDays"):
            exp = dt.datetime.now(dt.UTC) + dt.timedelta(days=int(data["CredentialAgeDays"]))
            cred["ExpirationDate"] = exp.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.iam_creds[account].append(cred)
        members = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in cred.items())
        return 200, (f'<CreateServiceSpecificCredentialResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                     f"<CreateServiceSpecificCredentialResult><ServiceSpecificCredential>{members}"
                     f"<ServicePassword>fake-secret</ServicePassword></ServiceSpecificCredential>"
                     f"</CreateServiceSpecificCredentialResult></CreateServiceSpecificCredentialResponse>")

    def op_ListServiceSpecificCredentials(self, st, *, account, data, **_):
        rows = [c for c in self.iam_creds[account]
                if (data.get("AllUsers") == "true" or c["UserName"] == data.get("UserName"))
                and c["ServiceName"] == data.get("ServiceName", c["ServiceName"])]
        start = int(data.get("Marker") or 0)
        page = rows[start:start + self.page_size]
        more = start + self.page_size < len(rows)
        members = "".join("<member>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in c.items()) + "</member>" for c in page)
        marker = f"<Marker>{start + self.page_size}</Marker>" if more else ""
        return 200, (f'<ListServiceSpecificCredentialsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                     f"<ListServiceSpecificCredentialsResult><ServiceSpecificCredentials>{members}</ServiceSpecificCredentials>"
                     f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>{marker}</ListServiceSpecificCredentialsResult>"
                     f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                     f"</ListServiceSpecificCredentialsResponse>")
