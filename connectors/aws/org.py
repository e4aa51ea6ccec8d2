"""Whole organisations and MSP clients: list member accounts, assume a role in each.

A role that cannot be assumed is a gap for that account; the other accounts are still scanned.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AWS_ERRORS, AwsScan, paginate
from connectors.aws.session import AwsClients
from core.secrets import Secret, resolve_secret

SESSION_NAME = "eu-residency-scanner"


def member_accounts(scan: AwsScan) -> list[dict[str, Any]]:
    """Active accounts of the organisation other than the caller's (empty plus a gap on error)."""
    try:
        accounts = paginate(scan.client("organizations"), "list_accounts", "Accounts", page_size=20)
    except AWS_ERRORS as exc:
        scan.failed("organizations", "ListAccounts", exc)
        return []
    active = [a for a in accounts if (a.get("State") or a.get("Status")) == "ACTIVE"]
    skipped = len(accounts) - len(active)
    scan.recorder.read(
        f"organizations: {len(accounts)} accounts" + (f" ({skipped} not active)" if skipped else "")
    )
    return [a for a in active if a["Id"] != scan.account_id]


def external_id(reference: str | None) -> Secret | None:
    """The ExternalId reference resolved up front, so a missing one stops the scan at once."""
    return resolve_secret(reference, where="aws --external-id") if reference else None


def assume(scan: AwsScan, account_id: str, role: str, external: Secret | None) -> AwsClients | None:
    """Clients in ``account_id`` through ``role``, or None and a gap."""
    request: dict[str, Any] = {
        "RoleArn": f"arn:{scan.partition}:iam::{account_id}:role/{role}",
        "RoleSessionName": SESSION_NAME,
    }
    if external:
        request["ExternalId"] = external.reveal()
    try:
        credentials = scan.client("sts").assume_role(**request)["Credentials"]
    except AWS_ERRORS as exc:
        scan.failed("sts", "AssumeRole", exc, resource=request["RoleArn"])
        return None
    return scan.clients.assumed(credentials)
