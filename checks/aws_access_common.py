"""Shared by the AWS access checks: the ``access_grant`` flows and who the organisation is.

A grant's recipient is told apart with the organisation's account list (the Organizations
reader's ``organizations.account`` assets) and its id (``aws:PrincipalOrgID``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from checks.aws_scp_chain import organization
from checks.base import CheckContext, Verdict
from core.models import Flow, Status

ACCESS_SERVICES = frozenset(
    {"s3-access", "ec2-access", "rds-access", "kms-access", "iam-access", "ram-access"}
)
NETWORK_KEYS = ("aws:sourcevpc", "aws:sourcevpce", "aws:sourceip")
ORG_KEYS = ("aws:principalorgid", "aws:sourceorgid")
GRANT_FIELDS = ("recipient", "principal", "account", "service", "via", "actions", "narrowed_by",
                "unmodelled", "verdict", "blocked_by", "access_point")  # fmt: skip


@dataclass(frozen=True)
class Org:
    """``id`` None: not in an organisation, or unknown when ``members`` is None too."""

    id: str | None
    members: dict[str, str] | None  # account id -> name; None: the list was not read


def grants(ctx: CheckContext, public: bool) -> list[Flow]:
    return [
        f
        for f in ctx.collection.flows
        if f.provider == "aws"
        and f.kind == "access_grant"
        and (f.attributes.get("recipient") == "public") == public
    ]


def read_access(ctx: CheckContext) -> bool:
    services = ctx.collection.identity.get("services")
    return services is None or bool(ACCESS_SERVICES & set(services))


def own_org(ctx: CheckContext) -> Org:
    asset = organization(ctx)
    if asset is None:
        return Org(None, None)
    if not asset.attributes.get("in_organization"):
        return Org(None, {})
    members = {
        str(a.attributes.get("account_id")): a.name
        for a in ctx.collection.assets
        if a.kind == "organizations.account"
    }
    return Org(asset.name, members or None)


def narrowed(flow: Flow, keys: Iterable[str]) -> list[str]:
    found = flow.attributes.get("narrowed_by") or {}
    return [f"{k}={v}" for k in keys for v in found.get(k, [])]


def in_org(flow: Flow, org: Org) -> bool:
    """Only principals of the organisation may use the grant (``aws:PrincipalOrgID``)."""
    values = {v for k in ORG_KEYS for v in (flow.attributes.get("narrowed_by") or {}).get(k, [])}
    if flow.attributes.get("recipient") == "organization":
        values.add(str(flow.attributes.get("principal")))
    return bool(org.id) and values == {org.id}


def describe(flow: Flow) -> str:
    a = flow.attributes
    kind = str(a.get("resource_kind", "resource")).split(".")[-1].replace("_", " ")
    return f"{kind} {a.get('source_name')} ({a.get('via')}: {', '.join(a.get('actions') or [])})"


def held(ctx: CheckContext) -> dict[str, list[str]]:
    """Asset id -> its data categories (what a grant on that store discloses)."""
    return {a.id: a.data_categories for a in ctx.collection.assets}


def verdict(
    categories: dict[str, list[str]],
    flow: Flow,
    status: Status,
    message: str,
    location: str | None = None,
    **evidence: Any,
) -> Verdict:
    a = flow.attributes
    unmodelled = a.get("unmodelled") or []
    if unmodelled:
        # a condition we cannot judge may narrow the grant, so never a pass; a fail stands
        # (a Referer or tag condition keeps nobody out reliably)
        status = "manual" if status == "pass" else status
        message += (
            f"; the grant also depends on conditions the scanner does not model "
            f"({'; '.join(unmodelled)}): confirm who they let in"
        )
    return Verdict(
        flow.id,
        f"{a.get('source_name')} -> {flow.destination_name}",
        status,
        message,
        location,
        evidence={
            "flow_kind": flow.kind,
            "source": flow.source,
            "data_categories": categories.get(flow.source, []),
            "grant": {k: a.get(k) for k in GRANT_FIELDS},
            **evidence,
        },
    )
