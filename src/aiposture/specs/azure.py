"""Azure OpenAI / Azure AI services resource types (see :mod:`aiposture.specs`).

ARM types here also map ARM templates, Bicep and Terraform ``azapi_resource`` of that type.
"""

from __future__ import annotations

from aiposture.specs.model import ApiCall, IacType, Link, ProviderSpec, ResourceSpec, Service

N = "aiposture.normalize.azure"
CS = "Microsoft.CognitiveServices"


def _get(service: str, path: str, *actions: str) -> ApiCall:
    return ApiCall(service, f"GET {path}", actions)


PROVIDER = ProviderSpec(
    provider="azure",
    services=(
        Service("subscriptions", "azure-mgmt-core (send_request)", "Subscriptions the identity can read",
                api_version="2022-12-01"),
        Service("cognitiveservices", "azure-mgmt-core (send_request)",
                "Accounts (kind OpenAI, AIServices), deployments, RAI policies, Defender for AI settings",
                api_version="2025-06-01"),
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
        title="Azure OpenAI / AI services account (kinds OpenAI and AIServices) with its diagnostic settings",
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
)
