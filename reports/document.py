"""Build the findings document: the JSON source of truth every other format is rendered from."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from core import __version__
from core.models import OPEN_STATUSES, SEVERITIES, STATUSES, Collection, Finding

SCHEMA_VERSION = "1.0"


def target_entry(collection: Collection) -> dict[str, Any]:
    return {
        "name": collection.target,
        "provider": collection.provider,
        "complete": collection.complete,
        "error": None,
        "identity": collection.identity,
        "started_at": collection.started_at,
        "finished_at": collection.finished_at,
        "assets": len(collection.assets),
        "flows": len(collection.flows),
        "coverage": {
            "read": collection.read,
            "gaps": [gap.__dict__ for gap in collection.gaps],
        },
        "api_calls": collection.calls,
        "api_calls_total": sum(collection.calls.values()),
    }


def failed_target_entry(name: str, provider: str, error: str) -> dict[str, Any]:
    return {
        "name": name,
        "provider": provider,
        "complete": False,
        "error": error,
        "identity": {},
        "started_at": None,
        "finished_at": None,
        "assets": 0,
        "flows": 0,
        "coverage": {"read": [], "gaps": []},
        "api_calls": {},
        "api_calls_total": 0,
    }


def verdict(findings: list[Finding], targets: list[dict[str, Any]]) -> str:
    """``fail`` beats ``incomplete`` beats ``warn`` beats ``pass``."""
    statuses = {f.status for f in findings}
    if "fail" in statuses:
        return "fail"
    if "error" in statuses or any(not t["complete"] for t in targets):
        return "incomplete"
    if statuses & {"warn", "manual"}:
        return "review"
    return "pass"


def build_document(
    *,
    collections: list[Collection],
    failures: list[dict[str, str]],
    findings: list[Finding],
    kb_version: str,
    policy: dict[str, Any],
    started_at: str,
    finished_at: str,
) -> dict[str, Any]:
    targets = [target_entry(c) for c in collections]
    targets += [failed_target_entry(f["target"], f["provider"], f["error"]) for f in failures]
    by_status = Counter(f.status for f in findings)
    open_findings = [f for f in findings if f.status in OPEN_STATUSES]
    by_severity = Counter(f.severity for f in open_findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "eu-residency-scanner", "version": __version__},
        "knowledge_base": {"version": kb_version},
        "policy": policy,
        "run": {"id": str(uuid.uuid4()), "started_at": started_at, "finished_at": finished_at},
        "summary": {
            "verdict": verdict(findings, targets),
            "targets": len(targets),
            "targets_incomplete": sum(1 for t in targets if not t["complete"]),
            "findings": len(findings),
            "by_status": {s: by_status.get(s, 0) for s in STATUSES},
            "by_severity": {s: by_severity.get(s, 0) for s in SEVERITIES},
            "api_calls": sum(t["api_calls_total"] for t in targets),
        },
        "targets": targets,
        "findings": [f.to_dict() for f in findings],
    }
