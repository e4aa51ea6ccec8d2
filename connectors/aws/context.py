"""What an AWS service reader gets: one account's clients and regions, plus what a scan shares.

Readers run as (region, reader) units on the unit pool; their per-resource fan-out goes to a
separate pool so that a unit waiting for its fan-out can never starve the pool it runs on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from connectors.aws.errors import AWS_ERRORS, error_code, gap_message, gap_reason
from connectors.aws.session import AwsClients
from connectors.base import GapRecorder, Recorder
from core.models import Asset, Flow, GapReason

T = TypeVar("T")
R = TypeVar("R")
FANOUT_THREAD = "aws-fanout"


class Memo:
    """Compute each key once across threads: later callers wait for the first caller's result.

    The first caller computes in its own (running) thread, so waiting never needs a free worker.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[Any, Future[Any]] = {}

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if owner:
                future = self._futures[key] = Future()
        assert future is not None
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            if key not in self._futures:
                future: Future[Any] = Future()
                future.set_result(value)
                self._futures[key] = future


@dataclass
class Shared:
    """One scan's recorder, pools and caches, shared by every account."""

    recorder: Recorder
    units: ThreadPoolExecutor
    fanout: ThreadPoolExecutor
    bucket_regions: Memo = field(default_factory=Memo)
    listings: Memo = field(default_factory=Memo)


@dataclass
class AwsScan(GapRecorder):
    provider = "aws"
    errors = AWS_ERRORS

    clients: AwsClients
    shared: Shared
    account_id: str
    partition: str
    regions: list[str] = field(default_factory=list)
    opt_in_regions: set[str] = field(default_factory=set)  # listed by ListRegions as opt-in

    @property
    def recorder(self) -> Recorder:
        return self.shared.recorder

    @property
    def home_region(self) -> str:
        return self.clients.home_region

    def client(self, service: str, region: str | None = None) -> Any:
        return self.clients.client(service, region)

    def classify(
        self, operation: str, error: Exception, region: str | None = None
    ) -> tuple[GapReason, str]:
        return gap_reason(error, region in self.opt_in_regions), gap_message(error)

    def context(self) -> str:
        """Every AWS gap names the account it was read in."""
        return f"account {self.account_id}: "

    def call(
        self,
        service: str,
        region: str,
        operation: str,
        resource: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """One per-resource call; a failure becomes a gap for that resource and returns None."""
        return self.call_optional(service, region, operation, (), resource, **kwargs)[0]

    def call_optional(
        self,
        service: str,
        region: str | None,
        operation: str,
        absent: Collection[str],
        resource: str | None = None,
        **kwargs: Any,
    ) -> tuple[dict[str, Any] | None, bool]:
        """A call reading a setting that may not exist: ``(answer, False)``; ``(None, True)``
        when AWS answers an error code in ``absent`` (no such configuration); ``(None, False)``
        for any other failure, recorded as a gap for ``resource``."""
        client = self.client(service, region)
        return self.attempt(
            service,
            client.meta.method_to_api_mapping.get(operation, operation),
            lambda: getattr(client, operation)(**kwargs),
            resource=resource,
            region=region,
            absent=lambda exc: isinstance(exc, ClientError) and error_code(exc) in absent,
            read=False,
        )

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``function`` over ``items`` on the fan-out pool, in order (inline when nested)."""
        if threading.current_thread().name.startswith(FANOUT_THREAD):
            return [function(item) for item in items]
        return list(self.shared.fanout.map(function, items))

    def arn(self, service: str, region: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def asset(
        self,
        *,
        id: str,
        kind: str,
        name: str,
        region: str | None,
        categories: list[str],
        **attributes: Any,
    ) -> Asset:
        asset = Asset(
            id=id,
            provider="aws",
            kind=kind,
            name=name,
            location=f"aws:{region}" if region else None,
            data_categories=categories,
            attributes={"account": self.account_id, "region": region, **attributes},
        )
        self.recorder.asset(asset)
        return asset

    def audit_log(
        self,
        *,
        id: str,
        name: str,
        available: bool | None,
        retention_days: int | None,
        source: str,
        **attributes: Any,
    ) -> Asset:
        """A log that helps reconstruct a breach (the convention of ``checks/breach_readiness``):
        not located, no data categories of its own; ``available`` None means "could not tell"."""
        asset = Asset(
            id=id,
            provider="aws",
            kind="audit_log",
            name=name,
            location=None,
            data_categories=[],
            attributes={
                "account": self.account_id,
                "available": available,
                "retention_days": retention_days,
                "source": source,
                **{k: v for k, v in attributes.items() if v is not None},
            },
        )
        self.recorder.asset(asset)
        return asset

    def flow(
        self,
        *,
        id: str,
        kind: str,
        source: str,
        region: str | None,
        destination_name: str,
        **attributes: Any,
    ) -> Flow:
        """A copy of ``source``'s data landing in ``region`` (None: the region is unknown)."""
        flow = Flow(
            id=id,
            provider="aws",
            kind=kind,
            source=source,
            destination=f"aws:{region}" if region else None,
            destination_name=destination_name,
            attributes={"account": self.account_id, **attributes},
        )
        self.recorder.flow(flow)
        return flow

    def replica_flows(
        self,
        *,
        source: str,
        home: str,
        path: str,
        replicas: Iterable[dict[str, Any]],
        region_key: str,
        label: str,
        name_key: str | None = None,
        fields: dict[str, str] | None = None,
        **attributes: Any,
    ) -> None:
        """One replication flow from ``source`` (in ``home``) to the region of each replica
        (``replica[region_key]``) other than ``home``, named after ``replica[name_key]`` or
        ``label``. ``fields`` maps flow attributes to replica fields; ``attributes`` are the
        same for every flow."""
        for replica in replicas:
            region = replica.get(region_key)
            if region in (None, home):
                continue
            name = (replica.get(name_key) if name_key else None) or label
            self.flow(
                id=f"{source}/replica/{region}",
                kind="replication",
                source=source,
                region=region,
                destination_name=f"{name} ({region})",
                path=path,
                **attributes,
                **{key: replica.get(field) for key, field in (fields or {}).items()},
            )

    def reporter(self, regions: Iterable[str | None]) -> str | None:
        """The first of ``regions`` (source first) that the scan reads: a configuration every
        member region shows is reported once, by the source unless its region is skipped."""
        return next((r for r in regions if r in self.regions), None)


def paginate(
    client: Any, operation: str, key: str, page_size: int | None = None, **kwargs: Any
) -> list[Any]:
    """Every item under ``key`` across all pages, asking for the largest page the API allows."""
    if page_size:
        kwargs["PaginationConfig"] = {"PageSize": page_size}
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def arn_region(arn: str | None) -> str | None:
    """The region field of an ARN (``arn:partition:service:region:account:resource``)."""
    parts = (arn or "").split(":")
    return parts[3] or None if len(parts) > 5 else None


def arn_account(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[4] or None if len(parts) > 5 else None
