"""What changed between two findings documents: new, resolved and regressed findings.

Findings are matched by their stable id (check, target, resource), so a rename-free resource
keeps its identity across runs. ``new``: open now, absent before. ``resolved``: open before,
now passing, muted or gone. ``regressed``: present in both and worse now (pass -> warn,
warn -> fail, ...). ``unassessed``: open before and absent now because its target could not be
read completely this time: not resolved, just not looked at.
"""

from __future__ import annotations

import json
from typing import Any

from core.models import OPEN_STATUSES
from core.text import inert
from reports.common import worst_first
from reports.html_env import page

# How bad a status is for change detection; muted and pass are equally "nothing to do".
BADNESS = {"pass": 0, "muted": 0, "manual": 1, "warn": 2, "error": 2, "fail": 3}
SECTIONS = ("new", "regressed", "resolved", "unassessed")


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    before = {f["id"]: f for f in old["findings"]}
    after = {f["id"]: f for f in new["findings"]}
    added = [f for i, f in after.items() if i not in before and f["status"] in OPEN_STATUSES]
    regressed = [
        {**f, "previous_status": before[i]["status"]}
        for i, f in after.items()
        if i in before and BADNESS[f["status"]] > BADNESS[before[i]["status"]]
    ]
    incomplete = {t["name"] for t in new["targets"] if t["error"] or not t["complete"]}
    closed = [
        (i, f)
        for i, f in before.items()
        if f["status"] in OPEN_STATUSES and (i not in after or BADNESS[after[i]["status"]] == 0)
    ]
    unassessed = [
        {**f, "current_status": "not assessed"}
        for i, f in closed
        if i not in after and f["target"] in incomplete
    ]
    resolved = [
        {**f, "current_status": after[i]["status"] if i in after else "gone"}
        for i, f in closed
        if i in after or f["target"] not in incomplete
    ]
    return {
        "before": {"run": old["run"], "verdict": old["summary"]["verdict"]},
        "after": {"run": new["run"], "verdict": new["summary"]["verdict"]},
        "counts": {
            "new": len(added),
            "regressed": len(regressed),
            "resolved": len(resolved),
            "unassessed": len(unassessed),
        },
        "new": worst_first(added),
        "regressed": worst_first(regressed),
        "resolved": worst_first(resolved),
        "unassessed": worst_first(unassessed),
    }


def render_json(diff: dict[str, Any]) -> str:
    return json.dumps(diff, indent=2, ensure_ascii=False) + "\n"


def render_text(diff: dict[str, Any]) -> str:
    counts = diff["counts"]
    lines = [
        f"{counts['new']} new, {counts['regressed']} regressed, {counts['resolved']} resolved, "
        f"{counts['unassessed']} not assessed "
        f"(verdict {diff['before']['verdict']} -> {diff['after']['verdict']}; "
        f"runs {diff['before']['run']['finished_at']} -> {diff['after']['run']['finished_at']})"
    ]
    for section in SECTIONS:
        if not diff[section]:
            continue
        lines += ["", f"{section.upper()}:"]
        for f in diff[section]:
            change = _change(section, f)
            lines.append(
                f"  {change:<14} {f['check_id']:<30} {f['target']}: {inert(f['resource_name'])}"
                f" - {inert(f['message'])}"
            )
    return "\n".join(lines) + "\n"


def render_html(diff: dict[str, Any]) -> str:
    rows = {s: [{**f, "change": _change(s, f)} for f in diff[s]] for s in SECTIONS}
    return page("diff.html.j2", title="EU residency: what changed", diff=diff, rows=rows)


def _change(section: str, finding: dict[str, Any]) -> str:
    if section == "regressed":
        return f"{finding['previous_status']}->{finding['status']}"
    if section in ("resolved", "unassessed"):
        return f"{finding['status']}->{finding['current_status']}"
    return finding["status"]


RENDERERS = {"text": render_text, "json": render_json, "html": render_html}
