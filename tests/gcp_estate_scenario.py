"""The Google Cloud AI estate around Vertex AI, hardened and careless, as the services answer (proto3 JSON parsed into
the client libraries' own message types with unknown fields refused, so every field name and enum is the proto's).

Hardened: the project's number is in an enforced regular perimeter restricting Vertex AI and Model Armor; the CMEK,
resource-location and domain-restricted-sharing constraints are set; a CMEK data store with document ACLs; a RAG
corpus on the RAG managed database with CMEK fed from a bucket; a Workbench instance without public IP, root or the
default service account, on CMEK disks; a Colab runtime template without internet access, with CMEK.
Careless: the defaults, a perimeter that only dry-runs Vertex AI, a public-website data store, a Pinecone corpus fed
from Google Drive, a Workbench instance with an external IP and the default compute account, an internet-facing
runtime template.
"""

from __future__ import annotations

import json
from typing import Any

from google.cloud import aiplatform_v1 as ai
from google.cloud import discoveryengine_v1 as de
from google.cloud import notebooks_v2 as nb

from tests import gcp_scenario as sc

ORG = "organizations/1"
POLICY = "accessPolicies/987654321"
ZONE = f"{sc.LOC}-a"
KMS = "projects/kms-prj/locations/{loc}/keyRings/ai/cryptoKeys/{name}"


def parse(cls, body: dict[str, Any]):
    return cls.from_json(json.dumps(body), ignore_unknown_fields=False)


def number(fake, project: str) -> str:
    return fake.projects[project]["name"].split("/", 1)[1]


def perimeter(name: str, members: list[str], restricted: list[str], *, dry_run: list[str] | None = None,
              bridge: bool = False, policy: str = POLICY) -> dict[str, Any]:
    p: dict[str, Any] = {"name": f"{policy}/servicePerimeters/{name}", "title": name,
                         "perimeterType": "PERIMETER_TYPE_BRIDGE" if bridge else "PERIMETER_TYPE_REGULAR",
                         "status": {"resources": members, "restrictedServices": restricted}}
    if dry_run is not None:
        p["spec"] = {"resources": members, "restrictedServices": dry_run}
        p["useExplicitDryRunSpec"] = True
    return p


def data_store(project: str, name: str, *, hardened: bool, location: str = "us") -> de.DataStore:
    body: dict[str, Any] = {
        "name": f"projects/{project}/locations/{location}/collections/default_collection/dataStores/{name}",
        "displayName": name, "industryVertical": "GENERIC", "solutionTypes": ["SOLUTION_TYPE_SEARCH"],
        "contentConfig": "CONTENT_REQUIRED" if hardened else "PUBLIC_WEBSITE", "aclEnabled": hardened,
        "createTime": "2026-08-01T10:00:00Z"}
    if hardened:
        body["cmekConfig"] = {"name": f"projects/{project}/locations/{location}/cmekConfigs/default",
                              "kmsKey": KMS.format(loc=location, name="search"), "state": "ACTIVE", "isDefault": True}
    return parse(de.DataStore, body)


def rag_corpus(project: str, cid: str, *, hardened: bool) -> ai.RagCorpus:
    body: dict[str, Any] = {"name": f"projects/{project}/locations/{sc.LOC}/ragCorpora/{cid}",
                            "displayName": f"corpus-{cid}", "corpusStatus": {"state": "ACTIVE"}}
    if hardened:
        body["vectorDbConfig"] = {"ragManagedDb": {"knn": {}}}
        body["encryptionSpec"] = {"kmsKeyName": KMS.format(loc=sc.LOC, name="rag")}
    else:
        body["vectorDbConfig"] = {"pinecone": {"indexName": "kb"}, "apiAuth": {"apiKeyConfig": {
            "apiKeySecretVersion": f"projects/{project}/secrets/pinecone/versions/1"}}}
    return parse(ai.RagCorpus, body)


def rag_file(project: str, cid: str, fid: str, source: dict[str, Any]) -> ai.RagFile:
    return parse(ai.RagFile, {"name": f"projects/{project}/locations/{sc.LOC}/ragCorpora/{cid}/ragFiles/{fid}",
                              "displayName": fid, "fileStatus": {"state": "ACTIVE"}, **source})


def workbench(project: str, name: str, *, hardened: bool, zone: str = ZONE) -> nb.Instance:
    gce: dict[str, Any] = {
        "machineType": "e2-standard-4",
        "serviceAccounts": [{"email": f"wb@{project}.iam.gserviceaccount.com" if hardened
                             else f"{sc.NUMBER}-compute@developer.gserviceaccount.com"}],
        "bootDisk": {"diskSizeGb": "150", "diskType": "PD_BALANCED"},
        "shieldedInstanceConfig": {"enableSecureBoot": hardened, "enableVtpm": True, "enableIntegrityMonitoring": True},
        "networkInterfaces": [{"network": f"projects/{project}/global/networks/ai"}],
        "disablePublicIp": hardened,
        "metadata": ({"notebook-disable-root": "true", "notebook-disable-terminal": "true",
                      "notebook-disable-downloads": "true", "notebook-upgrade-schedule": "0 3 * * SUN"} if hardened
                     else {"proxy-mode": "service_account"}),
    }
    return parse(nb.Instance, {"name": f"projects/{project}/locations/{zone}/instances/{name}", "gceSetup": gce,
                               "state": "ACTIVE", "creator": "alice@example.com", "labels": {"team": "ds"}})


