"""Art. 33 + 28(3)(f): who to call, and a vendor deadline that leaves room for the 72 hours."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.vendors import concerns

CONTROLLER_DEADLINE_HOURS = 72


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for concern in concerns(ctx):
        vendor = concern.vendor
        contact = vendor.incident_contact if vendor else None
        hours_term = (vendor.dpa_terms if vendor else {}).get("incident_notification_hours")
        hours = hours_term["value"] if hours_term else None
        evidence = {"incident_contact": contact, "notification_hours": hours}
        problems = []
        if not contact:
            problems.append("no incident contact recorded")
        elif not contact.get("available_24_7"):
            problems.append("the incident contact is not reachable 24/7")
        if hours is None:
            problems.append("no notification deadline recorded")
        elif hours > CONTROLLER_DEADLINE_HOURS:
            problems.append(
                f"the vendor may take {hours} h to notify, longer than the "
                f"{CONTROLLER_DEADLINE_HOURS} h the controller itself has (Art. 33(1))"
            )
        if not problems:
            yield Verdict(
                concern.resource,
                concern.name,
                "pass",
                f"{concern.name}: 24/7 incident contact and notification within {hours} h",
                evidence=evidence,
            )
            continue
        late = hours is not None and hours > CONTROLLER_DEADLINE_HOURS
        status = "fail" if late or (vendor and not contact) else "manual"
        yield Verdict(
            concern.resource,
            concern.name,
            status,
            f"{concern.name}: {'; '.join(problems)}",
            evidence=evidence,
        )
