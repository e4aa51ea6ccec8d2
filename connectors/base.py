"""What every connector shares: the interface, the read-only gate, call counting and gap records.

A connector speaks to one provider, judges nothing, and returns a :class:`Collection`. Everything
that would otherwise be copied between connectors lives here.
"""

from __future__ import annotations

import abc
import collections
import importlib
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from core.errors import ReadOnlyViolation
from core.models import Asset, Collection, Flow, Gap, GapReason
from core.secrets import redact
from core.text import scrub

T = TypeVar("T")
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

    def gap(self, gap: Gap) -> None:
        where = " ".join(p for p in (gap.region, gap.resource) if p)
        log.info(
            "%s: gap in %s %s%s: %s: %s",
            self.collection.target,
            gap.service,
            gap.operation,
            f" ({where})" if where else "",
            gap.reason,
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


class GapRecorder(abc.ABC):
    """One provider's reads, where a failed call becomes a recorded gap instead of an exception.

    A provider says which exceptions a call can fail with (``errors``) and how to word one
    (:meth:`classify`); :meth:`attempt` / :meth:`attempt_async` run a call and return
    ``(answer, absent)``: ``(None, True)`` when ``absent(error)`` says the thing simply does not
    exist (no gap), ``(None, False)`` after recording any other failure as a gap.
    """

    provider: ClassVar[str]
    errors: ClassVar[tuple[type[Exception], ...]]
    recorder: Recorder

    @abc.abstractmethod
    def classify(
        self, operation: str, error: Exception, region: str | None = None
    ) -> tuple[GapReason, str]:
        """(reason, one-line message) for a failed call, without recording anything."""

    def stop(self, error: Exception) -> None:
        """Raise for a failure that must end the whole target rather than become a gap (by
        default none does)."""
        return None

    def context(self) -> str:
        """What every gap message of this reader starts with (none by default)."""
        return ""

    def record(
        self,
        service: str,
        operation: str,
        reason: GapReason,
        message: str,
        resource: str | None = None,
        region: str | None = None,
    ) -> None:
        message = redact(self.context() + message)
        self.recorder.gap(Gap(self.provider, service, operation, reason, message, resource, region))

    def failed(
        self,
        service: str,
        operation: str,
        error: Exception,
        resource: str | None = None,
        region: str | None = None,
    ) -> GapReason:
        """Record ``error`` as a gap; returns its reason (callers may branch on it)."""
        reason, message = self.classify(operation, error, region)
        self.record(service, operation, reason, message, resource, region)
        return reason

    def attempt(
        self,
        service: str,
        operation: str,
        call: Callable[[], T],
        *,
        resource: str | None = None,
        region: str | None = None,
        absent: Callable[[Exception], bool] | None = None,
        read: bool = True,
    ) -> tuple[T | None, bool]:
        """Run ``call``; ``read``: note ``operation`` as read when it answers."""
        try:
            answer = call()
        except self.errors as exc:
            return None, self._settle(service, operation, exc, resource, region, absent)
        return self._answered(operation, answer, read)

    async def attempt_async(
        self,
        service: str,
        operation: str,
        work: Awaitable[T],
        *,
        resource: str | None = None,
        absent: Callable[[Exception], bool] | None = None,
    ) -> tuple[T | None, bool]:
        """As :meth:`attempt` for a read without a region, awaiting ``work``."""
        try:
            answer = await work
        except self.errors as exc:
            return None, self._settle(service, operation, exc, resource, None, absent)
        return self._answered(operation, answer, True)

    def _answered(self, operation: str, answer: T, read: bool) -> tuple[T | None, bool]:
        if read:
            self.recorder.read(operation)
        return answer, False

    def _settle(
        self,
        service: str,
        operation: str,
        error: Exception,
        resource: str | None,
        region: str | None,
        absent: Callable[[Exception], bool] | None,
    ) -> bool:
        """True when the failure means "absent"; otherwise stop or record a gap (False)."""
        if absent is not None and absent(error):
            return True
        self.stop(error)
        self.failed(service, operation, error, resource, region)
        return False


@dataclass
class PermissionCheck:
    """One permission the scan needs and what the cheapest read that needs it answered."""

    permission: str  # an IAM action, a Graph application permission, a Slack scope
    probe: str  # the read made to test it
    granted: bool | None  # None: the answer could not tell (unreachable, not applicable)
    detail: str = ""


@dataclass
class Diagnosis:
    """``residency doctor``: who the scanner is and which needed permissions it lacks."""

    target: str
    provider: str
    kind: str  # what a permission is here: "IAM actions", "Slack scopes"...
    identity: dict[str, str]
    checks: list[PermissionCheck]
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return sorted({c.permission for c in self.checks if c.granted is False})

    @property
    def undetermined(self) -> list[str]:
        missing = set(self.missing)
        return sorted({c.permission for c in self.checks if c.granted is None} - missing)


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

    def diagnose(self) -> Diagnosis:
        """Resolve the credentials, say who they are and make the cheapest read of each
        permission the scan needs. Each provider's probing lives in its package's ``doctor``
        module (``diagnose(target, ledger)``); raises AuthError when nothing can be read."""
        package = type(self).__module__.rpartition(".")[0]
        doctor = importlib.import_module(f"{package}.doctor")
        diagnosis: Diagnosis = doctor.diagnose(self.target, self.ledger)
        return diagnosis

    @classmethod
    @abc.abstractmethod
    def permissions(cls) -> dict[str, Any]:
        """The least privileges this connector needs, derived from its read-only allow-list."""
