"""Azure test scenarios, in the REST shapes ARM documents.

Account, deployment, RAI policy and Defender bodies are the installed SDK's own
models serialised to REST JSON, then given what real answers carry and the SDK
models cannot express (``systemData``, ``etag``, fields newer than the SDK).
Shapes follow the examples of Azure/azure-rest-api-specs
(specification/cognitiveservices/.../stable/2025-06-01/examples: ListRaiPolicies,
GetDefenderForAISetting; specification/authorization/.../2022-04-01/examples:
GetRoleDefinitionById, RoleAssignments_ListForScope). Built-in role definitions
carry the permissions Microsoft publishes in its built-in roles reference
(role-based-access-control/built-in-roles), in the REST shape.
"""

from __future__ import annotations

import copy
from typing import Any

from azure.mgmt.cognitiveservices import models as m

ROLE = "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{rid}"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CS_CONTRIBUTOR = "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68"
CS_USER = "a97b65f3-24c7-4388-baec-2e87135dc908"
OPENAI_CONTRIBUTOR = "a001fd3d-188f-4b5d-821b-7da978bf7442"
OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
SYSTEM_DATA = {"createdBy": "admin@contoso.com", "createdByType": "User", "createdAt": "2025-03-01T10:00:00.000Z",
               "lastModifiedBy": "admin@contoso.com", "lastModifiedByType": "User", "lastModifiedAt": "2025-03-02T10:00:00.000Z"}

_OPENAI_USER_DATA = [
    "Microsoft.CognitiveServices/accounts/OpenAI/*/read",
    "Microsoft.CognitiveServices/accounts/OpenAI/engines/completions/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/engines/search/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/engines/generate/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/audio/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/search/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/completions/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/realtime/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/extensions/chat/completions/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/images/generations/action",
    "Microsoft.CognitiveServices/accounts/OpenAI/assistants/*",
]
# GUID -> (roleName, actions, notActions, dataActions, notDataActions)
BUILTIN: dict[str, tuple[str, list[str], list[str], list[str], list[str]]] = {
    OWNER: ("Owner", ["*"], [], [], []),
    CONTRIBUTOR: ("Contributor", ["*"], ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
                                         "Microsoft.Authorization/elevateAccess/Action"], [], []),
    READER: ("Reader", ["*/read"], [], [], []),
    CS_CONTRIBUTOR: ("Cognitive Services Contributor", ["Microsoft.Authorization/*/read", "Microsoft.CognitiveServices/*",
                                                        "Microsoft.Insights/diagnosticSettings/*",
                                                        "Microsoft.Resources/subscriptions/read"], [], [], []),
    CS_USER: ("Cognitive Services User", ["Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/listkeys/action",
                                          "Microsoft.Insights/diagnosticSettings/read", "Microsoft.Resources/subscriptions/read"],
              [], ["Microsoft.CognitiveServices/*"], []),
    OPENAI_CONTRIBUTOR: ("Cognitive Services OpenAI Contributor",
                         ["Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/deployments/write",
                          "Microsoft.CognitiveServices/accounts/raiPolicies/write",
                          "Microsoft.Authorization/roleAssignments/read", "Microsoft.Authorization/roleDefinitions/read"],
                         [], ["Microsoft.CognitiveServices/accounts/OpenAI/*"], []),
    OPENAI_USER: ("Cognitive Services OpenAI User", ["Microsoft.CognitiveServices/*/read",
                                                     "Microsoft.Authorization/roleAssignments/read",
                                                     "Microsoft.Authorization/roleDefinitions/read"],
                  [], _OPENAI_USER_DATA, ["Microsoft.CognitiveServices/accounts/OpenAI/stored-completions/read"]),
}


def role_definition_body(guid: str, name: str, actions: list[str], not_actions: list[str], data: list[str],
                         not_data: list[str], *, custom: bool = False, sub: str | None = None) -> dict[str, Any]:
    """Microsoft.Authorization/roleDefinitions GET body (api-version 2022-04-01)."""
    rid = (f"/subscriptions/{sub}" if sub else "") + f"/providers/Microsoft.Authorization/roleDefinitions/{guid}"
    return {"id": rid, "type": "Microsoft.Authorization/roleDefinitions", "name": guid,
            "properties": {"roleName": name, "type": "CustomRole" if custom else "BuiltInRole",
                           "description": f"{name} (test)", "assignableScopes": [f"/subscriptions/{sub}" if sub else "/"],
                           "permissions": [{"actions": actions, "notActions": not_actions, "dataActions": data,
                                            "notDataActions": not_data}],
                           "createdOn": "2015-02-02T21:55:09.880Z", "updatedOn": "2025-01-10T00:00:00.000Z",
                           "createdBy": None, "updatedBy": None}}


