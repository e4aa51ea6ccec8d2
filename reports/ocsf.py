"""OCSF 1.8.0 Compliance Finding events (class_uid 2003) for SIEMs, as one JSON array.

The GDPR article is the compliance requirement, the check is the control, the check's verdict
is ``compliance.status_id``; the finding's workflow state is ``status_id`` (a muted finding is
Suppressed). Facts that OCSF has no attribute for (country, jurisdiction, evidence) go to
``unmapped``, as the schema prescribes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from reports.common import article_link

OCSF_VERSION = "1.8.0"
CLASS_UID = 2003
ACTIVITY_CREATE = 1
SEVERITY_IDS = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
# compliance.status_id: 1 Pass, 2 Warning (no result: missing information), 3 Fail.
COMPLIANCE_STATUS = {
    "pass": (1, "Pass"),
    "warn": (3, "Fail"),
    "fail": (3, "Fail"),
    "muted": (3, "Fail"),
    "manual": (2, "Warning"),
    "error": (2, "Warning"),
}
PROVIDERS = {"aws": "AWS", "m365": "Microsoft 365", "slack": "Slack"}


def render(document: dict[str, Any]) -> str:
    time = int(datetime.fromisoformat(document["run"]["finished_at"]).timestamp() * 1000)
    product = {
        "name": document["tool"]["name"],
        "vendor_name": "eu-residency-scanner",
        "version": document["tool"]["version"],
    }
    events = [_event(f, time, product, document) for f in document["findings"]]
    return json.dumps(events, indent=2, ensure_ascii=False) + "\n"


def _event(
    finding: dict[str, Any], time: int, product: dict[str, str], document: dict[str, Any]
) -> dict[str, Any]:
    compliance_id, compliance_name = COMPLIANCE_STATUS[finding["status"]]
    muted = finding["status"] == "muted"
    links = [article_link(a) for a in finding["articles"]]
    resource: dict[str, Any] = {
        "uid": finding["resource"],
        "name": finding["resource_name"],
        "type": finding["evidence"].get("kind") or finding["evidence"].get("flow_kind") or "",
    }
    if finding["location"]:
        resource["region"] = finding["location"]
    return {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "severity_id": SEVERITY_IDS[finding["severity"]],
        "severity": finding["severity"].title(),
        "status_id": 3 if muted else 1,
        "status": "Suppressed" if muted else "New",
        "message": finding["message"],
        "metadata": {
            "version": OCSF_VERSION,
            "product": product,
            "uid": finding["id"],
            "correlation_uid": document["run"]["id"],
        },
        "cloud": {"provider": PROVIDERS.get(finding["provider"], finding["provider"])},
        "finding_info": {
            "uid": finding["id"],
            "title": finding["title"],
            "desc": finding["message"],
            "types": ["EU data residency", "GDPR Chapter V"],
        },
        "compliance": {
            "standards": ["GDPR (Regulation (EU) 2016/679)"],
            "requirements": [link["label"] for link in links],
            "control": finding["check_id"],
            "status_id": compliance_id,
            "status": compliance_name,
            "status_code": finding["status"],
        },
        "remediation": {
            "desc": finding["remediation"],
            "references": [link["url"] for link in links if link["url"]],
        },
        "resources": [resource],
        "unmapped": {
            "target": finding["target"],
            "location": finding["location"],
            "country": finding["country"],
            "jurisdiction": finding["jurisdiction"],
            "waiver": finding["waiver"],
            "evidence": finding["evidence"],
        },
    }
