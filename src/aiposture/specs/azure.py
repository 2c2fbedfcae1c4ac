"""Azure OpenAI / Azure AI services resource types (see :mod:`aiposture.specs`).

ARM types here also map ARM templates, Bicep and Terraform ``azapi_resource`` of that type.
"""

from __future__ import annotations

from aiposture.specs.model import ApiCall, IacType, Link, ProviderSpec, ResourceSpec, Service

N = "aiposture.normalize.azure"
NA = "aiposture.normalize.azure_ai"
CS = "Microsoft.CognitiveServices"
ML = "Microsoft.MachineLearningServices"
# Terraform connection types carry the auth type in their name (iac/azure_ai.py reads it from there)
_CONN_AUTH = ("api_key", "account_key", "custom_keys", "aad", "entra_id", "account_managed_identity", "oauth2")


def _get(service: str, path: str, *actions: str) -> ApiCall:
    return ApiCall(service, f"GET {path}", actions)


PROVIDER = ProviderSpec(
    provider="azure",
    services=(
        Service("subscriptions", "azure-mgmt-core (send_request)", "Subscriptions the identity can read",
                api_version="2022-12-01"),
        Service("cognitiveservices", "azure-mgmt-core (send_request)",
                "Accounts (kind OpenAI, AIServices, ContentSafety), deployments, RAI policies, Defender for AI settings",
                api_version="2025-06-01"),
        Service("foundry", "azure-mgmt-core (send_request)",
                "Microsoft.CognitiveServices Foundry projects and connections (capability hosts are listed with "
                "2025-10-01-preview: 2025-09-01 can only get them by name)", api_version="2025-09-01"),
        Service("machinelearningservices", "azure-mgmt-core (send_request)",
                "Azure ML workspaces (kinds Hub, Project, Default), their connections and datastores",
                api_version="2025-09-01"),
        Service("insights", "azure-mgmt-core (send_request)", "Diagnostic settings on the accounts",
                api_version="2021-05-01-preview"),
        Service("authorization", "azure-mgmt-core (send_request)", "Role assignments on the accounts and their roles",
                api_version="2022-04-01"),
    ),
    scope_calls=(_get("subscriptions", "/subscriptions", "Microsoft.Resources/subscriptions/read"),),
)

