"""Kinesis data streams."""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan

SERVICE = "kinesis"


def streams(scan: AwsScan, region: str) -> None:
    pages = (
        scan.client(SERVICE, region)
        .get_paginator("list_streams")
        .paginate(PaginationConfig={"PageSize": 10000})
    )
    found: dict[str, Any] = {}
    for page in pages:
        for summary in page.get("StreamSummaries") or []:
            found[summary["StreamName"]] = summary.get("StreamARN")
        for name in page.get("StreamNames") or []:
            found.setdefault(name, None)
    for name, arn in found.items():
        scan.asset(
            id=arn or scan.arn(SERVICE, region, f"stream/{name}"),
            kind="kinesis.stream",
            name=name,
            region=region,
            categories=["events"],
        )
    if found:
        scan.recorder.read(f"kinesis.stream ({scan.account_id}, {region}): {len(found)}")


READERS = (streams,)
