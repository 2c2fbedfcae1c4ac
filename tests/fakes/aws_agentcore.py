"""The Bedrock AgentCore, Flows and Prompt management operations moto 5.2.5 lacks, for :class:`tests.fakes.aws.AwsFake`.

moto serves AgentCore runtimes, gateways, gateway targets and memories (requests are forwarded to
it); this mixin serves credential providers, the token vault, custom code interpreters and
browsers, resource policies, and all of Flows and Prompts, in the shapes of botocore's service
models (``bedrock-agentcore-control`` and ``bedrock-agent`` 2023-06-05): ``DateTimestamp``
members as ISO 8601 strings, AgentCore ``Timestamp`` members (identities, token vault) as epoch
seconds. Create* requests are stored and answered back the way the Get* operations shape them;
secrets in requests (``apiKey``, OAuth client secrets) are never stored.

Two members moto drops from GetAgentRuntime are kept here: ``metadataConfiguration`` (not
settable through CreateAgentRuntime; tests set it with :meth:`set_runtime_metadata`) and the
``authorizerConfiguration`` moto already keeps.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any
from urllib.parse import unquote


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch() -> float:
    return float(int(time.time()))


def _missing(what: str) -> Exception:
    from tests.fakes.aws import Reply

    return Reply(404, error="ResourceNotFoundException", message=f"{what} not found")


class AgentCoreFake:
    """Mixed into AwsFake: op_<Operation> handlers over ``state[(account, region)]``."""

    # AwsFake provides page_size, _page(), forward() and runtime_metadata (a dict: runtime id -> metadataConfiguration)

    def set_runtime_metadata(self, runtime_id: str, config: dict[str, Any]) -> None:
        """What GetAgentRuntime returns as ``metadataConfiguration`` for that runtime."""
        self.runtime_metadata[runtime_id] = config

    # ---------------------------------------------------------------- runtimes (moto + metadata)
    def op_GetAgentRuntime(self, st, *, h, body, params, **_):
        from tests.fakes.aws import Reply

        status, payload = self.forward(h, body, "bedrock-agentcore-control", "GetAgentRuntime", capture=True)
        doc = json.loads(payload)
        if status != 200:
            raise Reply(status, error=doc.get("__type", "ResourceNotFoundException"), message=doc.get("message", ""))
        meta = self.runtime_metadata.get(params.get("agentRuntimeId", ""))
        if meta is not None:
            doc["metadataConfiguration"] = meta
        return doc

    # ---------------------------------------------------------------- resource policies
    def op_PutResourcePolicy(self, st, *, params, data, **_):
        st["resource_policies"][unquote(params["resourceArn"])] = data["policy"]
        return {"policy": data["policy"]}

    def op_GetResourcePolicy(self, st, *, params, **_):
        arn = unquote(params["resourceArn"])
        if arn not in st["resource_policies"]:
            raise _missing("resource policy")
        return {"policy": st["resource_policies"][arn]}

    # ---------------------------------------------------------------- identity: credential providers, token vault
    def _provider_arn(self, account: str, region: str, kind: str, name: str) -> str:
        return f"arn:aws:bedrock-agentcore:{region}:{account}:token-vault/default/{kind}/{name}"

    def _secret_arn(self, account: str, region: str, name: str) -> str:
        return f"arn:aws:secretsmanager:{region}:{account}:secret:bedrock-agentcore-identity!default/{name}-AbCdEf"

    def op_CreateApiKeyCredentialProvider(self, st, *, account, region, data, **_):
        name = data["name"]
        rec = {"name": name, "credentialProviderArn": self._provider_arn(account, region, "apikeycredentialprovider", name),
               "apiKeySecretArn": {"secretArn": self._secret_arn(account, region, name)},
               "apiKeySecretSource": data.get("apiKeySecretSource", "MANAGED"),
               "createdTime": _epoch(), "lastUpdatedTime": _epoch()}  # the apiKey itself is not kept
        st["api_key_providers"][name] = rec
        return {k: rec[k] for k in ("apiKeySecretArn", "apiKeySecretSource", "name", "credentialProviderArn")}

    def op_ListApiKeyCredentialProviders(self, st, *, query, data, **_):
        rows = [{k: p[k] for k in ("name", "credentialProviderArn", "createdTime", "lastUpdatedTime")}
                for p in st["api_key_providers"].values()]
        return self._page(rows, query, data, "credentialProviders")

    def op_GetApiKeyCredentialProvider(self, st, *, data, **_):
        p = st["api_key_providers"].get(data.get("name"))
        if p is None:
            raise _missing("credential provider")
        return p

    def op_CreateOauth2CredentialProvider(self, st, *, account, region, data, **_):
        name = data["name"]
        vendor = data["credentialProviderVendor"]
        cfg_in = data.get("oauth2ProviderConfigInput") or {}
        custom = cfg_in.get("customOauth2ProviderConfig") or {}
        out_cfg: dict[str, Any] = {"customOauth2ProviderConfig": {
            "oauthDiscovery": custom.get("oauthDiscovery") or {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration"},
            "clientId": custom.get("clientId", "client")}}  # clientSecret is write-only
        rec = {"name": name, "credentialProviderVendor": vendor,
               "credentialProviderArn": self._provider_arn(account, region, "oauth2credentialprovider", name),
               "clientSecretArn": {"secretArn": self._secret_arn(account, region, name)}, "clientSecretSource": "MANAGED",
               "callbackUrl": f"https://bedrock-agentcore.{region}.amazonaws.com/identities/oauth2/callback",
               "oauth2ProviderConfigOutput": out_cfg, "status": "READY", "createdTime": _epoch(), "lastUpdatedTime": _epoch()}
        st["oauth2_providers"][name] = rec
        return {k: rec[k] for k in ("clientSecretArn", "clientSecretSource", "name", "credentialProviderArn", "callbackUrl",
                                    "oauth2ProviderConfigOutput", "status")}

    def op_ListOauth2CredentialProviders(self, st, *, query, data, **_):
        rows = [{k: p[k] for k in ("name", "credentialProviderVendor", "credentialProviderArn", "createdTime", "lastUpdatedTime")}
                for p in st["oauth2_providers"].values()]
        return self._page(rows, query, data, "credentialProviders")

    def op_GetOauth2CredentialProvider(self, st, *, data, **_):
        p = st["oauth2_providers"].get(data.get("name"))
        if p is None:
            raise _missing("credential provider")
        return p

    def op_SetTokenVaultCMK(self, st, *, data, **_):
        vid = data.get("tokenVaultId") or "default"
        st["token_vaults"][vid] = {"tokenVaultId": vid, "kmsConfiguration": data["kmsConfiguration"],
                                   "lastModifiedDate": _epoch()}
        return st["token_vaults"][vid]

    def op_GetTokenVault(self, st, *, data, **_):
        vid = data.get("tokenVaultId") or "default"
        if vid not in st["token_vaults"]:  # the account's default vault: service-managed key until set
            if vid != "default" or not (st["api_key_providers"] or st["oauth2_providers"]):
                raise _missing("token vault")
            return {"tokenVaultId": vid, "kmsConfiguration": {"keyType": "ServiceManagedKey"}, "lastModifiedDate": _epoch()}
        return st["token_vaults"][vid]

    # ---------------------------------------------------------------- code interpreters, browsers
    def _create_tool(self, st, key: str, prefix: str, arn_kind: str, account: str, region: str, data: dict[str, Any]):
        tid = f"{data['name']}-{uuid.uuid4().hex[:10]}"
        arn = f"arn:aws:bedrock-agentcore:{region}:{account}:{arn_kind}/{tid}"
        rec = {k: v for k, v in data.items() if k not in ("clientToken", "tags")}
        rec.update({f"{prefix}Id": tid, f"{prefix}Arn": arn, "status": "READY", "createdAt": _now(), "lastUpdatedAt": _now()})
        st[key][tid] = rec
        return {f"{prefix}Id": tid, f"{prefix}Arn": arn, "createdAt": rec["createdAt"], "status": "READY"}

    def _list_tools(self, st, key: str, prefix: str, out_key: str, query, data):
        if (query.get("type") or data.get("type")) == "SYSTEM":
            rows: list[dict[str, Any]] = []
        else:
            rows = [{f"{prefix}Id": t[f"{prefix}Id"], f"{prefix}Arn": t[f"{prefix}Arn"], "name": t["name"],
                     "status": t["status"], "createdAt": t["createdAt"], "lastUpdatedAt": t["lastUpdatedAt"]}
                    for t in st[key].values()]
        return self._page(rows, query, data, out_key)

    def op_CreateCodeInterpreter(self, st, *, account, region, data, **_):
        return self._create_tool(st, "code_interpreters", "codeInterpreter", "code-interpreter-custom", account, region, data)

    def op_ListCodeInterpreters(self, st, *, query, data, **_):
        return self._list_tools(st, "code_interpreters", "codeInterpreter", "codeInterpreterSummaries", query, data)

    def op_GetCodeInterpreter(self, st, *, params, **_):
        t = st["code_interpreters"].get(params["codeInterpreterId"])
        if t is None:
            raise _missing("code interpreter")
        return t

    def op_CreateBrowser(self, st, *, account, region, data, **_):
        return self._create_tool(st, "browsers", "browser", "browser-custom", account, region, data)

    def op_ListBrowsers(self, st, *, query, data, **_):
        return self._list_tools(st, "browsers", "browser", "browserSummaries", query, data)

    def op_GetBrowser(self, st, *, params, **_):
        t = st["browsers"].get(params["browserId"])
        if t is None:
            raise _missing("browser")
        return t

    # ---------------------------------------------------------------- Bedrock Flows
    def op_CreateFlow(self, st, *, account, region, data, **_):
        fid = uuid.uuid4().hex[:10].upper()
        rec = {k: v for k, v in data.items() if k not in ("clientToken", "tags")}
        rec.update(id=fid, arn=f"arn:aws:bedrock:{region}:{account}:flow/{fid}", status="NotPrepared", version="DRAFT",
                   createdAt=_now(), updatedAt=_now())
        st["flows"][fid] = {"DRAFT": rec}
        return rec

    def _flow(self, st, ident: str) -> dict[str, Any]:
        f = st["flows"].get(ident.rsplit("/", 1)[-1])
        if f is None:
            raise _missing("flow")
        return f

    def op_ListFlows(self, st, *, query, data, **_):
        rows = [{k: f["DRAFT"][k] for k in ("name", "id", "arn", "status", "createdAt", "updatedAt", "version")}
                for f in st["flows"].values()]
        return self._page(rows, query, data, "flowSummaries")

    def op_GetFlow(self, st, *, params, **_):
        return self._flow(st, params["flowIdentifier"])["DRAFT"]

    def op_CreateFlowVersion(self, st, *, params, **_):
        f = self._flow(st, params["flowIdentifier"])
        ver = str(len(f))
        f[ver] = {**json.loads(json.dumps(f["DRAFT"])), "version": ver, "status": "Prepared", "createdAt": _now()}
        f[ver].pop("updatedAt", None)
        return {k: v for k, v in f[ver].items()}

    def op_GetFlowVersion(self, st, *, params, **_):
        f = self._flow(st, params["flowIdentifier"])
        v = f.get(params["flowVersion"])
        if v is None or params["flowVersion"] == "DRAFT":
            raise _missing("flow version")
        return v

    def op_CreateFlowAlias(self, st, *, account, region, params, data, **_):
        f = self._flow(st, params["flowIdentifier"])
        fid = f["DRAFT"]["id"]
        aid = uuid.uuid4().hex[:10].upper()
        rec = {"name": data["name"], "routingConfiguration": data["routingConfiguration"], "flowId": fid, "id": aid,
               "arn": f"arn:aws:bedrock:{region}:{account}:flow/{fid}/alias/{aid}", "createdAt": _now(), "updatedAt": _now()}
        st["flow_aliases"].setdefault(fid, {})[aid] = rec
        return rec

    def op_ListFlowAliases(self, st, *, params, query, data, **_):
        fid = self._flow(st, params["flowIdentifier"])["DRAFT"]["id"]
        return self._page(list(st["flow_aliases"].get(fid, {}).values()), query, data, "flowAliasSummaries")

    # ---------------------------------------------------------------- Prompt management
    def op_CreatePrompt(self, st, *, account, region, data, **_):
        pid = uuid.uuid4().hex[:10].upper()
        rec = {k: v for k, v in data.items() if k not in ("clientToken", "tags")}
        rec.update(id=pid, arn=f"arn:aws:bedrock:{region}:{account}:prompt/{pid}", version="DRAFT", createdAt=_now(),
                   updatedAt=_now())
        st["prompts"][pid] = rec
        return rec

    def op_ListPrompts(self, st, *, query, data, **_):
        rows = [{k: p[k] for k in ("name", "id", "arn", "version", "createdAt", "updatedAt")} for p in st["prompts"].values()]
        return self._page(rows, query, data, "promptSummaries")

    def op_GetPrompt(self, st, *, params, **_):
        p = st["prompts"].get(params["promptIdentifier"].rsplit("/", 1)[-1].split(":", 1)[0])
        if p is None:
            raise _missing("prompt")
        return p
