"""Art. 5(2)/28: each register entry is reviewed on schedule, and SCC transfers keep a TIA."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
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
        if vendor.transfer_tool in ("scc", "bcr") and vendor.tia_date is None:
            problems.append(f"{vendor.transfer_tool.upper()} recorded without a TIA date")
        if vendor.transfer_tool == "dpf" or (vendor.relies_on_dpf and not vendor.scc_module):
            problems.append("DPF is the only transfer basis (appeal C-703/25 P pending): add SCCs")
        evidence = {"vendor": vendor.to_dict()}
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
