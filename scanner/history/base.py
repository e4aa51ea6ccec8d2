"""The history interface and the records it stores, independent of the database behind it."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from core.errors import ScannerError
from core.secrets import redact

FINDING_FIELDS = ("id", "check_id", "resource", "resource_name", "status", "severity", "message")


class HistoryError(ScannerError):
    """The history database is unreachable, locked or corrupt; the reports are still written.

    The message is redacted: a path or URL in it may carry a password."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


@dataclass(frozen=True)
class TargetRecord:
    """One target of one run: what was read, what was missed, what was found."""

    target: str
    client: str
    provider: str
    complete: bool
    error: str | None
    started_at: str | None
    finished_at: str | None
    api_calls: int
    coverage: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_report(cls, client: str, entry: dict[str, Any], findings: list[dict[str, Any]]):
        """Build from one ``targets[]`` entry of a findings document and its findings."""
        return cls(
            target=entry["name"],
            client=client,
            provider=entry["provider"],
            complete=bool(entry["complete"]) and not entry["error"],
            error=entry["error"],
            started_at=entry["started_at"],
            finished_at=entry["finished_at"],
            api_calls=int(entry["api_calls_total"]),
            coverage=entry["coverage"],
            findings=[
                {k: f[k] for k in FINDING_FIELDS} for f in findings if f["target"] == entry["name"]
            ],
        )


@dataclass(frozen=True)
class RunRecord:
    id: str
    started_at: str
    finished_at: str
    source: str
    exit_code: int
    tool_version: str
    targets: list[TargetRecord]


@dataclass(frozen=True)
class RunSummary:
    """A row of ``residency history``."""

    id: str
    started_at: str
    finished_at: str
    exit_code: int
    targets: int
    incomplete: int
    fails: int
    source: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Baseline:
    """The last complete run of a target: the reference new findings are compared against."""

    run_id: str
    started_at: str
    findings: dict[str, dict[str, Any]]


class HistoryStore(abc.ABC):
    """What the scheduler needs from a history database."""

    location: str

    @abc.abstractmethod
    def baseline(self, target: str) -> Baseline | None:
        """The findings of the last complete run of ``target``, or None if it never completed."""

    @abc.abstractmethod
    def first_seen(self, target: str) -> dict[str, str]:
        """Finding id -> the start of the earliest recorded run of ``target`` that had it."""

    @abc.abstractmethod
    def record(self, run: RunRecord) -> None:
        """Store a run and all its targets in one transaction (all or nothing)."""

    @abc.abstractmethod
    def runs(self, limit: int = 20, target: str | None = None) -> list[RunSummary]:
        """Latest runs first; with ``target``, only runs that scanned it."""

    @abc.abstractmethod
    def prune(self, keep_days: int, now: str) -> int:
        """Delete target runs older than ``keep_days`` except each target's baseline; returns
        how many target runs went."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
