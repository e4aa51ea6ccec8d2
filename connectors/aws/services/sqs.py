"""SQS queues: messages wait in the queue's region."""

from __future__ import annotations

from connectors.aws.context import AwsScan
from connectors.aws.services.inventory import list_assets

SERVICE = "sqs"


def queues(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="list_queues",
        key="QueueUrls",
        kind="sqs.queue",
        categories=["messages"],
        page_size=1000,
        identify=lambda url: (
            scan.arn(SERVICE, region, url.rstrip("/").rsplit("/", 1)[-1]),
            url.rstrip("/").rsplit("/", 1)[-1],
        ),
    )


READERS = (queues,)
