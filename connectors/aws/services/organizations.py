"""AWS Organizations: the account tree and its service control policies, read once per scan.

Reads the whole tree (root -> OUs -> accounts) and every SCP with its targets, so the guardrail
check can evaluate each account's chain offline. A policy that is not valid JSON, or uses a
condition operator the evaluator cannot judge, is recorded as a gap.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from connectors.aws.context import AwsScan, paginate
from connectors.aws.errors import ACCESS_DENIED, error_code
from core import aws_policy as scp
from core.models import GapReason

SERVICE = "organizations"
SCOPE = "organization"
SCP = "SERVICE_CONTROL_POLICY"
PAGE = 20


def organization(scan: AwsScan, region: str) -> None:
    client = scan.client(SERVICE, region)
    try:
        org = client.describe_organization()["Organization"]
    except ClientError as exc:
        if error_code(exc) != "AWSOrganizationsNotInUseException":
            raise
        _organization_asset(scan, None, False, [])
        _account(scan, scan.account_id, scan.account_id, [], management=False)
        return
    try:
        root = paginate(client, "list_roots", "Roots", PAGE)[0]
    except ClientError as exc:
        if org.get("MasterAccountId") == scan.account_id or error_code(exc) not in ACCESS_DENIED:
            raise
        scan.record(
            SERVICE, "ListRoots", GapReason.ACCESS_DENIED,
            "SCPs are readable only from the management account or a delegated administrator: "
            "scan from there (with --org for every account), or leave organizations out with "
            "--services",
        )  # fmt: skip
        return
    enabled = any(
        t.get("Type") == SCP and t.get("Status") == "ENABLED" for t in root.get("PolicyTypes", [])
    )
    policies = paginate(client, "list_policies", "Policies", PAGE, Filter=SCP)
    attached: dict[str, list[str]] = {}
    for policy_id, targets in scan.map(lambda p: _policy(scan, client, p), policies):
        for target in targets:
            attached.setdefault(target, []).append(policy_id)
    _organization_asset(scan, org, enabled, [p["Id"] for p in policies])
    level = {"id": root["Id"], "type": "ROOT", "name": root.get("Name", "Root")}
    _walk(scan, client, org["MasterAccountId"], [level], attached)


READERS = (organization,)


def _organization_asset(
    scan: AwsScan, org: dict[str, Any] | None, enabled: bool, policy_ids: list[str]
) -> None:
    scan.asset(
        id=org["Arn"] if org else f"aws:organization:none:{scan.account_id}",
        kind="organizations.organization",
        name=org["Id"] if org else "no organization",
        region=None,
        categories=[],
        in_organization=org is not None,
        management_account=org.get("MasterAccountId") if org else None,
        scp_enabled=enabled,
        policies=policy_ids,
        scanned_from=scan.account_id,
    )


def _policy(scan: AwsScan, client: Any, policy: dict[str, Any]) -> tuple[str, list[str]]:
    """Record one SCP with its parsed document; returns (policy id, target ids)."""
    content = client.describe_policy(PolicyId=policy["Id"])["Policy"].get("Content", "")
    targets = paginate(client, "list_targets_for_policy", "Targets", PAGE, PolicyId=policy["Id"])
    document: dict[str, Any] | None
    try:
        document = json.loads(content)
        if not isinstance(document, dict):
            raise ValueError("the document is not a JSON object")
    except ValueError as exc:
        document = None
        scan.record(
            SERVICE,
            "DescribePolicy",
            GapReason.MALFORMED_RESPONSE,
            f"SCP {policy.get('Name')} is not valid JSON ({exc})",
            resource=policy["Arn"],
        )
    unsupported = scp.unsupported_operators(document) if document else []
    if unsupported:
        scan.record(
            SERVICE,
            "DescribePolicy",
            GapReason.UNSUPPORTED_CONTENT,
            f"SCP {policy.get('Name')} uses condition operators the evaluator cannot "
            f"judge: {', '.join(unsupported)}",
            resource=policy["Arn"],
        )
    scan.asset(
        id=policy["Arn"],
        kind="organizations.policy",
        name=policy.get("Name", policy["Id"]),
        region=None,
        categories=[],
        policy_id=policy["Id"],
        aws_managed=policy.get("AwsManaged"),
        document=document,
        targets=[t["TargetId"] for t in targets],
        unsupported_operators=unsupported,
    )
    return policy["Id"], [t["TargetId"] for t in targets]


def _walk(
    scan: AwsScan,
    client: Any,
    management: str,
    path: list[dict[str, Any]],
    attached: dict[str, list[str]],
) -> None:
    parent = path[-1]["id"]
    for account in paginate(client, "list_accounts_for_parent", "Accounts", PAGE, ParentId=parent):
        chain = [{**level, "policies": attached.get(level["id"], [])} for level in path]
        chain.append(
            {
                "id": account["Id"],
                "type": "ACCOUNT",
                "name": account.get("Name", ""),
                "policies": attached.get(account["Id"], []),
            }
        )
        _account(
            scan,
            account["Id"],
            account.get("Name", account["Id"]),
            chain,
            management=account["Id"] == management,
        )
    units = paginate(
        client, "list_organizational_units_for_parent", "OrganizationalUnits", PAGE, ParentId=parent
    )
    for unit in units:
        level = {"id": unit["Id"], "type": "ORGANIZATIONAL_UNIT", "name": unit.get("Name", "")}
        _walk(scan, client, management, [*path, level], attached)


def _account(
    scan: AwsScan, account_id: str, name: str, chain: list[dict[str, Any]], *, management: bool
) -> None:
    scan.asset(
        id=f"aws:account:{account_id}",
        kind="organizations.account",
        name=name,
        region=None,
        categories=[],
        account_id=account_id,
        management=management,
        chain=chain,
    )
