"""Is there an SCP that keeps each account's data in the allowed regions, and is it attached?

Peers pass this vacuously when no guardrail exists, when it allows extra regions, or when it is
detached; we evaluate each account's chain root -> OUs -> account for every region outside
the policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.aws_scp_chain import (
    Account,
    accounts,
    forbidden_regions,
    open_regions,
    organization,
)
from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    org = organization(ctx)
    if org is None:
        return  # Organizations was not read (not selected, or a recorded gap)
    members = accounts(ctx)
    if not org.attributes.get("in_organization") or not org.attributes.get("scp_enabled"):
        why = (
            "the account is not in an AWS organization"
            if not org.attributes.get("in_organization")
            else "service control policies are not enabled in the organization"
        )
        for account in members:
            yield Verdict(
                account.asset.id,
                account.label,
                "fail",
                f"no region guardrail: {why}, so nothing stops data being stored in any region",
            )
        return
    forbidden = forbidden_regions(ctx)
    results = {}
    for account in members:
        if account.chain is not None and not account.asset.attributes.get("management"):
            results[account.asset.id] = open_regions(account, forbidden)
    guarded = [
        a.label
        for a in members
        if a.asset.id in results and len(results[a.asset.id]) < len(forbidden)
    ]
    for account in members:
        yield _verdict(account, forbidden, results.get(account.asset.id), guarded)


def _verdict(
    account: Account, forbidden: list[str], opened: dict[str, str] | None, guarded: list[str]
) -> Verdict:
    resource, label = account.asset.id, account.label
    evidence = {
        "chain": account.asset.attributes.get("chain"),
        "scps": account.scps,
        "forbidden_regions": forbidden,
    }
    if account.asset.attributes.get("management"):
        return Verdict(
            resource,
            label,
            "warn",
            "the management account is never restricted by SCPs: keep no personal data in it",
            evidence=evidence,
        )
    if account.chain is None:
        return Verdict(
            resource,
            label,
            "error",
            f"cannot evaluate the guardrail: unreadable policy {', '.join(account.unreadable)}",
            evidence=evidence,
        )
    opened = opened or {}
    evidence["open_regions"] = opened
    if not opened:
        return Verdict(
            resource,
            label,
            "pass",
            f"SCPs deny storing data in all {len(forbidden)} regions outside the policy "
            f"(SCPs on the path: {account.scp_list})",
            evidence=evidence,
        )
    if len(opened) == len(forbidden) and set(opened.values()) == {"allowed"}:
        elsewhere = [g for g in guarded if g != label]
        detail = (
            f"; the guardrail on {', '.join(elsewhere[:3])} is not attached to this account"
            if elsewhere
            else ""
        )
        return Verdict(
            resource,
            label,
            "fail",
            f"no region guardrail: no SCP on the path root -> account ({account.scp_list}) "
            f"denies regions outside the policy{detail}",
            evidence=evidence,
        )
    conditional = sorted(r for r, v in opened.items() if v == "conditional")
    allowed = sorted(r for r, v in opened.items() if v == "allowed")
    parts = []
    if allowed:
        parts.append(f"allows {', '.join(allowed)}")
    if conditional:
        parts.append(f"depends on conditions it cannot be judged on for {', '.join(conditional)}")
    return Verdict(
        resource,
        label,
        "fail",
        f"the region guardrail {' and '.join(parts)}, outside the policy "
        f"(SCPs on the path: {account.scp_list})",
        location=f"aws:{(allowed or conditional)[0]}",
        evidence=evidence,
    )
