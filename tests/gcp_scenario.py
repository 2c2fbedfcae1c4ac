"""Google Cloud test scenarios built from the client libraries' own message types (rendered by the fake as the
service renders them, enum numbers included). What every real project has is here too: the Google APIs
Service Agent with roles/editor and the Vertex AI Service Agent (google/iam docs: service agents)."""

from __future__ import annotations

from google.cloud import aiplatform_v1 as ai
from google.cloud import modelarmor_v1 as ma
from google.iam.v1 import policy_pb2
from google.protobuf import struct_pb2

LOC = "us-central1"
KEY = "projects/kms-prj/locations/us-central1/keyRings/ai/cryptoKeys/vertex"
NUMBER = "123456789012"


def endpoint(project: str, name: str, *, hardened: bool, sa: str, location: str = LOC) -> ai.Endpoint:
    ep = ai.Endpoint(
        name=f"projects/{project}/locations/{location}/endpoints/{name}", display_name=name,
        deployed_models=[ai.DeployedModel(id="1", model=f"projects/{project}/locations/{location}/models/m1", service_account=sa,
                                          enable_access_logging=hardened)],
        labels={"team": "ml"})
    if hardened:
        ep.encryption_spec = ai.EncryptionSpec(kms_key_name=KEY)
        ep.private_service_connect_config = ai.PrivateServiceConnectConfig(enable_private_service_connect=True,
                                                                           project_allowlist=[project])
        ep.predict_request_response_logging_config = ai.PredictRequestResponseLoggingConfig(
            enabled=True, sampling_rate=1.0,
            bigquery_destination=ai.BigQueryDestination(output_uri=f"bq://{project}.logs.predictions"))
    return ep


def template(project: str, name: str, *, hardened: bool, location: str = LOC) -> ma.Template:
    conf = ma.DetectionConfidenceLevel.LOW_AND_ABOVE if hardened else ma.DetectionConfidenceLevel.HIGH
    on = ma.PiAndJailbreakFilterSettings.PiAndJailbreakFilterEnforcement.ENABLED
    fc = ma.FilterConfig(
        pi_and_jailbreak_filter_settings=ma.PiAndJailbreakFilterSettings(filter_enforcement=on, confidence_level=conf),
        rai_settings=ma.RaiFilterSettings(rai_filters=[ma.RaiFilterSettings.RaiFilter(filter_type=t, confidence_level=conf)
                                                       for t in (ma.RaiFilterType.HATE_SPEECH, ma.RaiFilterType.SEXUALLY_EXPLICIT,
                                                                 ma.RaiFilterType.DANGEROUS, ma.RaiFilterType.HARASSMENT)]),
    )
    if hardened:
        fc.malicious_uri_filter_settings = ma.MaliciousUriFilterSettings(
            filter_enforcement=ma.MaliciousUriFilterSettings.MaliciousUriFilterEnforcement.ENABLED)
        fc.sdp_settings = ma.SdpFilterSettings(basic_config=ma.SdpBasicConfig(
            filter_enforcement=ma.SdpBasicConfig.SdpBasicConfigEnforcement.ENABLED))
    meta = ma.Template.TemplateMetadata(
        enforcement_type=ma.Template.TemplateMetadata.EnforcementType.INSPECT_AND_BLOCK if hardened
        else ma.Template.TemplateMetadata.EnforcementType.INSPECT_ONLY,
        log_sanitize_operations=hardened)
    return ma.Template(name=f"projects/{project}/locations/{location}/templates/{name}", filter_config=fc, template_metadata=meta)


def audit(p: policy_pb2.Policy, service: str = "aiplatform.googleapis.com", *types: int) -> None:
    ac = p.audit_configs.add(service=service)
    for t in types or (1, 2, 3):  # ADMIN_READ, DATA_WRITE, DATA_READ
        ac.audit_log_configs.add(log_type=t)


