"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

One rule per check, one result per finding that is not a pass. Cloud resources have no source
file, so each result points at the policy file (what a team changes to accept a place) and
names the resource as a logical location. ``partialFingerprints`` carries the stable finding id
so code scanning tracks an alert across runs; muted findings are reported as suppressed.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from reports.common import article_link, worst_first

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://eu-residency-scanner.dev"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
KINDS = {"fail": "fail", "muted": "fail", "warn": "fail", "manual": "review", "error": "open"}


def render(document: dict[str, Any]) -> str:
    findings = worst_first(f for f in document["findings"] if f["status"] != "pass")
    rules = _rules(document["findings"])
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    policy_file = _policy_file(document["policy"]["source"])
    sarif = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": document["tool"]["name"],
                        "version": document["tool"]["version"],
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"eu-residency/{document['run']['id']}"},
                "invocations": [
                    {
                        "executionSuccessful": document["summary"]["targets_incomplete"] == 0,
                        "startTimeUtc": document["run"]["started_at"],
                        "endTimeUtc": document["run"]["finished_at"],
                        "toolExecutionNotifications": _notifications(document),
                    }
                ],
                "results": [_result(f, index, policy_file) for f in findings],
                "properties": {
                    "verdict": document["summary"]["verdict"],
                    "knowledgeBaseVersion": document["knowledge_base"]["version"],
                },
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def _rules(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first: dict[str, dict[str, Any]] = {}
    for finding in findings:
        first.setdefault(finding["check_id"], finding)
    rules = []
    for check_id, finding in sorted(first.items()):
        links = [article_link(a) for a in finding["articles"]]
        articles = ", ".join(link["label"] or "" for link in links)
        rules.append(
            {
                "id": check_id,
                "name": "".join(part.title() for part in check_id.split("-")),
                "shortDescription": {"text": finding["title"]},
                "fullDescription": {"text": f"{finding['title']} (GDPR {articles})"},
                "help": {"text": finding["remediation"]},
                "helpUri": next((link["url"] for link in links if link["url"]), INFORMATION_URI),
                "defaultConfiguration": {"level": LEVELS[finding["severity"]]},
                "properties": {
                    "tags": [
                        "gdpr",
                        "data-residency",
                        *[f"gdpr-art-{a}" for a in finding["articles"]],
                    ],
                    "security-severity": SECURITY_SEVERITY[finding["severity"]],
                    "precision": "high",
                },
            }
        )
    return rules


def _result(finding: dict[str, Any], index: dict[str, int], policy_file: str) -> dict[str, Any]:
    kind = KINDS[finding["status"]]
    result: dict[str, Any] = {
        "ruleId": finding["check_id"],
        "ruleIndex": index[finding["check_id"]],
        "kind": kind,
        "level": LEVELS[finding["severity"]] if kind == "fail" else "none",
        "message": {"text": f"[{finding['target']}] {finding['message']}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": policy_file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [
                    {
                        "name": finding["resource_name"],
                        "fullyQualifiedName": f"{finding['target']}/{finding['resource']}",
                        "kind": "resource",
                    }
                ],
            }
        ],
        "partialFingerprints": {"residencyFindingId/v1": finding["id"]},
        "properties": {
            "status": finding["status"],
            "target": finding["target"],
            "provider": finding["provider"],
            "location": finding["location"],
            "country": finding["country"],
            "jurisdiction": finding["jurisdiction"],
            "remediation": finding["remediation"],
        },
    }
    waiver = finding["waiver"]
    if waiver and waiver["state"] == "active":
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{waiver['reason']} (owner {waiver['owner']}, "
                f"expires {waiver['expires']})",
            }
        ]
    return result


def _notifications(document: dict[str, Any]) -> list[dict[str, Any]]:
    notes = []
    for target in document["targets"]:
        if target["error"]:
            notes.append(f"{target['name']}: could not be scanned: {target['error']}")
        notes += [
            f"{target['name']}: could not read {g.get('operation')} ({g['reason']}): {g['message']}"
            for g in target["coverage"]["gaps"]
        ]
    return [{"level": "warning", "message": {"text": text}} for text in notes]


def _policy_file(source: str) -> str:
    """The policy file's name, relative to the repository root it is usually kept in."""
    if source.startswith("built-in"):
        return "residency-policy.yaml"
    return PurePath(source).name
