"""Shared by the per-provider log checks: one verdict per log source a connector reported.

Log sources are assets of kind ``audit_log`` (the convention is documented in
``checks/breach_readiness.py``). ``available`` decides the status: True passes, False warns (the
source does not exist for this plan or licence), None is ``manual`` (the scan could not tell).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from core.models import Asset


def log_sources(ctx: CheckContext, provider: str | None = None) -> list[Asset]:
    return [
        a
        for a in ctx.collection.assets
        if a.kind == "audit_log" and (provider is None or a.provider == provider)
    ]


def kept_for(asset: Asset) -> str:
    days = asset.attributes.get("retention_days")
    return f"kept {days} days" if days else "retention not documented or not readable"


def log_verdicts(ctx: CheckContext, provider: str) -> Iterator[Verdict]:
    for log in log_sources(ctx, provider):
        attrs = log.attributes
        evidence = {k: attrs.get(k) for k in ("available", "retention_days", "source", "reason")}
        evidence["detail"] = attrs.get("detail")
        available = attrs.get("available")
        if available:
            newest = attrs.get("newest_entry")
            yield Verdict(
                log.id,
                log.name,
                "pass",
                f"{log.name} is available ({kept_for(log)}"
                + (f"; newest entry {newest}" if newest else "")
                + ")",
                evidence=evidence,
            )
        elif available is False:
            yield Verdict(
                log.id,
                log.name,
                "warn",
                f"{log.name} is not available: {attrs.get('detail') or attrs.get('reason')}",
                evidence=evidence,
            )
        else:
            yield Verdict(
                log.id,
                log.name,
                "manual",
                f"{log.name}: the scan could not confirm it exists "
                f"({attrs.get('detail') or attrs.get('reason')}); check it by hand",
                evidence=evidence,
            )
