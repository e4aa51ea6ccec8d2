"""Art. 33 + 28(3)(f): who to call, and a vendor deadline that leaves the controller room.

The controller notifies the authority without undue delay and, where feasible, within 72 hours
of becoming aware (Art. 33(1)); the processor notifies the controller without undue delay
(Art. 33(2)). 72 hours is the contract benchmark for a vendor's deadline in hours, not the
processor's legal duty. The register states hours or the DPA's wording; without a register term
the knowledge base's record of the provider's DPA is used.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.vendors import Concern, concerns

BENCHMARK_HOURS = 72
Commitment = int | str | None


def notification(concern: Concern) -> tuple[Commitment, str | None]:
    """The vendor's breach-notification commitment (hours, or wording such as "without undue
    delay") and where it is recorded: the vendor register or the knowledge base."""
    vendor = concern.vendor
    term = (vendor.dpa_terms if vendor else {}).get("incident_notification_hours")
    if term:
        return term["value"], "vendor_register"
    fact = concern.facts.get("breach_notification") or {}
    value = fact.get("hours") if fact.get("hours") is not None else fact.get("commitment")
    return (value, "knowledge_base") if value is not None else (None, None)


def too_late(value: Commitment) -> bool:
    return isinstance(value, int) and value > BENCHMARK_HOURS


def worded(value: Commitment) -> str:
    return f"within {value} h" if isinstance(value, int) else f"{value!s} (Art. 33(2))"


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for concern in concerns(ctx):
        vendor = concern.vendor
        contact = vendor.incident_contact if vendor else None
        committed, recorded_in = notification(concern)
        evidence = {
            "incident_contact": contact,
            "notification": committed,
            "notification_recorded_in": recorded_in,
            "knowledge_base": concern.facts.get("breach_notification"),
        }
        problems = []
        if not contact:
            problems.append("no incident contact recorded")
        elif not contact.get("available_24_7"):
            problems.append("the incident contact is not reachable 24/7")
        if committed is None:
            problems.append("no notification deadline recorded")
        elif too_late(committed):
            problems.append(
                f"the vendor may take {committed} h to notify, more than the "
                f"{BENCHMARK_HOURS} h benchmark: the processor must notify without undue delay "
                "(Art. 33(2)), and the controller the authority without undue delay and, where "
                f"feasible, within {BENCHMARK_HOURS} h (Art. 33(1))"
            )
        if not problems:
            yield Verdict(
                concern.resource,
                concern.name,
                "pass",
                f"{concern.name}: 24/7 incident contact and notification {worded(committed)}",
                evidence=evidence,
            )
            continue
        late = too_late(committed)
        status = "fail" if late or (vendor and not contact) else "manual"
        if committed is not None and not late:
            problems.append(f"notification {worded(committed)} per the {recorded_in}")
        yield Verdict(
            concern.resource,
            concern.name,
            status,
            f"{concern.name}: {'; '.join(problems)}",
            evidence=evidence,
        )