SPECS: tuple[ResourceSpec, ...] = (
    ResourceSpec(
        provider="azure", kind="ai_service", native_type=f"{CS}/accounts", service="cognitiveservices",
        title="Azure OpenAI / AI services account (kinds OpenAI, AIServices and ContentSafety) with its diagnostic settings",
        calls=(_get("cognitiveservices", "/subscriptions/{s}/providers/Microsoft.CognitiveServices/accounts",
                    f"{CS}/accounts/read"),
               _get("cognitiveservices", "{account}/defenderForAISettings", f"{CS}/accounts/defenderForAISettings/read"),
               _get("insights", "{account}/providers/Microsoft.Insights/diagnosticSettings",
                    "Microsoft.Insights/diagnosticSettings/read")),
        iac=(IacType("azurerm_cognitive_account", "az_account"), IacType("azurerm_ai_services", "az_account"),
             IacType(f"{CS}/accounts", "az_account"),
             IacType("azurerm_monitor_diagnostic_setting", "az_diag"),
             IacType("Microsoft.Insights/diagnosticSettings", "az_diag")),
        normaliser=f"{N}:account",
    ),
    ResourceSpec(
        provider="azure", kind="model_deployment", native_type=f"{CS}/accounts/deployments",
        service="cognitiveservices", title="Model deployment of an account",
        calls=(_get("cognitiveservices", "{account}/deployments", f"{CS}/accounts/deployments/read"),),
        iac=(IacType("azurerm_cognitive_deployment", "az_deployment"), IacType(f"{CS}/accounts/deployments", "az_deployment")),
        normaliser=f"{N}:deployment",
    ),
    ResourceSpec(
        provider="azure", kind="content_filter", native_type=f"{CS}/accounts/raiPolicies", service="cognitiveservices",
        title="RAI policy (content filter) of an account",
        calls=(_get("cognitiveservices", "{account}/raiPolicies", f"{CS}/accounts/raiPolicies/read"),),
        iac=(IacType("azurerm_cognitive_account_rai_policy", "az_rai"), IacType(f"{CS}/accounts/raiPolicies", "az_rai")),
        normaliser=f"{N}:rai_policy",
        # a deployment is the only way to use a RAI policy: one no deployment names guards nothing
        links=(Link("attached", f"{CS}/accounts/deployments", api_paths=("properties.raiPolicyName",),
                    iac_paths=("rai_policy_name", "properties.rai_policy_name"), complete=True, ignore_case=True,
                    default="Microsoft.DefaultV2"),),
    ),
    ResourceSpec(
        provider="azure", kind="identity_binding", native_type="Microsoft.Authorization/roleAssignments",
        service="authorization", title="Role assignment on an account, judged by its role definition",
        calls=(_get("authorization", "{account}/providers/Microsoft.Authorization/roleAssignments",
                    "Microsoft.Authorization/roleAssignments/read"),
               _get("authorization", "{roleDefinitionId}", "Microsoft.Authorization/roleDefinitions/read")),
        normaliser=f"{N}:role_assignment",
    ),
    # ---------------------------------------------------------------- Azure AI Foundry (issue 15)
    ResourceSpec(
        provider="azure", kind="ai_service", native_type=f"{CS}/accounts/projects", service="foundry",
        title="Foundry project of an AIServices account, with the Agent Service setup of its capability hosts",
        calls=(_get("foundry", "{account}/projects", f"{CS}/accounts/projects/read"),
               _get("foundry", "{account}/capabilityHosts", f"{CS}/accounts/capabilityHosts/read"),
               _get("foundry", "{project}/capabilityHosts", f"{CS}/accounts/projects/capabilityHosts/read")),
        iac=(IacType("azurerm_cognitive_account_project", "az_project"), IacType(f"{CS}/accounts/projects", "az_project"),
             # capability hosts contribute agent_data to their project (or every project of their account)
             IacType("azurerm_cognitive_account_capability_host", "az_caphost"),
             IacType(f"{CS}/accounts/capabilityHosts", "az_caphost"),
             IacType(f"{CS}/accounts/projects/capabilityHosts", "az_caphost")),
        normaliser=f"{NA}:project",
    ),
    ResourceSpec(
        provider="azure", kind="ai_connection", native_type=f"{CS}/accounts/connections", service="foundry",
        title="Connection of a Foundry resource (shared with its projects or not)",
        calls=(_get("foundry", "{account}/connections", f"{CS}/accounts/connections/read"),),
        iac=(*(IacType(f"azurerm_cognitive_account_connection_{a}", "az_connection") for a in _CONN_AUTH),
             IacType("azurerm_cognitive_account_connection", "az_connection"),
             IacType(f"{CS}/accounts/connections", "az_connection")),
        normaliser=f"{NA}:connection",
    ),
    ResourceSpec(
        provider="azure", kind="ai_connection", native_type=f"{CS}/accounts/projects/connections", service="foundry",
        title="Connection of a Foundry project",
        calls=(_get("foundry", "{project}/connections", f"{CS}/accounts/projects/connections/read"),),
        iac=(*(IacType(f"azurerm_cognitive_account_project_connection_{a}", "az_connection") for a in _CONN_AUTH),
             IacType("azurerm_cognitive_account_project_connection", "az_connection"),
             IacType(f"{CS}/accounts/projects/connections", "az_connection")),
        normaliser=f"{NA}:connection",
    ),
    ResourceSpec(
        provider="azure", kind="agent", native_type=f"{CS}/accounts/projects/agents", service="foundry",
        title="Foundry agent and its tools (data plane, opt-in: scan azure --foundry-agents); its guardrail is the "
              "RAI policy of the model deployment it names",
        # a data action (Azure AI User), not an ARM action: docs/permissions.md; the custom role keeps Actions only
        calls=(ApiCall("foundry", "GET {endpoint}/api/projects/{project}/assistants (data plane, opt-in)", ()),),
        normaliser=f"{NA}:foundry_agent",
    ),
    # ---------------------------------------------------------------- Azure Machine Learning (issue 15)
    ResourceSpec(
        provider="azure", kind="ai_service", native_type=f"{ML}/workspaces", service="machinelearningservices",
        title="Azure ML workspace of kind Hub (Foundry hub), Project or Default",
        calls=(_get("machinelearningservices", "/subscriptions/{s}/providers/Microsoft.MachineLearningServices/workspaces",
                    f"{ML}/workspaces/read"),),
        iac=(IacType("azurerm_ai_foundry", "az_mlws"), IacType("azurerm_ai_foundry_project", "az_mlws"),
             IacType("azurerm_machine_learning_workspace", "az_mlws"), IacType(f"{ML}/workspaces", "az_mlws")),
        normaliser=f"{NA}:ml_workspace",
    ),
    ResourceSpec(
        provider="azure", kind="ai_connection", native_type=f"{ML}/workspaces/connections", service="machinelearningservices",
        title="Connection of an Azure ML workspace or hub",
        calls=(_get("machinelearningservices", "{workspace}/connections", f"{ML}/workspaces/connections/read"),),
        iac=(IacType(f"{ML}/workspaces/connections", "az_connection"),),
        normaliser=f"{NA}:connection",
    ),
    ResourceSpec(
        provider="azure", kind="ai_connection", native_type=f"{ML}/workspaces/datastores", service="machinelearningservices",
        title="Datastore of an Azure ML workspace (identity-based or a stored key, SAS or secret)",
        calls=(_get("machinelearningservices", "{workspace}/datastores", f"{ML}/workspaces/datastores/read"),),
        iac=(IacType("azurerm_machine_learning_datastore_blobstorage", "az_datastore"),
             IacType("azurerm_machine_learning_datastore_datalake_gen2", "az_datastore"),
             IacType("azurerm_machine_learning_datastore_fileshare", "az_datastore"),
             IacType(f"{ML}/workspaces/datastores", "az_datastore")),
        normaliser=f"{NA}:datastore",
    ),
)
