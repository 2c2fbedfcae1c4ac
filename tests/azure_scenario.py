"""Azure test scenarios. Bodies are the installed SDK's own models serialised to REST JSON
(api-version 2025-09-01), so the fake answers in exactly the shapes the SDK deserialises."""

from __future__ import annotations

from azure.mgmt.cognitiveservices import models as m

ROLE = "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{rid}"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"


def _ser(model, rid: str, name: str, type_: str) -> dict:
    model.id, model.name, model.type = rid, name, type_
    return model.serialize(keep_readonly=True)


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
               indirect: bool = True, mode: str = "Blocking", system: bool = False) -> dict:
    filters = [m.RaiPolicyContentFilter(name=h, enabled=True, blocking=True, severity_threshold=threshold, source=s)
               for h in HARMS for s in ("Prompt", "Completion")]
    filters.append(m.RaiPolicyContentFilter(name="Jailbreak", enabled=True, blocking=jailbreak_blocking, source="Prompt"))
    if indirect:
        filters.append(m.RaiPolicyContentFilter(name="Indirect Attack", enabled=True, blocking=True, source="Prompt"))
    filters.append(m.RaiPolicyContentFilter(name="Protected Material Text", enabled=True, blocking=True, source="Completion"))
    p = m.RaiPolicy(properties=m.RaiPolicyProperties(mode=mode, base_policy_name=None if system else "Microsoft.DefaultV2",
                                                     content_filters=filters))
    p.properties.type = "SystemManaged" if system else "UserManaged"
    return _ser(p, f"{acct}/raiPolicies/{name}", name, "Microsoft.CognitiveServices/accounts/raiPolicies")


def defender(acct: str, enabled: bool) -> dict:
    s = m.DefenderForAISetting(state="Enabled" if enabled else "Disabled")
    return _ser(s, f"{acct}/defenderForAISettings/Default", "Default", "Microsoft.CognitiveServices/accounts/defenderForAISettings")


def diagnostic(acct: str, *categories: str) -> dict:
    """Microsoft.Insights/diagnosticSettings (api-version 2021-05-01-preview) REST body."""
    return {"id": f"{acct}/providers/Microsoft.Insights/diagnosticSettings/to-law", "name": "to-law",
            "properties": {"workspaceId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
                           "logs": [{"category": c, "enabled": True} for c in categories], "metrics": []}}


def role_assignment(scope: str, sub: str, role_id: str, principal: str, principal_type: str = "User") -> dict:
    return {"id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{principal}-{role_id[:8]}",
            "name": f"{principal}-{role_id[:8]}", "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"roleDefinitionId": ROLE.format(sub=sub, rid=role_id), "principalId": principal,
                           "principalType": principal_type, "scope": scope}}


def populate(fake, sub: str, *, hardened: bool, rg: str = "rg-ai", name: str | None = None) -> str:
    name = name or ("aoai-prod" if hardened else "aoai-dev")
    acct = account_id(sub, rg, name)
    system = rai_policy(acct, "Microsoft.DefaultV2", system=True)
    if hardened:
        fake.add_account(account(sub, rg, name, hardened=True),
                         deployments=[deployment(acct, "chat", capacity=100, rai="strict")],
                         rai_policies=[system, rai_policy(acct, "strict", threshold="Low")],
                         defender=[defender(acct, True)], diagnostics=[diagnostic(acct, "Audit", "RequestResponse")],
                         role_assignments=[role_assignment(acct, sub, OPENAI_USER, "app-identity", "ServicePrincipal")])
    else:
        fake.add_account(account(sub, rg, name, hardened=False),
                         deployments=[deployment(acct, "chat", capacity=2000, rai=None, upgrade="OnceNewDefaultVersionAvailable"),
                                      deployment(acct, "chat-lenient", capacity=50, rai="lenient")],
                         rai_policies=[system, rai_policy(acct, "lenient", jailbreak_blocking=False, indirect=False,
                                                          mode="Asynchronous_filter", threshold="High")],
                         defender=[defender(acct, False)],
                         role_assignments=[role_assignment(f"/subscriptions/{sub}", sub, CONTRIBUTOR, "dev-user")])
    return acct
