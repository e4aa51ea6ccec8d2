"""Shared by the access readers: each grant on a data store becomes an ``access_grant`` flow.

The flow goes from the store (its asset id) to the recipient the grant names; its destination is
unknown (another account's regions are not readable), and its attributes carry the grant as
:mod:`core.aws_grants` evaluated it, so the access checks judge it without the SDK.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.aws.context import AwsScan
from core.aws_grants import Grant
from core.models import GapReason

LABELS = {
    "public": "anyone (public)",
    "organization": "organisation {principal}",
    "account": "account {account}",
    "service": "service {service}",
    "federated": "identity provider {principal}",
    "canonical_user": "canonical user {principal}",
}


def grant_flows(
    scan: AwsScan,
    *,
    source: str,
    name: str,
    region: str | None,
    resource_kind: str,
    grants: list[Grant],
    **attributes: Any,
) -> None:
    """One flow per grant from ``source`` (named ``name``, a ``resource_kind`` in ``region``)."""
    for grant in grants:
        who = grant.account or grant.service or grant.principal
        scan.flow(
            id=f"{source}/access/{grant.via}/{who}",
            kind="access_grant",
            source=source,
            region=None,
            destination_name=LABELS[grant.recipient].format(**grant.to_dict()),
            source_name=name,
            source_region=region,
            resource_kind=resource_kind,
            **grant.to_dict(),
            **attributes,
        )


def parse_policy(
    scan: AwsScan, text: str | None, service: str, operation: str, resource: str, region: str | None
) -> dict[str, Any] | None:
    """A policy document from its JSON text; a malformed one is a gap (and None)."""
    try:
        document = json.loads(text or "{}")
    except ValueError as exc:
        scan.record(
            service, operation, GapReason.MALFORMED_RESPONSE, f"policy is not JSON ({exc})",
            resource=resource, region=region,
        )  # fmt: skip
        return None
    return document if isinstance(document, dict) else {}
