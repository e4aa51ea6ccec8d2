"""New, resolved and regressed failures of a target against its last complete run.

* new: failing now, unknown to the baseline (or there is no baseline yet);
* regressed: failing now, known to the baseline with another status (passed, muted by a waiver
  that has since expired, a warning that became a failure...);
* resolved: failing in the baseline, not failing now (fixed, waived, or the resource is gone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.history.base import Baseline

VIOLATION = "fail"
SUMMARY_FIELDS = ("id", "check_id", "target", "resource", "resource_name", "severity", "message")


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
        """Violations nobody has seen yet in this state: what a notification is about."""
        return self.new + self.regressed

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _brief(finding: dict[str, Any], target: str, **extra: Any) -> dict[str, Any]:
    brief = {k: finding.get(k) for k in SUMMARY_FIELDS}
    brief["target"] = target
    return {**brief, **extra}


def diff(target: str, baseline: Baseline | None, findings: list[dict[str, Any]]) -> Drift:
    """Compare the current ``findings`` of ``target`` (report dicts) with ``baseline``."""
    drift = Drift(target, baseline and baseline.run_id, baseline and baseline.started_at)
    before = baseline.findings if baseline else {}
    current = {f["id"]: f for f in findings if f["target"] == target}
    for fid, finding in current.items():
        if finding["status"] != VIOLATION:
            continue
        previous = before.get(fid)
        if previous is None:
            drift.new.append(_brief(finding, target))
        elif previous["status"] != VIOLATION:
            drift.regressed.append(_brief(finding, target, previously=previous["status"]))
    for fid, previous in before.items():
        if previous["status"] == VIOLATION and current.get(fid, {}).get("status") != VIOLATION:
            now = current.get(fid, {}).get("status", "gone")
            drift.resolved.append(_brief(previous, target, now=now))
    return drift
