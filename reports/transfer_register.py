"""The transfer register (CSV): one row per place personal data is stored in or copied to.

Made for a DPO's Art. 30 records: source, destination, country, jurisdiction and the legal
basis in words. Access grants to other parties (``access_grant`` flows) are listed too, also
when the recipient's place is unknown. Spreadsheet programs execute cells starting with
= + - @ (CSV injection), so every cloud-supplied cell that starts with one of them is prefixed
with a quote.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from reports.common import JURISDICTION_LABELS, legal_basis, located, processor_findings

COLUMNS = (
    "target",
    "provider",
    "kind",
    "resource",
    "resource_name",
    "source",
    "destination",
    "place",
    "country",
    "jurisdiction",
    "legal_basis",
    "data_categories",
    "status",
    "waiver",
    "check_id",
    "finding_id",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(document: dict[str, Any]) -> str:
    processors = processor_findings(document)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in _recorded(document["findings"]):
        writer.writerow([_cell(v) for v in _row(finding, processors)])
    return buffer.getvalue()


def _recorded(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Located findings, plus every access grant: a recipient whose place no API shows (an
    unknown account, the public) is still a disclosure the records must list."""
    grants = [f for f in findings if not f["location"] and _is_grant(f)]
    return [*located(findings), *grants]


def _is_grant(finding: dict[str, Any]) -> bool:
    return finding["evidence"].get("flow_kind") == "access_grant"


def _row(finding: dict[str, Any], processors: dict[tuple[str, str], dict[str, Any]]) -> list[Any]:
    evidence = finding["evidence"]
    place = evidence.get("place", {})
    if finding["check_id"] == "processor-transfer-basis":
        kind, source = "processor", ", ".join(evidence.get("used_by", []))
    elif "flow_kind" in evidence:
        kind, source = evidence["flow_kind"], evidence.get("source", "")
    else:
        kind, source = "storage", finding["resource"]
    waiver = finding["waiver"]
    return [
        finding["target"],
        finding["provider"],
        kind,
        finding["resource"],
        finding["resource_name"],
        source,
        finding["location"],
        place.get("label", ""),
        finding["country"] or "",
        JURISDICTION_LABELS.get(finding["jurisdiction"] or "unknown", ""),
        legal_basis(finding, processors),
        ";".join(evidence.get("data_categories", [])),
        finding["status"],
        f"{waiver['state']} until {waiver['expires']} ({waiver['owner']})" if waiver else "",
        finding["check_id"],
        finding["id"],
    ]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
