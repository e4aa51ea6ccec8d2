"""Who else can act as the account's IAM roles: each role's trust policy.

A separate reader (``--services iam-access``), once per account: one paginated ListRoles, whose
answer carries every trust policy. A role another account may assume hands that account
whatever the role can read. Roles that AWS services assume (Lambda execution roles, service-linked
roles) are the service acting for the account, not another party, and are left out.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.grants import grant_flows
from core.aws_grants import policy_grants

SERVICE = "iam-access"
CLIENT = "iam"
SCOPE = "account"
ASSUMES = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")


def role_trust(scan: AwsScan, region: str) -> None:
    roles = paginate(scan.client(CLIENT, region), "list_roles", "Roles", 1000)
    for role in roles:
        grant_flows(
            scan,
            source=role["Arn"],
            name=role["RoleName"],
            region=None,
            resource_kind="iam.role",
            grants=[
                g
                for g in policy_grants(trust_document(role), ASSUMES, scan.account_id)
                if g.recipient != "service"
            ],
        )
    if roles:
        scan.recorder.read(f"iam.role ({scan.account_id}): {len(roles)}")


READERS = (role_trust,)


def trust_document(role: dict[str, Any]) -> dict[str, Any]:
    """boto3 decodes the URL-encoded document into a dict; some answers keep it as text."""
    document = role.get("AssumeRolePolicyDocument") or {}
    if isinstance(document, str):
        document = json.loads(unquote(document))
    return document if isinstance(document, dict) else {}
