"""The AWS connector: who am I, which accounts and regions, then every (region, reader) unit.

Units run on a bounded pool; a failing unit becomes a gap naming its operation and region and
the rest of the scan completes.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from connectors.aws import org, regions
from connectors.aws.allowlist import (
    credential_sources,
    iam_policy,
    member_role,
    member_role_trust,
    operations,
)
from connectors.aws.context import AWS_ERRORS, FANOUT_THREAD, AwsScan, Shared
from connectors.aws.errors import start_error
from connectors.aws.services import SERVICES
from connectors.aws.session import AwsClients
from connectors.aws.settings import AwsSettings
from connectors.base import Connector, Recorder
from core.errors import UsageError
from core.models import Collection, GapReason

MALFORMED = (LookupError, TypeError, ValueError, AttributeError)  # LookupError: Key, Index


@dataclass(frozen=True)
class Service:
    module: ModuleType

    @property
    def name(self) -> str:
        return str(self.module.SERVICE)

    @property
    def scope(self) -> str:
        """``regional``, ``account`` (once per account) or ``organization`` (once per scan)."""
        return str(getattr(self.module, "SCOPE", "regional"))


def selected_services(names: Sequence[str]) -> list[Service]:
    services = [Service(importlib.import_module(m)) for m in SERVICES]
    if not names:
        return services
    known = {s.name for s in services}
    unknown = sorted(set(names) - known)
    if unknown:
        raise UsageError(
            f"unknown AWS service(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return [s for s in services if s.name in names]


class AwsConnector(Connector):
    provider = "aws"

    def collect(self) -> Collection:
        collection = self.new_collection()
        settings = AwsSettings.from_settings(self.target.settings, f"target {self.target.name}")
        services = selected_services(settings.services)
        external = org.external_id(settings.external_id)
        try:
            clients = AwsClients(settings, self.ledger)
            self.progress("checking credentials")
            identity = clients.client("sts").get_caller_identity()
        except AWS_ERRORS as exc:
            raise start_error(exc, f"aws target {self.target.name}") from None
        partition = identity["Arn"].split(":")[1]
        collection.identity = {
            "account_id": identity["Account"],
            "partition": partition,
            "arn": identity["Arn"],
            "processor": "aws",
            "services": sorted({s.name for s in services}),
        }
        unit_workers, fanout_workers = split_workers(settings.workers)
        with (
            ThreadPoolExecutor(unit_workers, thread_name_prefix="aws-unit") as units,
            ThreadPoolExecutor(fanout_workers, thread_name_prefix=FANOUT_THREAD) as fanout,
        ):
            shared = Shared(Recorder(collection), units, fanout)
            main = AwsScan(clients, shared, identity["Account"], partition)
            scans = [main]
            if settings.org:
                self.progress("listing the organisation's accounts")
                role = settings.role_name or member_role()
                members = org.member_accounts(main)
                assumed = main.map(lambda a: org.assume(main, a["Id"], role, external), members)
                scans += [
                    AwsScan(c, shared, a["Id"], partition)
                    for a, c in zip(members, assumed, strict=True)
                    if c is not None
                ]
                collection.identity["organization_accounts"] = len(members) + 1
                collection.identity["scanned_accounts"] = sorted(s.account_id for s in scans)
            needs_regions = any(s.scope == "regional" for s in services)
            if needs_regions:
                self.progress("discovering regions")
                main.map(lambda s: self._discover(s, settings.regions), scans)
            collection.identity["regions"] = sorted({r for s in scans for r in s.regions})
            futures = self._schedule(scans, services, units)
            self.progress(f"reading {len(futures)} (account, region, service) units")
            for future in futures:
                future.result()
        return self.finish(collection)

    @staticmethod
    def _discover(scan: AwsScan, requested: tuple[str, ...]) -> None:
        scan.regions = regions.discover(scan, requested)

    def _schedule(
        self, scans: list[AwsScan], services: list[Service], units: ThreadPoolExecutor
    ) -> list[Future[None]]:
        futures: list[Future[None]] = []
        for index, scan in enumerate(scans):
            for service in services:
                if service.scope == "organization" and index:
                    continue
                where = [scan.home_region]
                if service.scope == "regional":
                    where = offered_regions(scan, service.name)
                for region in where:
                    for reader in service.module.READERS:
                        futures.append(units.submit(_run_unit, scan, service, reader, region))
        return futures

    @classmethod
    def permissions(cls) -> dict[str, Any]:
        return {
            "provider": "aws",
            "iam_policy": iam_policy(),
            "operations": sorted(operations()),
            "member_role": member_role_trust(),
            "credential_sources": credential_sources(),
        }


def split_workers(workers: int) -> tuple[int, int]:
    """Threads for units and for their fan-out. Both pools make calls and each needs a thread
    (a unit may wait for its fan-out), so they share ``workers``: at most max(workers, 2)
    calls are in flight."""
    units = max(1, workers // 2)
    return units, max(1, workers - units)


def offered_regions(scan: AwsScan, service: str) -> list[str]:
    """The scan's regions where ``service`` exists. A service not offered in a region botocore
    knows holds no data there; a region botocore does not know yet is always asked."""
    session = scan.clients.session
    known = set(session.get_available_regions("ec2", scan.partition))
    offered = set(session.get_available_regions(service, scan.partition))
    if not offered:
        return list(scan.regions)
    skipped = [r for r in scan.regions if r in known and r not in offered]
    if skipped:
        scan.recorder.read(f"{service}: not offered in {', '.join(skipped)}")
    return [r for r in scan.regions if r not in skipped]


def _run_unit(scan: AwsScan, service: Service, reader: Any, region: str) -> None:
    """One reader in one region; an API error or a malformed answer becomes a gap."""
    try:
        reader(scan, region)
    except AWS_ERRORS as exc:
        operation = getattr(exc, "operation_name", None) or reader.__name__
        scan.failed(service.name, operation, exc, region=region)
    except MALFORMED as exc:
        scan.record(
            service.name,
            reader.__name__,
            GapReason.MALFORMED_RESPONSE,
            f"unexpected answer shape ({type(exc).__name__}: {exc})",
            region=region,
        )
