"""What every connector shares: the interface, the read-only gate, call counting and gap records.

A connector speaks to one provider, judges nothing, and returns a :class:`Collection`. Everything
that would otherwise be copied between connectors lives here.
"""

from __future__ import annotations

import abc
import collections
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from core.errors import ReadOnlyViolation
from core.models import Asset, Collection, Flow, Gap, GapReason
from core.secrets import redact
from core.text import scrub

ProgressCallback = Callable[[str], None]
log = logging.getLogger("residency.connectors")


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Target:
    """One thing to scan: a provider plus its settings (profile, tenant id, token reference...)."""

    name: str
    provider: str
    settings: dict[str, Any] = field(default_factory=dict)


class ReadOnlyGate:
    """An allow-list of read operations; anything else raises before it leaves the process."""

    def __init__(self, provider: str, allowed: Iterable[str]) -> None:
        self.provider = provider
        self.allowed = frozenset(allowed)

    def check(self, operation: str) -> None:
        if operation not in self.allowed:
            raise ReadOnlyViolation(
                f"{self.provider}: operation {operation} is not on the read-only allow-list; "
                "the scanner never changes a cloud"
            )


class CallLedger:
    """Thread-safe count of API calls per operation, reported with every collection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: collections.Counter[str] = collections.Counter()

    def count(self, operation: str) -> None:
        with self._lock:
            self._counts[operation] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


class Recorder:
    """Collects gaps and 'what was read' notes from many threads into one Collection."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self._lock = threading.Lock()

    def gap(
        self,
        *,
        provider: str,
        service: str,
        operation: str,
        reason: GapReason,
        message: str,
        resource: str | None = None,
        region: str | None = None,
    ) -> None:
        gap = Gap(provider, service, operation, reason, redact(message), resource, region)
        log.info(
            "%s: gap in %s %s%s: %s: %s",
            self.collection.target,
            service,
            operation,
            f" ({' '.join(p for p in (region, resource) if p)})" if region or resource else "",
            reason,
            gap.message,
        )
        with self._lock:
            self.collection.gaps.append(gap)

    def asset(self, asset: Asset) -> None:
        with self._lock:
            self.collection.assets.append(asset)

    def flow(self, flow: Flow) -> None:
        with self._lock:
            self.collection.flows.append(flow)

    def read(self, what: str) -> None:
        what = redact(what)
        with self._lock:
            if what not in self.collection.read:
                self.collection.read.append(what)


class Connector(abc.ABC):
    """One provider's reader. Subclasses set ``provider`` and implement :meth:`collect`."""

    provider: ClassVar[str]

    def __init__(
        self,
        target: Target,
        progress: ProgressCallback | None = None,
        ledger: CallLedger | None = None,
    ) -> None:
        """``ledger`` lets a caller share a rate budget: it is told of every call before it
        is sent (see scanner.multiscan.LimitedLedger)."""
        self.target = target
        self.progress: ProgressCallback = progress or (lambda _step: None)
        self.ledger = ledger or CallLedger()

    def new_collection(self) -> Collection:
        return Collection(target=self.target.name, provider=self.provider, started_at=utcnow())

    def finish(self, collection: Collection) -> Collection:
        """Stamp the end; cloud text with lone surrogates is cleaned here, once for every
        connector, so no report format can fail to encode it."""
        scrub(collection)
        collection.finished_at = utcnow()
        collection.calls = self.ledger.snapshot()
        return collection

    @abc.abstractmethod
    def collect(self) -> Collection:
        """Read the target and return its evidence. Must not raise for per-resource failures:
        those become gaps. May raise :class:`core.errors.AuthError` when nothing can be read."""

    @classmethod
    @abc.abstractmethod
    def permissions(cls) -> dict[str, Any]:
        """The least privileges this connector needs, derived from its read-only allow-list."""
