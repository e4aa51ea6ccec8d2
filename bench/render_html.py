"""Render the HTML report for N synthetic findings (default 100,000); print time and size.

    python bench/render_html.py [N] [--out report.html]

The findings are varied like a large MSP scan: several targets and providers, many places, a
unique name, resource id and message per finding, and evidence with per-resource fields. The
document is built the way a scan builds it: ``build_document`` over collections, with the
summary of a real policy (bench/policy.yaml, read by ``Policy.load``) and the shipped knowledge
base's version, and rendered by the format registry's ``html`` renderer, so a change to the
document or the template reaches the bench. The targets: render under 10 s, file under 25 MB
(peers' reports reach 142 MB at this scale). Figures are printed, never asserted: the exit code
is 0 whenever the bench ran.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from core.knowledge import default_kb
from core.models import Collection, Finding, finding_id
from core.policy import Policy
from reports.document import build_document
from reports.registry import renderer

POLICY = Path(__file__).with_name("policy.yaml")
TARGETS = 20
PROVIDERS = ("aws", "m365", "slack")
STARTED, FINISHED = "2026-11-28T09:00:00+00:00", "2026-11-28T09:10:00+00:00"

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


def target_name(index: int) -> str:
    return f"client-{index:02d}"


def synthetic_findings(count: int, policy: Policy) -> list[Finding]:
    waiver = {**policy.waivers[0].to_dict(), "state": "active"} if policy.waivers else None
    findings = []
    for n in range(count):
        target = target_name(n % TARGETS)
        provider = PROVIDERS[n % TARGETS % len(PROVIDERS)]
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
                waiver=waiver if status == "muted" else None,
            )
        )
    return findings


def synthetic_collections() -> list[Collection]:
    """One complete collection per target, as the connectors hand them to the report."""
    return [
        Collection(
            target=target_name(i),
            provider=PROVIDERS[i % len(PROVIDERS)],
            started_at=STARTED,
            finished_at=FINISHED,
            read=[f"{PROVIDERS[i % len(PROVIDERS)]}.bench"],
            calls={f"{PROVIDERS[i % len(PROVIDERS)]}.list": 1},
        )
        for i in range(TARGETS)
    ]


def synthetic_document(count: int, policy_path: Path = POLICY) -> dict[str, Any]:
    policy = Policy.load(policy_path)
    return build_document(
        collections=synthetic_collections(),
        failures=[],
        findings=synthetic_findings(count, policy),
        kb_version=default_kb().version,
        policy=policy.summary(),
        started_at=STARTED,
        finished_at=FINISHED,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--out", type=Path, help="Keep the page here (default: a temp file).")
    args = parser.parse_args()
    document = synthetic_document(args.count)
    render, _extension = renderer("html")
    started = time.perf_counter()
    page = render(document)
    elapsed = time.perf_counter() - started
    out = args.out or Path(tempfile.gettempdir()) / "residency-bench.html"
    out.write_text(page, encoding="utf-8")
    size = out.stat().st_size
    met = elapsed < 10 and size < 25e6
    print(f"{args.count} findings: rendered in {elapsed:.2f} s, {size / 1e6:.2f} MB -> {out}")
    print(f"target: under 10 s and under 25 MB: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
