"""The HTML report's per-vendor table of required vs held certifications, with expiries."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from checks.engine import evaluate
from core.knowledge import default_kb
from core.models import Collection
from core.policy import Policy
from reports import html
from tests.reports.conftest import XSS

POLICY = """version: 1
vendors:
  - id: aws
    name: "VENDOR"
    aliases: [Amazon Web Services]
    kind: processor
    certifications:
      - {standard: ISO/IEC 27001, issuer: EY, issuer_accredited: true, scope: AWS,
         expires: 2026-06-30}
      - {standard: ISO 9001, issuer: EY, issuer_accredited: true, scope: AWS, expires: 2028-01-31}
"""


def certification_finding(tmp_path: Path, template: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY.replace("VENDOR", XSS.replace('"', "'")))
    evidence = Collection("acme", "aws", "2026-11-28T00:00:00+00:00", identity={"processor": "aws"})
    findings = evaluate(evidence, Policy.load(path), default_kb(), date(2026, 11, 28))
    (finding,) = [f for f in findings if f.check_id == "vendor-certifications"]
    return {
        **template,
        "check_id": finding.check_id,
        "resource": finding.resource,
        "resource_name": finding.resource_name,
        "status": finding.status,
        "message": finding.message,
        "evidence": finding.evidence,
    }


def vendor_section(page: str) -> str:
    match = re.search(r'<section class="vendors".*?</section>', page, re.S)
    assert match is not None
    return re.sub(r"\s+", " ", match.group(0))


def test_table_shows_required_and_held_with_expiries(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    document["findings"].append(certification_finding(tmp_path, document["findings"][0]))
    section = vendor_section(html.render(document))
    rows = re.findall(r"<tr> <th scope=\"row\">(.*?)</th> <td>(.*?)</td> <td[^>]*>(.*?)</td> "
                      r"<td>(.*?)</td> <td>(.*?)</td> </tr>", section)  # fmt: skip
    assert rows == [
        ("ISO/IEC 27001", "yes", "expired", "2026-06-30", "register"),
        ("ISO 9001", "no", "current", "2028-01-31", "register"),
    ]
    assert 'class="pill s-fail"' in section
    assert XSS not in section and "&lt;img" in section


def test_no_table_without_certification_findings(document: dict[str, Any]) -> None:
    assert '<section class="vendors"' not in html.render(document)
