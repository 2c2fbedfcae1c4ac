"""The permission documents ``aiposture permissions aws|azure|gcp`` prints, built from the specs alone
(no collector or SDK is imported: the command must stay instant)."""

from __future__ import annotations

from typing import Any

from aiposture import specs


def aws_policy() -> dict[str, Any]:
    """IAM policy for the scanning role: every action the specs' calls need."""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AiPostureReadOnly", "Effect": "Allow", "Action": specs.permissions("aws"), "Resource": "*"},
    ]}


def azure_role() -> dict[str, Any]:
    """A custom role with exactly the reads the collector makes."""
    return {
        "Name": "aiposture reader",
        "IsCustom": True,
        "Description": "Read-only access for aiposture scans of Azure OpenAI / AI services (no key access).",
        "Actions": specs.permissions("azure"),
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": ["/subscriptions/<subscription-id>"],
    }


def gcp_role() -> dict[str, Any]:
    """A custom IAM role (gcloud iam roles create --file) with exactly the permissions the collector uses."""
    return {"title": "aiposture reader", "description": "Read-only access for aiposture scans of Vertex AI and Model Armor",
            "stage": "GA", "includedPermissions": specs.permissions("gcp")}
