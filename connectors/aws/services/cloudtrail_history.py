"""CloudTrail event history: the 90 days of management events every account has, trail or not.

One LookupEvents (one event) per account in the home region proves it is readable and dates the
newest entry; it is the log that remains when no trail was ever configured. Retention:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-cloudtrail-events.html
"""

from __future__ import annotations

from connectors.aws.context import AWS_ERRORS, AwsScan

SERVICE = "cloudtrail"
SCOPE = "account"
EVENT_HISTORY_DAYS = 90


def event_history(scan: AwsScan, region: str) -> None:
    name = f"CloudTrail event history ({scan.account_id}, {region})"
    common = {
        "id": f"arn:{scan.partition}:cloudtrail:{region}:{scan.account_id}:event-history",
        "name": name,
        "retention_days": EVENT_HISTORY_DAYS,
        "source": "cloudtrail LookupEvents",
        "region": region,
    }
    try:
        answer = scan.client(SERVICE, region).lookup_events(MaxResults=1)
    except AWS_ERRORS as exc:
        scan.audit_log(
            available=None,
            reason=scan.failed(SERVICE, "LookupEvents", exc, region=region),
            detail="event history could not be read (see the scan gaps); AWS keeps 90 days of "
            "management events in every region",
            **common,
        )
        return
    events = answer.get("Events") or []
    newest = events[0].get("EventTime") if events else None
    scan.audit_log(
        available=True,
        detail="management events of the last 90 days in this region (no data events)",
        newest_entry=str(newest) if newest else None,
        **common,
    )


READERS = (event_history,)
