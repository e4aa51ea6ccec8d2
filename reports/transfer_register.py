"""The transfer register (CSV): one row per place personal data is stored in or copied to.

Made for a DPO's Art. 30 records: source, destination, country, jurisdiction and the legal
basis in words. Spreadsheet programs execute cells starting with = + - @ (CSV injection), so
every cloud-supplied cell that starts with one of them is prefixed with a quote.
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
# OWASP CSV injection: a cell a spreadsheet would evaluate starts with one of these, possibly
# after leading whitespace (" =1+1" is still a formula in some spreadsheets); "|" and "%"
# start DDE and macro expressions in older ones.
FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r", "\n")


def render(document: dict[str, Any]) -> str:
    processors = processor_findings(document)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in located(document["findings"]):
        writer.writerow([_cell(v) for v in _row(finding, processors)])
    return buffer.getvalue()


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
    return "'" + text if text.lstrip(" \t\r\n").startswith(FORMULA_START) else text
