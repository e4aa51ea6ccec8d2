"""SNS topics."""

from __future__ import annotations

from connectors.aws.context import AwsScan
from connectors.aws.services.inventory import list_assets

SERVICE = "sns"


def topics(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="list_topics",
        key="Topics",
        kind="sns.topic",
        categories=["messages"],
        identify=lambda t: (t["TopicArn"], t["TopicArn"].rsplit(":", 1)[-1]),
    )


READERS = (topics,)
