"""Grants to other AWS accounts, organisations, services and principals on AWS data stores.

An account of your own organisation passes (named); an AWS service principal passes (AWS acts
for you under its DPA); an external account is a disclosure to another party: it fails unless
the vendor register names the account (``aws_accounts``), and then the recipient's basis is
judged like any processor's (a DPA, Art. 28; outside the allowed places a transfer tool,
Art. 46). A principal the scanner cannot tie to an account (a canonical user, an identity
provider, another organisation) is manual.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.aws_access_common import Org, describe, grants, held, in_org, own_org, verdict
from checks.base import CheckContext, Verdict
from checks.placing import place_summary
from checks.transfers import basis
from core.models import Flow


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    org = own_org(ctx)
    categories = held(ctx)
    for flow in grants(ctx, public=False):
        yield _judge(ctx, flow, org, categories)


def _judge(ctx: CheckContext, flow: Flow, org: Org, categories: dict[str, list[str]]) -> Verdict:
    a = flow.attributes
    what = describe(flow)
    recipient = a.get("recipient")
    if in_org(flow, org):
        return verdict(categories, flow, "pass", f"{what} is limited to your organisation {org.id}")
    if recipient == "service":
        return verdict(
            categories,
            flow,
            "pass",
            f"{what} lets the AWS service {a.get('service')} act "
            "for the account, under AWS's own terms",
        )
    account = a.get("account")
    if recipient != "account" or not account:
        return verdict(
            categories,
            flow,
            "manual",
            f"{what} grants access to {flow.destination_name}, "
            "which the scanner cannot tie to an account: confirm who it is",
        )
    if org.members and account in org.members:
        return verdict(
            categories,
            flow,
            "pass",
            f"{what} is shared with {org.members[account]} "
            f"({account}), an account of your organisation",
        )
    vendor = ctx.policy.find_vendor(account)
    if vendor is None:
        if org.members is None:
            return verdict(
                categories,
                flow,
                "manual",
                f"{what} is shared with account {account}, which "
                "is not in the vendor register; the organisation's account list was "
                "not read, so it may be one of yours",
            )
        return verdict(
            categories,
            flow,
            "fail",
            f"{what} is shared with account {account}, outside "
            "your organisation and not in the vendor register: a disclosure to an "
            "unknown party (Art. 28, 44)",
        )
    who = f"{vendor.name} ({account})"
    evidence: dict[str, Any] = {"vendor_register": vendor.to_dict()}
    if vendor.dpa_signed is None:
        return verdict(
            categories,
            flow,
            "fail",
            f"{what} is shared with {who}, which has no signed DPA recorded (Art. 28(3))",
            **evidence,
        )
    location = f"country:{vendor.country}" if vendor.country else None
    if location is None:
        return verdict(
            categories,
            flow,
            "manual",
            f"{what} is shared with {who} under a DPA signed "
            f"{vendor.dpa_signed}; record the vendor's country to judge the "
            "transfer",
            **evidence,
        )
    place = ctx.kb.resolve(location)
    evidence["place"] = place_summary(place)
    judgement = ctx.policy.judge(place)
    if judgement.allowed:
        return verdict(
            categories,
            flow,
            "pass",
            f"{what} is shared with {who} under a DPA signed "
            f"{vendor.dpa_signed}; {judgement.reason}",
            location,
            **evidence,
        )
    # The account's owner is a recipient of its own: the register's tool must fit its place.
    found = basis(place, vendor, {}, vendor.name, provider=False)
    evidence.update(found.evidence())
    return verdict(
        categories, flow, found.status, f"{what} is shared with {who}: {found.reason}", location,
        **evidence,
    )  # fmt: skip