def vm(project: str, name: str, *, hardened: bool, zone: str = ZONE) -> dict[str, Any]:
    """compute v1 Instance (the Workbench VM): attached disks with their encryption key as Compute Engine reports it."""
    disk: dict[str, Any] = {"type": "PERSISTENT", "boot": True, "deviceName": "boot",
                            "source": f"https://compute.googleapis.com/compute/v1/projects/{project}/zones/{zone}/disks/{name}-boot"}
    if hardened:
        disk["diskEncryptionKey"] = {"kmsKeyName": KMS.format(loc=sc.LOC, name="nb") + "/cryptoKeyVersions/1"}
    return {"kind": "compute#instance", "name": name, "zone": zone, "status": "RUNNING", "disks": [disk]}


def runtime_template(project: str, tid: str, *, hardened: bool) -> ai.NotebookRuntimeTemplate:
    body: dict[str, Any] = {"name": f"projects/{project}/locations/{sc.LOC}/notebookRuntimeTemplates/{tid}",
                            "displayName": f"template-{tid}", "machineSpec": {"machineType": "e2-standard-4"},
                            "notebookRuntimeType": "USER_DEFINED"}
    if hardened:
        body.update(networkSpec={"enableInternetAccess": False, "network": f"projects/{project}/global/networks/ai"},
                    idleShutdownConfig={"idleTimeout": "3600s"}, shieldedVmConfig={"enableSecureBoot": True},
                    encryptionSpec={"kmsKeyName": KMS.format(loc=sc.LOC, name="colab")})
    else:
        body.update(networkSpec={"enableInternetAccess": True}, idleShutdownConfig={"idleShutdownDisabled": True})
    return parse(ai.NotebookRuntimeTemplate, body)


def constraints(fake, project: str) -> None:
    """The hardened project's effective policies (getEffectivePolicy answers, inheritance merged)."""
    def pol(c: str, rule: dict[str, Any]) -> None:
        fake.constraints[(project, c)] = {"name": f"projects/{number(fake, project)}/policies/{c}", "spec": {"rules": [rule]}}

    pol("gcp.restrictNonCmekServices", {"values": {"deniedValues": ["aiplatform.googleapis.com", "notebooks.googleapis.com"]}})
    pol("gcp.restrictCmekCryptoKeyProjects", {"values": {"allowedValues": ["under:projects/kms-prj"]}})
    pol("gcp.resourceLocations", {"values": {"allowedValues": ["in:us-locations"]}})
    pol("iam.allowedPolicyMemberDomains", {"values": {"allowedValues": ["C0abc1234"]}})
    pol("ainotebooks.restrictPublicIp", {"enforce": True})
    pol("ainotebooks.disableRootAccess", {"enforce": True})


def populate(fake, project: str, *, hardened: bool) -> None:
    """The Vertex AI basics of gcp_scenario plus the estate around them."""
    sc.populate(fake, project, hardened=hardened)
    member = f"projects/{number(fake, project)}"
    fake.access_policies.setdefault(ORG, [{"name": POLICY, "parent": ORG, "title": "org", "etag": "1"}])
    fake.perimeters.setdefault(POLICY, [])
    if hardened:
        fake.perimeters[POLICY].append(perimeter(f"ai_{project.replace('-', '_')}", [member], [
            "aiplatform.googleapis.com", "modelarmor.googleapis.com", "storage.googleapis.com"]))
        constraints(fake, project)
    else:
        fake.perimeters[POLICY].append(perimeter(f"sandbox_{project.replace('-', '_')}", [member], ["storage.googleapis.com"],
                                                 dry_run=["storage.googleapis.com", "aiplatform.googleapis.com"]))
    fake.add(project, "us", "dataStores", data_store(project, "kb", hardened=hardened))
    cid = "4611686018427387904" if hardened else "2305843009213693952"
    fake.add(project, sc.LOC, "ragCorpora", rag_corpus(project, cid, hardened=hardened))
    src = ({"gcsSource": {"uris": [f"gs://{project}-kb/handbook.pdf"]}} if hardened else
           {"googleDriveSource": {"resourceIds": [{"resourceType": "RESOURCE_TYPE_FOLDER", "resourceId": "1AbC"}]}})
    fake.add(project, sc.LOC, f"ragFiles/{cid}", rag_file(project, cid, "1", src))
    fake.add(project, "-", "instances", workbench(project, "ds", hardened=hardened))
    fake.vms[(project, ZONE, "ds")] = vm(project, "ds", hardened=hardened)
    fake.add(project, sc.LOC, "notebookRuntimeTemplates", runtime_template(project, "1", hardened=hardened))
