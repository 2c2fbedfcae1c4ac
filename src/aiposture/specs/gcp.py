"""Google Cloud Vertex AI and Model Armor resource types (see :mod:`aiposture.specs`)."""

from __future__ import annotations

from aiposture.specs import gcp_estate
from aiposture.specs.model import ApiCall, IacType, ProviderSpec, ResourceSpec, Service

N = "aiposture.normalize.gcp"


def _call(service: str, method: str, *permissions: str) -> ApiCall:
    return ApiCall(service, method, permissions)


_IAM_POLICY = (
    _call("cloudresourcemanager", "Projects.GetIamPolicy", "resourcemanager.projects.getIamPolicy"),
    _call("cloudresourcemanager", "Folders.GetIamPolicy", "resourcemanager.folders.getIamPolicy"),
    _call("cloudresourcemanager", "Organizations.GetIamPolicy", "resourcemanager.organizations.getIamPolicy"),
)

PROVIDER = ProviderSpec(
    provider="gcp",
    services=(
        Service("cloudresourcemanager", "google-cloud-resource-manager",
                "Projects, folders, IAM policy and audit configs", host="cloudresourcemanager.{universe}"),
        Service("aiplatform", "google-cloud-aiplatform", "Endpoints, models, datasets, reasoning engines",
                host="{location}-aiplatform.{universe}"),
        Service("modelarmor", "google-cloud-modelarmor", "Templates and floor settings",
                host="modelarmor.{location}.rep.{universe}"),
        Service("orgpolicy", "google-cloud-org-policy", "Organisation policy vertexai.allowedModels",
                host="orgpolicy.{universe}"),
        *gcp_estate.SERVICES,
    ),
    scope_calls=(
        _call("cloudresourcemanager", "Projects.SearchProjects", "resourcemanager.projects.list"),
        _call("cloudresourcemanager", "Projects.ListProjects", "resourcemanager.projects.list"),
        _call("cloudresourcemanager", "Folders.ListFolders", "resourcemanager.folders.list"),
        _call("cloudresourcemanager", "Projects.GetProject", "resourcemanager.projects.get"),
        _call("cloudresourcemanager", "Folders.GetFolder", "resourcemanager.folders.get"),
        # per project: which locations each API serves (also whether the API is enabled)
        _call("aiplatform", "Locations.ListLocations", "aiplatform.locations.list"),
        _call("modelarmor", "Locations.ListLocations", "modelarmor.locations.list"),
    ),
    # when a project's Vertex AI locations cannot be listed (ListLocations denied): Vertex AI regions as of 2025
    default_locations=(
        "global", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3",
        "us-west4", "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1", "southamerica-west1",
        "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9",
        "europe-west10", "europe-west12", "europe-north1", "europe-north2", "europe-southwest1", "europe-central2",
        "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1",
        "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2",
        "me-central1", "me-central2", "me-west1", "africa-south1",
    ),
)

SPECS: tuple[ResourceSpec, ...] = (
    ResourceSpec(
        provider="gcp", kind="ai_service", native_type="aiplatform.googleapis.com/Location", service="aiplatform",
        title="Vertex AI in one project (audit logs, floor setting enforcement, allowed models)",
        calls=(*_IAM_POLICY, _call("orgpolicy", "OrgPolicy.GetEffectivePolicy", "orgpolicy.policy.get"),
               _call("modelarmor", "ModelArmor.GetFloorSetting", "modelarmor.floorSettings.get")),
        iac=(IacType("google_model_armor_floorsetting", "gcp_floor"),
             IacType("google_project_iam_audit_config", "gcp_audit")),
        normaliser=f"{N}:floor_setting",
    ),
    ResourceSpec(
        provider="gcp", kind="model_deployment", native_type="aiplatform.googleapis.com/Endpoint", service="aiplatform",
        title="Vertex AI endpoint",
        calls=(_call("aiplatform", "EndpointService.ListEndpoints", "aiplatform.endpoints.list"),),
        iac=(IacType("google_vertex_ai_endpoint", "gcp_endpoint"),),
        normaliser=f"{N}:endpoint",
    ),
    ResourceSpec(
        provider="gcp", kind="model_deployment", native_type="aiplatform.googleapis.com/IndexEndpoint",
        service="aiplatform", title="Vector Search index endpoint (IaC only for now)",
        iac=(IacType("google_vertex_ai_index_endpoint", "gcp_index_endpoint"),),
    ),
    ResourceSpec(
        provider="gcp", kind="custom_model", native_type="aiplatform.googleapis.com/Model", service="aiplatform",
        title="Model in the Vertex AI Model Registry",
        calls=(_call("aiplatform", "ModelService.ListModels", "aiplatform.models.list"),),
        normaliser=f"{N}:model",
    ),
    ResourceSpec(
        provider="gcp", kind="training_job", native_type="aiplatform.googleapis.com/Dataset", service="aiplatform",
        title="Vertex AI dataset (training data)",
        calls=(_call("aiplatform", "DatasetService.ListDatasets", "aiplatform.datasets.list"),),
        iac=(IacType("google_vertex_ai_dataset", "gcp_dataset"), IacType("google_vertex_ai_featurestore", "gcp_dataset")),
        normaliser=f"{N}:dataset",
    ),
    ResourceSpec(
        provider="gcp", kind="agent", native_type="aiplatform.googleapis.com/ReasoningEngine", service="aiplatform",
        title="Vertex AI Agent Engine (reasoning engine)",
        calls=(_call("aiplatform", "ReasoningEngineService.ListReasoningEngines", "aiplatform.reasoningEngines.list"),),
        normaliser=f"{N}:reasoning_engine",
    ),
    ResourceSpec(
        provider="gcp", kind="content_filter", native_type="modelarmor.googleapis.com/Template", service="modelarmor",
        title="Model Armor template",
        calls=(_call("modelarmor", "ModelArmor.ListTemplates", "modelarmor.templates.list"),),
        iac=(IacType("google_model_armor_template", "gcp_template"),),
        normaliser=f"{N}:template",
    ),
    ResourceSpec(
        provider="gcp", kind="content_filter", native_type="modelarmor.googleapis.com/FloorSetting", service="modelarmor",
        title="Model Armor floor setting of a project, as the filters it enforces on every Vertex AI call",
        calls=(_call("modelarmor", "ModelArmor.GetFloorSetting", "modelarmor.floorSettings.get"),),
        normaliser=f"{N}:floor_filter",
    ),
    ResourceSpec(
        provider="gcp", kind="identity_binding", native_type="cloudresourcemanager.googleapis.com/IamBinding",
        service="cloudresourcemanager", title="IAM binding of an AI role (effective along the project's ancestry)",
        calls=_IAM_POLICY,
        iac=(IacType("google_project_iam_member", "gcp_iam_member"), IacType("google_project_iam_binding", "gcp_iam_binding")),
        normaliser=f"{N}:iam_binding",
    ),
    *gcp_estate.SPECS,
)
