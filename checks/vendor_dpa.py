"""Art. 28(3): a signed processor agreement that fixes what the guidance on the AVG asks for."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.vendors import concerns

REQUIRED_TERMS = {
    "data_location": "data location clause",
    "security_measures": "security measures annex (Art. 32)",
    "incident_notification_hours": "incident notification deadline",
    "audit_right": "audit right (Art. 28(3)(h))",
    "termination_right": "termination and return/deletion (Art. 28(3)(g))",
    "subprocessor_list": "sub-processor list (Art. 28(2))",
    "subprocessor_notice": "notice of sub-processor changes (Art. 28(2))",
}


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for concern in concerns(ctx):
        vendor = concern.vendor
        if vendor is None:
            dpa = concern.facts.get("dpa") or {}
            if dpa:
                yield Verdict(
                    concern.resource,
                    concern.name,
                    "pass",
                    f"{concern.name}'s DPA ({dpa.get('name', 'DPA')}) applies through its terms "
                    f"({dpa.get('incorporated_via', 'service terms')}); record it in the vendor "
                    "register to track its terms",
                    evidence={"knowledge_base": dpa},
                )
            continue
        if vendor.dpa_signed is None:
            yield Verdict(
                concern.resource,
                vendor.name,
                "fail",
                f"no signed processor agreement (DPA) is recorded for {vendor.name}",
                evidence={"vendor": vendor.to_dict()},
            )
            continue
        missing = [
            label
            for key, label in REQUIRED_TERMS.items()
            if key not in vendor.dpa_terms
            or (key != "incident_notification_hours" and not vendor.dpa_terms[key]["value"])
        ]
        evidence = {"vendor": vendor.to_dict(), "missing_terms": missing}
        if missing:
            yield Verdict(
                concern.resource,
                vendor.name,
                "warn",
                f"DPA with {vendor.name} signed {vendor.dpa_signed}, but the register does not "
                f"show: {', '.join(missing)}",
                evidence=evidence,
            )
        else:
            yield Verdict(
                concern.resource,
                vendor.name,
                "pass",
                f"DPA with {vendor.name} signed {vendor.dpa_signed} with every required term",
                evidence=evidence,
            )