def add_builtin_roles(fake) -> None:
    for guid, (name, a, na, d, nd) in BUILTIN.items():
        fake.add_role_definition(role_definition_body(guid, name, a, na, d, nd))


def _arm(body: dict[str, Any]) -> dict[str, Any]:
    """What a real answer carries beyond the SDK model: systemData, an etag, a property newer than the SDK."""
    body = copy.deepcopy(body)
    body["systemData"] = dict(SYSTEM_DATA)
    body.setdefault("etag", '"00000000-0000-0000-0000-000000000000"')
    if isinstance(body.get("properties"), dict):
        body["properties"]["aiposturePreviewField"] = {"introducedIn": "2099-01-01-preview", "values": [1, None]}
    return body


def _ser(model, rid: str, name: str, type_: str) -> dict:
    model.id, model.name, model.type = rid, name, type_
    return _arm(model.serialize(keep_readonly=True))


def account_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{name}"


def account(sub: str, rg: str, name: str, *, hardened: bool, kind: str = "OpenAI", location: str = "swedencentral") -> dict:
    props = m.AccountProperties(
        custom_sub_domain_name=name if hardened else None,
        disable_local_auth=hardened,
        public_network_access="Disabled" if hardened else "Enabled",
        network_acls=m.NetworkRuleSet(default_action="Deny" if hardened else "Allow", ip_rules=[]),
        encryption=m.Encryption(key_source="Microsoft.KeyVault", key_vault_properties=m.KeyVaultProperties(
            key_name="aoai", key_version="1", key_vault_uri="https://kv-ai.vault.azure.net/")) if hardened else
        m.Encryption(key_source="Microsoft.CognitiveServices"),
        restrict_outbound_network_access=hardened,
        allowed_fqdn_list=["stcontoso.blob.core.windows.net"] if hardened else None,
        dynamic_throttling_enabled=not hardened,
    )
    if hardened:
        pec = m.PrivateEndpointConnection(properties=m.PrivateEndpointConnectionProperties(
            private_link_service_connection_state=m.PrivateLinkServiceConnectionState(status="Approved")))
        pec.id = account_id(sub, rg, name) + "/privateEndpointConnections/pe1"
        props.private_endpoint_connections = [pec]
    a = m.Account(kind=kind, location=location, sku=m.Sku(name="S0"), properties=props,
                  identity=m.Identity(type="SystemAssigned") if hardened else None, tags={"env": "prod" if hardened else "dev"})
    return _ser(a, account_id(sub, rg, name), name, "Microsoft.CognitiveServices/accounts")


