"""IAM for the Bedrock scan: one authorization snapshot per account, read once, dropped with the account.

``GetAccountAuthorizationDetails`` gives every user, role, group and
customer/AWS managed policy with its documents. From it come the
``identity_binding`` resources (which policies let a principal invoke models,
with wildcards, conditions, a required guardrail) and the privileges of the
roles agents, knowledge bases and customization jobs run as. A document that
cannot be read is unknown, never "grants nothing".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiposture.collect.aws_transport import MalformedResponse
from aiposture.normalize import aws as naws

UNKNOWN_GRANT = {"actions_wildcard": None, "resources_wildcard": None, "conditions": None, "guardrail_required": None}


@dataclass
class Snapshot:
    users: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)  # by ARN
    groups: list[dict[str, Any]] = field(default_factory=list)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # ARN -> {name, doc}
    user_arns: dict[str, str] = field(default_factory=dict)  # user name -> ARN


def load(iam_client, pages_of) -> Snapshot:
    """Read the account's authorization details (paged)."""
    snap = Snapshot()
    for page in pages_of(iam_client, "get_account_authorization_details"):
        snap.users += [u for u in page.get("UserDetailList") or [] if isinstance(u, dict) and u.get("Arn")]
        snap.groups += [g for g in page.get("GroupDetailList") or [] if isinstance(g, dict) and g.get("Arn")]
        for r in page.get("RoleDetailList") or []:
            if isinstance(r, dict) and r.get("Arn"):
                snap.roles[r["Arn"]] = r
        for p in page.get("Policies") or []:
            if not isinstance(p, dict) or not p.get("Arn"):
                raise MalformedResponse("GetAccountAuthorizationDetails: a policy without an ARN")
            versions = p.get("PolicyVersionList") or []
            default = next((v for v in versions if isinstance(v, dict) and v.get("IsDefaultVersion")), None)
            snap.policies[p["Arn"]] = {"name": p.get("PolicyName") or p["Arn"].rsplit("/", 1)[-1],
                                       "doc": (default or {}).get("Document")}
    snap.user_arns = {str(u.get("UserName")): u["Arn"] for u in snap.users if u.get("UserName")}
    return snap


def _docs(p: dict[str, Any], inline_key: str) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
    """(inline (name, document) pairs, attached managed (arn, name) pairs) of a principal."""
    inline = [(str(x.get("PolicyName") or ""), x.get("PolicyDocument")) for x in p.get(inline_key) or [] if isinstance(x, dict)]
    managed = [(str(m.get("PolicyArn") or ""), str(m.get("PolicyName") or "")) for m in p.get("AttachedManagedPolicies") or []
               if isinstance(m, dict)]
    return inline, managed


def known_managed(name: str) -> Any:
    """What a well-known AWS managed policy grants, when the account snapshot did not include its document."""
    if name in naws.ADMIN_MANAGED:
        return {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    if name in naws.BROAD_MANAGED:
        return {"Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}
    return None  # unknown document: no invoke grant can be shown


def role_facts(snap: Snapshot | None, role_arn: Any) -> dict[str, Any] | None:
    """{id, admin, wildcard_actions} of a role; the privileges are null when they cannot be judged."""
    if not role_arn or not isinstance(role_arn, str):
        return None
    role = snap.roles.get(role_arn) if snap is not None else None
    if role is None:  # IAM unreadable, a role in another account, or deleted: cannot judge
        return {"id": role_arn, "admin": None, "wildcard_actions": None}
    inline, managed = _docs(role, "RolePolicyList")
    docs = [d for _, d in inline] + [snap.policies[arn]["doc"] for arn, _ in managed if snap and arn in snap.policies]
    return {"id": role_arn, **naws.role_privileges(docs, [n for _, n in managed])}


PRINCIPALS = (("user", "users", "UserPolicyList", "UserName"), ("role", "roles", "RolePolicyList", "RoleName"),
              ("group", "groups", "GroupPolicyList", "GroupName"))


def bindings(snap: Snapshot) -> Iterator[tuple[str, str, dict[str, Any], bool]]:
    """(resource id, name, attrs, readable) for every policy that lets a principal invoke models.

    ``readable`` is False for a policy document that could not be parsed: its grant
    attributes are null (unknown), so the rules that read them report ``error``.
    """
    for ptype, key, inline_key, name_key in PRINCIPALS:
        principals = snap.roles.values() if key == "roles" else getattr(snap, key)
        for p in principals:
            if str(p.get("Path") or "").startswith("/aws-service-role/"):
                continue  # service-linked roles are managed by AWS
            inline, managed = _docs(p, inline_key)
            items = [(f"{p['Arn']}/inline/{name}", name, doc) for name, doc in inline]
            items += [(f"{p['Arn']}/attached/{name}", arn, snap.policies[arn]["doc"] if arn in snap.policies
                       else known_managed(name)) for arn, name in managed]
            for rid, policy, doc in items:
                grant = naws.invoke_grant(doc)
                readable = doc is None or naws.statements(doc) is not None
                if grant is None and readable:
                    continue
                attrs = {"principal": {"type": ptype, "id": p["Arn"]}, "role_or_policy": policy, **(grant or UNKNOWN_GRANT)}
                yield rid, f"{p.get(name_key) or p['Arn']} / {policy.rsplit('/', 1)[-1]}", attrs, readable
