"""Render the HTML report for N synthetic findings (default 100,000); print time and size.

    python bench/render_html.py [N] [--out report.html]

The findings are varied like a large MSP scan: several targets and providers, many places, a
unique name, resource id and message per finding, and evidence with per-resource fields. The
targets: render under 10 s, file under 25 MB (peers' reports reach 142 MB at this scale).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from core.models import Finding, finding_id
from reports import html
from reports.document import build_document

PLACES = [
    ("aws:eu-central-1", "DE", "eu", "Europe (Frankfurt)"),
    ("aws:eu-west-1", "IE", "eu", "Europe (Ireland)"),
    ("aws:eu-north-1", "SE", "eu", "Europe (Stockholm)"),
    ("aws:eu-west-2", "GB", "adequate", "Europe (London)"),
    ("aws:us-east-1", "US", "third_country", "US East (N. Virginia)"),
    ("m365:NAM", "US", "third_country", "United States"),
    ("m365:EUR", "NL", "eu", "European Union"),
    ("slack:frankfurt", "DE", "eu", "Frankfurt"),
    ("country:ZZ", None, "unknown", ""),
]
STATUSES = ["pass", "pass", "pass", "fail", "warn", "muted", "error", "manual"]
CHECKS = [
    ("storage-outside-allowed", "Personal data is stored outside the allowed jurisdictions"),
    ("replication-outside-allowed", "Personal data is copied outside the allowed jurisdictions"),
    ("m365-preferred-data-location", "Users' preferred data location is outside the EU"),
    ("slack-app-vendor-register", "A Slack app handling messages is not in the vendor register"),
]


def synthetic_findings(count: int) -> list[Finding]:
    findings = []
    for n in range(count):
        target = f"client-{n % 20:02d}"
        provider = ("aws", "m365", "slack")[n % 3]
        check, title = CHECKS[n % len(CHECKS)]
        location, country, jurisdiction, label = PLACES[n % len(PLACES)]
        status = STATUSES[n % len(STATUSES)]
        resource = f"{provider}:resource/{target}/{n:06d}"
        name = f"customer-data-{n:06d}"
        findings.append(
            Finding(
                id=finding_id(check, target, resource),
                check_id=check,
                title=title,
                target=target,
                provider=provider,
                resource=resource,
                resource_name=name,
                status=status,
                severity=("critical", "high", "medium", "low", "info")[n % 5],
                message=f"{name} is stored in {label or location}: {jurisdiction} jurisdiction",
                articles=["44", "46", "28(3)"],
                remediation="Move the data to an allowed region or record the transfer basis.",
                location=location,
                country=country,
                jurisdiction=jurisdiction,
                evidence={
                    "kind": f"{provider}.object",
                    "data_categories": ["email", "chat"],
                    "size_bytes": n * 1024,
                    "created": f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                    "place": {"location": location, "label": label, "countries": [country]},
                },
                waiver=None,
            )
        )
    return findings


def synthetic_document(count: int) -> dict[str, Any]:
    return build_document(
        collections=[],
        failures=[],
        findings=synthetic_findings(count),
        kb_version="bench",
        policy={"source": "bench", "allowed_jurisdictions": ["eu", "eea"]},
        started_at="2026-11-28T09:00:00+00:00",
        finished_at="2026-11-28T09:10:00+00:00",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--out", type=Path, help="Keep the page here (default: a temp file).")
    args = parser.parse_args()
    document = synthetic_document(args.count)
    document["targets"] = [
        {
            "name": f"client-{i:02d}",
            "provider": ("aws", "m365", "slack")[i % 3],
            "complete": True,
            "error": None,
            "identity": {},
            "started_at": None,
            "finished_at": None,
            "assets": 0,
            "flows": 0,
            "coverage": {"read": [], "gaps": []},
            "api_calls": {},
            "api_calls_total": 0,
        }
        for i in range(20)
    ]
    started = time.perf_counter()
    page = html.render(document)
    elapsed = time.perf_counter() - started
    out = args.out or Path(tempfile.gettempdir()) / "residency-bench.html"
    out.write_text(page, encoding="utf-8")
    size = out.stat().st_size
    print(f"{args.count} findings: rendered in {elapsed:.2f} s, {size / 1e6:.2f} MB -> {out}")
    return 0 if elapsed < 10 and size < 25e6 else 1


if __name__ == "__main__":
    sys.exit(main())
