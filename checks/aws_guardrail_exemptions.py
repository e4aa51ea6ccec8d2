"""Does the region guardrail exempt data-bearing services or principals?

The AWS sample region-deny SCP exempts ``kms:*`` and ``config:*`` through ``NotAction`` (global
services are hosted in us-east-1); variants exempt ``s3:*``, ``logs:*`` or ``cloudwatch:*``.
An exempted data service can then store data in any region. ``aws:PrincipalARN`` exemptions let
named roles do the same, and so do conditions on principal or resource tags.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.aws_scp_chain import (
    DATA_ACTIONS,
    accounts,
    forbidden_regions,
    organization,
    region_verdict,
)
from checks.base import CheckContext, Verdict
from core import aws_policy as scp


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    org = organization(ctx)
    if org is None or not org.attributes.get("scp_enabled"):
        return
    forbidden = forbidden_regions(ctx)
    for account in accounts(ctx):
        if account.chain is None or account.asset.attributes.get("management"):
            continue
        # conditional: the Deny holds except for principals or resources its conditions spare
        denied = [r for r in forbidden if region_verdict(account, r) in ("denied", "conditional")]
        if not denied:
            continue  # no guardrail at all: reported by aws-region-guardrail
        region = denied[0]
        exempt = [
            action
            for action in DATA_ACTIONS
            if scp.evaluate(account.chain, action, region, account.workload_principal) == "allowed"
        ]
        principals = sorted(
            {p for level in account.chain for doc in level for p in scp.principal_exemptions(doc)}
        )
        evidence = {
            "scps": account.scps,
            "probe_region": region,
            "exempt_actions": exempt,
            "exempt_principals": principals,
        }
        if exempt:
            services = sorted({a.split(":")[0] for a in exempt})
            yield Verdict(
                account.asset.id,
                account.label,
                "fail",
                f"the region guardrail ({account.scp_list}) exempts data-bearing services "
                f"({', '.join(s + ':*' for s in services)}): they can store data in "
                f"{region} and every other denied region",
                evidence=evidence,
            )
        elif principals:
            yield Verdict(
                account.asset.id,
                account.label,
                "warn",
                f"the region guardrail ({account.scp_list}) exempts principals "
                f"{', '.join(principals)}: they can store data in any region",
                evidence=evidence,
            )
        else:
            yield Verdict(
                account.asset.id,
                account.label,
                "pass",
                "the region guardrail exempts no data-bearing service or principal",
                evidence=evidence,
            )
