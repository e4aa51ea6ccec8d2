"""What changed for one target since its last complete run, by stable finding id.

The comparison itself is ``reports.diff.compare`` (the same rules as ``residency diff``); this
module feeds it the baseline from the history and keeps what a scheduled run reports and
alerts on: a violation (status ``fail``) that is new or got worse since the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports.diff import compare
from scanner.history.base import Baseline

VIOLATION = "fail"
BRIEF = ("id", "check_id", "target", "resource", "resource_name", "status", "severity", "message")


@dataclass
class Drift:
    target: str
    baseline_run: str | None
    baseline_started_at: str | None
    new: list[dict[str, Any]] = field(default_factory=list)
    regressed: list[dict[str, Any]] = field(default_factory=list)
    resolved: list[dict[str, Any]] = field(default_factory=list)

    @property
    def alarming(self) -> list[dict[str, Any]]:
        """Violations not seen in this state before: what a notification is about."""
        return [f for f in self.new + self.regressed if f["status"] == VIOLATION]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _brief(finding: dict[str, Any], *extra: str) -> dict[str, Any]:
    return {k: finding.get(k) for k in (*BRIEF, *extra)}


def diff(target: str, baseline: Baseline | None, document: dict[str, Any]) -> Drift:
    """Compare ``target``'s findings in ``document`` with ``baseline`` (None: all are new)."""
    before = {
        "run": {"id": baseline.run_id if baseline else None},
        "summary": {"verdict": None},
        "findings": [
            {**f, "target": target} for f in (baseline.findings.values() if baseline else ())
        ],
    }
    after = {
        "run": document["run"],
        "summary": document["summary"],
        "targets": [t for t in document["targets"] if t["name"] == target],
        "findings": [f for f in document["findings"] if f["target"] == target],
    }
    changes = compare(before, after)
    return Drift(
        target=target,
        baseline_run=baseline.run_id if baseline else None,
        baseline_started_at=baseline.started_at if baseline else None,
        new=[_brief(f) for f in changes["new"]],
        regressed=[_brief(f, "previous_status") for f in changes["regressed"]],
        resolved=[_brief(f, "current_status") for f in changes["resolved"]],
    )
