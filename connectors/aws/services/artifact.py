"""AWS Artifact customer agreements, as contract evidence where readable.

The AWS GDPR DPA is part of the Service Terms and applies automatically, so an empty or
unreadable list never means "no DPA"; an unreadable list is a note, not a gap.
"""

from __future__ import annotations

from connectors.aws.context import AWS_ERRORS, AwsScan, paginate
from connectors.aws.errors import gap_message

SERVICE = "artifact"
SCOPE = "organization"


def agreements(scan: AwsScan, region: str) -> None:
    try:
        found = paginate(
            scan.client(SERVICE, "us-east-1"), "list_customer_agreements", "customerAgreements", 300
        )
    except AWS_ERRORS as exc:
        scan.recorder.read(f"artifact: agreements not readable ({gap_message(exc)})")
        return
    for agreement in found:
        scan.asset(
            id=agreement.get("arn") or f"aws:artifact:{agreement.get('id')}",
            kind="artifact.agreement",
            name=agreement.get("name", "agreement"),
            region=None,
            categories=[],
            state=agreement.get("state"),
            type=agreement.get("type"),
            effective_start=str(agreement.get("effectiveStart") or ""),
            organization=agreement.get("organizationArn"),
        )
    scan.recorder.read(f"artifact: {len(found)} customer agreements")


READERS = (agreements,)