def deployment(acct: str, name: str, *, capacity: int, rai: str | None, upgrade: str = "NoAutoUpgrade") -> dict:
    props = m.DeploymentProperties(model=m.DeploymentModel(format="OpenAI", name="gpt-4o", version="2024-11-20"),
                                   rai_policy_name=rai, version_upgrade_option=upgrade)
    props.rate_limits = [m.ThrottlingRule(key="request", renewal_period=10, count=capacity // 6 or 1)]
    d = m.Deployment(sku=m.Sku(name="GlobalStandard", capacity=capacity), properties=props)
    return _ser(d, f"{acct}/deployments/{name}", name, "Microsoft.CognitiveServices/accounts/deployments")


HARMS = ("Hate", "Sexual", "Violence", "Selfharm")


def rai_policy(acct: str, name: str, *, threshold: str = "Medium", jailbreak_blocking: bool = True,
               indirect: bool = True, mode: str = "Blocking") -> dict:
    """A customer (UserManaged) content filter policy."""
    filters = [m.RaiPolicyContentFilter(name=h, enabled=True, blocking=True, severity_threshold=threshold, source=s)
               for h in HARMS for s in ("Prompt", "Completion")]
    filters.append(m.RaiPolicyContentFilter(name="Jailbreak", enabled=True, blocking=jailbreak_blocking, source="Prompt"))
    if indirect:
        filters.append(m.RaiPolicyContentFilter(name="Indirect Attack", enabled=True, blocking=True, source="Prompt"))
    filters.append(m.RaiPolicyContentFilter(name="Protected Material Text", enabled=True, blocking=True, source="Completion"))
    p = m.RaiPolicy(properties=m.RaiPolicyProperties(mode=mode, base_policy_name="Microsoft.DefaultV2", content_filters=filters))
    p.properties.type = "UserManaged"
    return _ser(p, f"{acct}/raiPolicies/{name}", name, "Microsoft.CognitiveServices/accounts/raiPolicies")


def system_policies(acct: str) -> list[dict]:
    """Microsoft.Default and Microsoft.DefaultV2 as the raiPolicies list returns them ('Gets all applicable policies
    under the account including default policies'): SystemManaged, Medium thresholds; V2 adds Jailbreak and
    protected material, neither blocks indirect (document) attacks."""
    out = []
    for name, v2 in (("Microsoft.Default", False), ("Microsoft.DefaultV2", True)):
        filters = [m.RaiPolicyContentFilter(name=h, enabled=True, blocking=True, severity_threshold="Medium", source=s)
                   for h in HARMS for s in ("Prompt", "Completion")]
        if v2:
            filters += [m.RaiPolicyContentFilter(name="Jailbreak", enabled=True, blocking=True, source="Prompt"),
                        m.RaiPolicyContentFilter(name="Protected Material Text", enabled=True, blocking=True, source="Completion"),
                        m.RaiPolicyContentFilter(name="Protected Material Code", enabled=True, blocking=False, source="Completion")]
        p = m.RaiPolicy(properties=m.RaiPolicyProperties(mode="Blocking", content_filters=filters))
        p.properties.type = "SystemManaged"
        body = _ser(p, f"{acct}/raiPolicies/{name}", name, "Microsoft.CognitiveServices/accounts/raiPolicies")
        body.pop("systemData")  # Microsoft's own policies were created by no one in the tenant
        out.append(body)
    return out


def defender(acct: str, enabled: bool) -> dict:
    s = m.DefenderForAISetting(state="Enabled" if enabled else "Disabled")
    return _ser(s, f"{acct}/defenderForAISettings/Default", "Default", "Microsoft.CognitiveServices/accounts/defenderForAISettings")


def diagnostic(acct: str, *categories: str, groups: tuple[str, ...] = ()) -> dict:
    """Microsoft.Insights/diagnosticSettings (api-version 2021-05-01-preview) REST body."""
    logs = [{"category": c, "categoryGroup": None, "enabled": True,
             "retentionPolicy": {"enabled": False, "days": 0}} for c in categories]
    logs += [{"category": None, "categoryGroup": g, "enabled": True} for g in groups]
    return {"id": f"{acct}/providers/Microsoft.Insights/diagnosticSettings/to-law", "name": "to-law",
            "type": "Microsoft.Insights/diagnosticSettings",
            "properties": {"storageAccountId": None, "serviceBusRuleId": None, "eventHubAuthorizationRuleId": None,
                           "eventHubName": None, "marketplacePartnerId": None, "logAnalyticsDestinationType": None,
                           "workspaceId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
                           "logs": logs, "metrics": [{"category": "AllMetrics", "enabled": True}]}}


def role_assignment(scope: str, sub: str, role_id: str, principal: str, principal_type: str = "User", *,
                    condition: str | None = None) -> dict:
    props: dict[str, Any] = {"roleDefinitionId": ROLE.format(sub=sub, rid=role_id), "principalId": principal,
                             "principalType": principal_type, "scope": scope, "condition": condition,
                             "conditionVersion": "2.0" if condition else None, "createdOn": "2025-03-01T10:00:00.000Z",
                             "updatedOn": "2025-03-01T10:00:00.000Z", "createdBy": None, "updatedBy": None,
                             "delegatedManagedIdentityResourceId": None, "description": None}
    return {"id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{principal}-{role_id[:8]}",
            "name": f"{principal}-{role_id[:8]}", "type": "Microsoft.Authorization/roleAssignments", "properties": props}


def populate(fake, sub: str, *, hardened: bool, rg: str = "rg-ai", name: str | None = None) -> str:
    name = name or ("aoai-prod" if hardened else "aoai-dev")
    acct = account_id(sub, rg, name)
    add_builtin_roles(fake)
    if hardened:
        fake.add_account(account(sub, rg, name, hardened=True),
                         deployments=[deployment(acct, "chat", capacity=100, rai="strict")],
                         rai_policies=[*system_policies(acct), rai_policy(acct, "strict", threshold="Low")],
                         defender=[defender(acct, True)], diagnostics=[diagnostic(acct, "Audit", "RequestResponse")],
                         role_assignments=[role_assignment(acct, sub, OPENAI_USER, "app-identity", "ServicePrincipal"),
                                           role_assignment(f"/subscriptions/{sub}", sub, READER, "auditor")])
    else:
        fake.add_account(account(sub, rg, name, hardened=False),
                         deployments=[deployment(acct, "chat", capacity=2000, rai=None, upgrade="OnceNewDefaultVersionAvailable"),
                                      deployment(acct, "chat-lenient", capacity=50, rai="lenient")],
                         rai_policies=[*system_policies(acct), rai_policy(acct, "lenient", jailbreak_blocking=False,
                                                                          indirect=False, mode="Asynchronous_filter",
                                                                          threshold="High")],
                         defender=[defender(acct, False)],
                         role_assignments=[role_assignment(f"/subscriptions/{sub}", sub, CONTRIBUTOR, "dev-user")])
    return acct