def iam_policy(project: str, *, hardened: bool) -> policy_pb2.Policy:
    p = policy_pb2.Policy(version=3, etag=b"BwX=")
    # present in every project, not the customer's: Google APIs Service Agent (editor), Vertex AI Service Agent
    p.bindings.add(role="roles/editor", members=[f"serviceAccount:{NUMBER}@cloudservices.gserviceaccount.com"])
    p.bindings.add(role="roles/aiplatform.serviceAgent",
                   members=[f"serviceAccount:service-{NUMBER}@gcp-sa-aiplatform.iam.gserviceaccount.com"])
    if hardened:
        audit(p)
        p.bindings.add(role="roles/aiplatform.user", members=[f"serviceAccount:app@{project}.iam.gserviceaccount.com"])
        p.bindings.add(role="roles/aiplatform.admin", members=["group:ml-admins@example.com"])
    else:
        p.bindings.add(role="roles/aiplatform.user", members=["allUsers"])
        p.bindings.add(role="roles/editor", members=[f"serviceAccount:{NUMBER}-compute@developer.gserviceaccount.com",
                                                    f"serviceAccount:agent@{project}.iam.gserviceaccount.com"])
    return p


def dataset(project: str, *, hardened: bool, location: str = LOC) -> ai.Dataset:
    meta = struct_pb2.Value()
    meta.struct_value.update({"inputConfig": {"gcsSource": {"uri": [f"gs://{project}-data/claims/train.jsonl"]}}})
    ds = ai.Dataset(name=f"projects/{project}/locations/{location}/datasets/1", display_name="claims",
                    metadata_schema_uri="gs://google-cloud-aiplatform/schema/dataset/metadata/text_1.0.0.yaml", metadata=meta)
    if hardened:
        ds.encryption_spec = ai.EncryptionSpec(kms_key_name=KEY)
    return ds


def populate(fake, project: str, *, hardened: bool) -> None:
    fake.add_project(project)
    sa = f"serving@{project}.iam.gserviceaccount.com" if hardened else f"{NUMBER}-compute@developer.gserviceaccount.com"
    fake.add(project, LOC, "endpoints", endpoint(project, "chat", hardened=hardened, sa=sa))
    model = ai.Model(name=f"projects/{project}/locations/{LOC}/models/m1", display_name="m1", artifact_uri=f"gs://{project}-models/m1")
    if hardened:
        model.encryption_spec = ai.EncryptionSpec(kms_key_name=KEY)
        model.model_source_info = ai.ModelSourceInfo(source_type=ai.ModelSourceInfo.ModelSourceType.MODEL_GARDEN)
        model.base_model_source = ai.Model.BaseModelSource(
            model_garden_source=ai.ModelGardenSource(public_model_name="publishers/google/models/gemma-2"))
    fake.add(project, LOC, "models", model)
    fake.add(project, LOC, "datasets", dataset(project, hardened=hardened))
    fake.add(project, LOC, "reasoningEngines", ai.ReasoningEngine(
        name=f"projects/{project}/locations/{LOC}/reasoningEngines/1", display_name="agent",
        spec=ai.ReasoningEngineSpec(service_account="" if hardened else f"agent@{project}.iam.gserviceaccount.com")))
    fake.add(project, LOC, "templates", template(project, "default", hardened=hardened))
    fake.iam[f"projects/{project}"] = iam_policy(project, hardened=hardened)
    if hardened:
        fs = ma.FloorSetting(name=f"projects/{project}/locations/global/floorSetting", enable_floor_setting_enforcement=True,
                             integrated_services=[ma.FloorSetting.IntegratedService.AI_PLATFORM],
                             ai_platform_floor_setting=ma.AiPlatformFloorSetting(inspect_and_block=True, enable_cloud_logging=True),
                             filter_config=template(project, "x", hardened=True).filter_config)
        fake.floor[project] = fs
        fake.orgpolicy[project] = {"name": f"projects/{project}/policies/vertexai.allowedModels",
                                   "spec": {"rules": [{"values": {"allowedValues": ["publishers/google/models/gemini-2.5-pro"]}}]}}
