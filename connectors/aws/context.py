"""What an AWS service module gets: clients, the account, the recorder and a worker pool."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.aws.errors import gap_message, gap_reason
from connectors.aws.session import AwsClients
from connectors.base import Recorder

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class AwsScan:
    clients: AwsClients
    recorder: Recorder
    account_id: str
    partition: str
    regions: list[str]
    pool: ThreadPoolExecutor

    def gap(
        self,
        service: str,
        operation: str,
        exc: Exception,
        resource: str | None = None,
        region: str | None = None,
    ) -> None:
        self.recorder.gap(
            provider="aws",
            service=service,
            operation=operation,
            reason=gap_reason(exc),
            message=gap_message(exc),
            resource=resource,
            region=region,
        )

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Run ``function`` over ``items`` on the shared worker pool, keeping order."""
        return list(self.pool.map(function, items))

    def arn(self, service: str, region: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"


def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item under ``key`` across all pages of a paginated operation."""
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items
