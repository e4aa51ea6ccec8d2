"""Art. 5(2)/28: each register entry is reviewed on schedule, and its transfer tool is complete
(SCC module 2 or 3, or BCRs, with a TIA; DPF alone is at risk)."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.transfers import register_tool, tool_problems
from checks.vendors import concerns


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for concern in concerns(ctx):
        vendor = concern.vendor
        if vendor is None:
            continue
        problems = []
        if vendor.review_date is None:
            problems.append("no review date set")
        elif vendor.review_date < ctx.today:
            problems.append(f"review was due on {vendor.review_date}")
        problems += tool_problems(vendor)
        evidence = {"vendor": vendor.to_dict(), "transfer_tool": register_tool(vendor)}
        if problems:
            yield Verdict(
                concern.resource,
                vendor.name,
                "warn",
                f"{vendor.name}: {'; '.join(problems)}",
                evidence=evidence,
            )
        else:
            yield Verdict(
                concern.resource,
                vendor.name,
                "pass",
                f"{vendor.name}: reviewed until {vendor.review_date}",
                evidence=evidence,
            )
