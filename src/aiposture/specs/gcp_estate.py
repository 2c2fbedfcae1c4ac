"""Google Cloud resource types around Vertex AI (see :mod:`aiposture.specs`): VPC Service Controls perimeters and
organisation policies (attributes of the project's Vertex AI ``ai_service`` when scanned live; the declarations
themselves in IaC), Vertex AI Search data stores and RAG corpora (``knowledge_base``), Workbench instances and
Colab Enterprise runtime templates (``notebook``). Collected by ``collect/gcp_estate.py``, mapped by
``normalize/gcp_estate.py``; the Terraform types that need more than the generic path have builders in
``iac/gcp_estate.py``."""

from __future__ import annotations

from aiposture.specs.model import ApiCall, IacType, ResourceSpec, Service

N = "aiposture.normalize.gcp_estate"

SERVICES = (
    Service("accesscontextmanager", "none (REST; the PyPI package holds only protobuf messages)",
            "VPC Service Controls access policies and service perimeters", host="accesscontextmanager.{universe}"),
    Service("discoveryengine", "google-cloud-discoveryengine", "Vertex AI Search / Agent Builder data stores",
            host="{location}-discoveryengine.{universe}"),
    Service("notebooks", "google-cloud-notebooks", "Vertex AI Workbench instances", host="notebooks.{universe}"),
    Service("compute", "none (REST)", "Disks of Workbench VMs (their CMEK is input-only in the Notebooks API)",
            host="compute.{universe}"),
)


def _call(service: str, method: str, *permissions: str) -> ApiCall:
    return ApiCall(service, method, permissions)


_POLICY = _call("orgpolicy", "OrgPolicy.GetEffectivePolicy", "orgpolicy.policy.get")

SPECS: tuple[ResourceSpec, ...] = (
    ResourceSpec(
        provider="gcp", kind="ai_service", native_type="accesscontextmanager.googleapis.com/ServicePerimeter",
        service="accesscontextmanager",
        title="VPC Service Controls perimeter (live: the project's service_perimeter; IaC: the perimeter declared)",
        calls=(_call("accesscontextmanager", "AccessPolicies.List", "accesscontextmanager.policies.list"),
               _call("accesscontextmanager", "ServicePerimeters.List", "accesscontextmanager.servicePerimeters.list"),
               _call("cloudresourcemanager", "Projects.GetProject", "resourcemanager.projects.get")),
        iac=(IacType("google_access_context_manager_service_perimeter"),
             IacType("google_access_context_manager_service_perimeters", "gcp_perimeters")),
        normaliser=f"{N}:perimeter",
    ),
    ResourceSpec(
        provider="gcp", kind="ai_service", native_type="orgpolicy.googleapis.com/Policy", service="orgpolicy",
        title="Organisation policy on a constraint about AI (live: the project's org_policies; IaC: the policy declared)",
        calls=(_POLICY,),
        iac=(IacType("google_org_policy_policy", "gcp_org_policy"),
             IacType("google_project_organization_policy", "gcp_org_policy_legacy"),
             IacType("google_folder_organization_policy", "gcp_org_policy_legacy"),
             IacType("google_organization_policy", "gcp_org_policy_legacy")),
    ),
    ResourceSpec(
        provider="gcp", kind="knowledge_base", native_type="discoveryengine.googleapis.com/DataStore",
        service="discoveryengine", title="Vertex AI Search / Agent Builder data store",
        calls=(_call("discoveryengine", "DataStoreService.ListDataStores", "discoveryengine.dataStores.list"),),
        iac=(IacType("google_discovery_engine_data_store"),),
        normaliser=f"{N}:data_store",
    ),
    ResourceSpec(
        provider="gcp", kind="knowledge_base", native_type="aiplatform.googleapis.com/RagCorpus", service="aiplatform",
        title="Vertex AI RAG Engine corpus (and where its files come from)",
        calls=(_call("aiplatform", "VertexRagDataService.ListRagCorpora", "aiplatform.ragCorpora.list"),
               _call("aiplatform", "VertexRagDataService.ListRagFiles", "aiplatform.ragFiles.list")),
        iac=(IacType("google_vertex_ai_rag_corpus", "gcp_rag_corpus"),),
        normaliser=f"{N}:rag_corpus",
    ),
    ResourceSpec(
        provider="gcp", kind="notebook", native_type="notebooks.googleapis.com/Instance", service="notebooks",
        title="Vertex AI Workbench instance",
        calls=(_call("notebooks", "NotebookService.ListInstances", "notebooks.instances.list"),
               _call("compute", "Instances.Get", "compute.instances.get")),
        iac=(IacType("google_workbench_instance", "gcp_workbench"),),
        normaliser=f"{N}:workbench_instance",
    ),
    ResourceSpec(
        provider="gcp", kind="notebook", native_type="aiplatform.googleapis.com/NotebookRuntimeTemplate",
        service="aiplatform", title="Colab Enterprise runtime template",
        calls=(_call("aiplatform", "NotebookService.ListNotebookRuntimeTemplates",
                     "aiplatform.notebookRuntimeTemplates.list"),),
        iac=(IacType("google_colab_runtime_template"),),
        normaliser=f"{N}:runtime_template",
    ),
)
