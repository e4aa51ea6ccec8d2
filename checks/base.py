"""The contract of a check: metadata from the catalog plus one pure ``evaluate`` function.

A check module exposes ``evaluate(ctx: CheckContext) -> Iterable[Verdict]``. It may not do I/O
or import an SDK; it reads ``ctx.collection`` (evidence), ``ctx.policy`` and ``ctx.kb``. The
engine adds the metadata (title, severity, GDPR articles, remediation), the stable finding id and
the waivers, so a check only says what it saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from core.models import Collection, Severity, Status

if TYPE_CHECKING:
    from core.knowledge import KnowledgeBase
    from core.policy import Policy


@dataclass(frozen=True)
class CheckMeta:
    id: str
    module: str
    title: str
    severity: Severity
    articles: tuple[str, ...]
    rationale: str
    remediation: str
    providers: tuple[str, ...]
    reads: tuple[str, ...]
    supersedes: tuple[str, ...] = ()
    grading: str | None = None  # a profile of checks/grading.yaml: severity by consequence


@dataclass
class Verdict:
    """What a check concluded about one resource. ``severity`` and ``articles`` override the
    catalog's if set; ``covers`` names further asset ids this verdict judges (an aggregate over
    several assets), so that a check the catalog lets it supersede does not judge them a second
    time."""

    resource: str
    resource_name: str
    status: Status
    message: str
    location: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None
    remediation: str | None = None
    articles: tuple[str, ...] = ()
    covers: list[str] = field(default_factory=list)


@dataclass
class CheckContext:
    collection: Collection
    policy: Policy
    kb: KnowledgeBase
    today: date


Evaluate = Callable[[CheckContext], Iterable[Verdict]]
