"""CloudWatch Logs log groups (application logs often hold personal data).

Log data is always encrypted at rest: with a KMS key when ``kmsKeyId`` is set, otherwise with
keys CloudWatch Logs manages. ``retentionInDays`` absent means the group never expires. The
region's listing is shared with CloudTrail (a trail's CloudWatch Logs group), so
DescribeLogGroups is sent once per region (per page).
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.encryption import at_rest
from connectors.aws.services.inventory import record_assets

SERVICE = "logs"


def listed_log_groups(scan: AwsScan, region: str | None) -> list[dict[str, Any]]:
    """The region's log groups, listed once per scan however many readers ask."""
    return scan.shared.listings.get(
        (SERVICE, scan.account_id, region),
        lambda: paginate(scan.client(SERVICE, region), "describe_log_groups", "logGroups", 50),
    )


def log_groups(scan: AwsScan, region: str) -> None:
    record_assets(
        scan,
        region,
        listed_log_groups(scan, region),
        kind="logs.log_group",
        categories=["logs"],
        identify=lambda g: (
            g.get("arn") or scan.arn(SERVICE, region, f"log-group:{g['logGroupName']}"),
            g["logGroupName"],
        ),
        describe=lambda g: {
            "retention_days": g.get("retentionInDays"),
            **at_rest(True, g.get("kmsKeyId"), "KMS" if g.get("kmsKeyId") else "service managed"),
        },
    )


READERS = (log_groups,)
