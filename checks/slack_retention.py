"""Retention and EKM: reported where Slack lets them be read, a plain ``manual`` where not."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.slack_common import gap_text, gaps_of, workspaces


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for ws in workspaces(ctx):
        retention = ws.attributes.get("retention") or {}
        ekm = ws.attributes.get("ekm") or {}
        evidence = {"retention": retention, "ekm": ekm}
        resource, name = f"{ws.id}/retention", f"{ws.name} retention and EKM"
        if ekm.get("status") == "unknown":
            yield Verdict(
                resource,
                name,
                "error",
                f"EKM status of {ws.name} could not be read: "
                f"{gap_text(gaps_of(ctx, 'retention_ekm'))}",
                evidence=evidence,
            )
            continue
        parts = [f"default retention is not readable: {retention.get('reason', 'no API')}"]
        if retention.get("readable"):
            custom = retention.get("custom_policies") or []
            parts.append(
                f"custom retention read for {retention.get('channels_checked')} of "
                f"{retention.get('channels_total')} channels; {len(custom)} with a policy"
                + (
                    ": " + ", ".join(f"{p['channel']} {p['duration_days']} days" for p in custom)
                    if custom
                    else ""
                )
            )
        if ekm.get("status") == "enabled":
            parts.append("EKM is enabled: confirm its AWS KMS key is in an EU region")
        else:
            parts.append(
                f"EKM {ekm.get('status', 'unknown')}: {ekm.get('reason', '')}".rstrip(": ")
            )
        yield Verdict(
            resource,
            name,
            "manual",
            f"{ws.name}: " + "; ".join(parts) + ". Attest the retention settings "
            "(Admin > Settings > Message retention) in your records",
            evidence=evidence,
        )
