"""Art. 28(1)/32: the vendor's certifications (ISO 27001 and others) are on record and current."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from checks.base import CheckContext, Verdict
from checks.vendors import concerns


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for concern in concerns(ctx):
        vendor = concern.vendor
        certs = list(vendor.certifications) if vendor else []
        if not certs:
            yield Verdict(
                concern.resource,
                concern.name,
                "manual",
                f"no certifications are recorded for {concern.name}; record ISO 27001 (and "
                "others) with issuer and expiry from the vendor's trust portal",
            )
            continue
        expired = [c for c in certs if date.fromisoformat(c["expires"]) < ctx.today]
        evidence = {"certifications": certs}
        if expired:
            listed = ", ".join(f"{c['standard']} (expired {c['expires']})" for c in expired)
            yield Verdict(
                concern.resource,
                concern.name,
                "fail",
                f"{concern.name}: expired certification: {listed}",
                evidence=evidence,
            )
        else:
            listed = ", ".join(f"{c['standard']} until {c['expires']}" for c in certs)
            yield Verdict(
                concern.resource,
                concern.name,
                "pass",
                f"{concern.name}: {listed}",
                evidence=evidence,
            )
