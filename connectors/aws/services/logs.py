"""CloudWatch Logs log groups (application logs often hold personal data).

Log data is always encrypted at rest: with a KMS key when ``kmsKeyId`` is set, otherwise with
keys CloudWatch Logs manages. ``retentionInDays`` absent means the group never expires.
"""

from __future__ import annotations

from connectors.aws.context import AwsScan
from connectors.aws.services.encryption import at_rest
from connectors.aws.services.inventory import list_assets

SERVICE = "logs"


def log_groups(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="describe_log_groups",
        key="logGroups",
        kind="logs.log_group",
        categories=["logs"],
        page_size=50,
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
