"""Art. 33: one summary per target of who to call, which logs exist, and the 72-hour clock.

Log-source convention (shared by every connector; M365 and Slack emit it, AWS can adopt it):
an :class:`~core.models.Asset` of ``kind="audit_log"``, ``location=None``, no data categories,
one per log that could help reconstruct a breach, with attributes

- ``available``: ``True`` (read or proven to exist), ``False`` (the plan or licence has no such
  log: decisive), ``None`` (the scan could not tell; say why in ``detail``);
- ``retention_days``: how long the provider keeps it by default, or ``None`` if undocumented or
  unknown;
- ``source``: where the evidence came from (``"Graph auditLogs.signIns"``, ``"Slack audit.logs"``);
- optional ``reason`` (machine-readable), ``detail`` (one line for people), ``newest_entry``.

A refusal that describes the plan (no licence, not Enterprise Grid) is evidence, not a gap.

The verdict is ``manual`` (a person must confirm the incident plan), ``fail`` only when every
reported log source is decisively absent, and ``pass`` only when the evidence settles it: a log
with a known retention exists and every vendor has a 24/7 contact and notifies within 72 hours.
A connector that reports no log sources at all gives ``manual``, never ``pass``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.audit_logs import kept_for, log_sources
from checks.base import CheckContext, Verdict
from checks.vendor_incident import BENCHMARK_HOURS, notification, too_late, worded
from checks.vendors import Concern, concerns
from core.models import Asset

CLOCK = (
    f"The clock: notify the supervisory authority (in the Netherlands the Autoriteit "
    f"Persoonsgegevens, via its online form) without undue delay and, where feasible, not later "
    f"than {BENCHMARK_HOURS} hours after becoming aware of a personal-data breach (Art. 33(1)); "
    f"your processors must tell you without undue delay (Art. 33(2)); tell the people affected "
    f"when the risk to them is high (Art. 34), and record "
    f"every breach in your breach register (Art. 33(5))."
)


def _contact(concern: Concern) -> dict[str, Any]:
    vendor = concern.vendor
    contact = (vendor.incident_contact if vendor else None) or {}
    return {
        "vendor": concern.name,
        "role": concern.role,
        "in_register": vendor is not None,
        "email": contact.get("email"),
        "phone": contact.get("phone"),
        "available_24_7": contact.get("available_24_7"),
        "notification_hours": notification(concern)[0],
    }


def _contact_text(c: dict[str, Any]) -> str:
    reach = " / ".join(x for x in (c["email"], c["phone"]) if x) or (
        "no incident contact recorded"
        + ("" if c["in_register"] else " (not in the vendor register)")
    )
    if c["email"] or c["phone"]:
        reach += ", 24/7" if c["available_24_7"] else ", not 24/7"
    hours = c["notification_hours"]
    notify = (
        "no notification deadline recorded"
        if hours is None
        else f"notifies {worded(hours)}"
        + (f" (longer than the {BENCHMARK_HOURS} h benchmark)" if too_late(hours) else "")
    )
    return f"{c['vendor']} ({c['role']}): {reach}; {notify}"


def _log_text(log: Asset) -> str:
    available = log.attributes.get("available")
    state = (
        f"available, {kept_for(log)}"
        if available
        else "not available"
        if available is False
        else "not confirmed"
    )
    return f"{log.name}: {state}"


def _ready(contact: dict[str, Any]) -> bool:
    hours = contact["notification_hours"]
    return bool(contact["available_24_7"]) and hours is not None and not too_late(hours)


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    target = ctx.collection.target
    contacts = [_contact(c) for c in concerns(ctx)]
    logs = log_sources(ctx)
    states = [log.attributes.get("available") for log in logs]
    who = "; ".join(_contact_text(c) for c in contacts) or "no vendor found for this target"
    if logs:
        which = "; ".join(_log_text(log) for log in logs)
    else:
        which = "this connector reports no log sources; list them and their retention by hand"
    if logs and all(state is False for state in states):
        status, lead = "fail", "No log source exists to reconstruct a breach."
    elif (
        contacts
        and all(_ready(c) for c in contacts)
        and any(a.attributes.get("available") and a.attributes.get("retention_days") for a in logs)
        and None not in states
    ):
        status, lead = "pass", "Contacts, logs and deadlines are in place."
    else:
        status, lead = "manual", "Confirm the incident plan for this target."
    yield Verdict(
        f"breach-readiness:{target}",
        f"{target} breach readiness",
        status,
        f"{lead} Who to call: {who}. Logs to reconstruct a breach: {which}. {CLOCK}",
        evidence={
            "contacts": contacts,
            "logs": [
                {
                    "id": log.id,
                    "name": log.name,
                    **{
                        k: log.attributes.get(k)
                        for k in ("available", "retention_days", "source", "reason", "detail")
                    },
                }
                for log in logs
            ],
            "deadline_hours": BENCHMARK_HOURS,
        },
    )
