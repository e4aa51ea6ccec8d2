"""Shared by the vendor-register checks: which register entries concern this collection.

The provider itself (``identity["processor"]``) and every third-party app a connector found are
looked up in the register (apps by stable id first, by name only where the name is vouched
for); a provider without an entry falls back to the knowledge base's facts. An entry with
``extends: <provider>`` starts from that provider's knowledge-base facts; the fields it states
itself override them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checks.base import CheckContext
from core.models import Asset
from core.policy import AppIdentity, Vendor


def app_identity(app: Asset) -> AppIdentity:
    """What a connector proved about an app: its ids, and whether its names can be trusted
    (a verified Entra publisher, an app the Slack App Directory approved)."""
    attrs = app.attributes
    return AppIdentity(
        provider=app.provider,
        app_id=attrs.get("app_id"),
        names=(app.name, attrs.get("publisher")),
        publisher_tenant_id=attrs.get("owner_tenant_id"),
        verified_publisher_id=attrs.get("verified_publisher_id"),
        names_trusted=bool(attrs.get("verified_publisher") or attrs.get("app_directory_approved")),
    )


@dataclass
class Concern:
    """A vendor this target depends on: its register entry (if any) and the provider facts."""

    key: str
    name: str
    vendor: Vendor | None
    facts: dict[str, Any]
    role: str

    @property
    def resource(self) -> str:
        return f"vendor:{self.vendor.id if self.vendor else self.key}"


def provider(ctx: CheckContext) -> Concern | None:
    """The target's cloud provider: its knowledge-base facts and its register entry, found by
    id, name, legal entity or an ``extends:`` naming the provider."""
    processor = ctx.collection.identity.get("processor")
    if not processor:
        return None
    facts = ctx.kb.processor(processor) or {}
    name = facts.get("name", processor)
    vendor = ctx.policy.find_vendor(processor, name, facts.get("legal_entity")) or next(
        (v for v in ctx.policy.vendors if v.extends == processor), None
    )
    return Concern(processor, vendor.name if vendor else name, vendor, facts, "processor")


def concerns(ctx: CheckContext) -> Iterator[Concern]:
    own = provider(ctx)
    if own is not None:
        yield own
    seen: set[str] = {own.vendor.id} if own is not None and own.vendor is not None else set()
    for asset in ctx.collection.assets:
        if asset.kind != "app":
            continue
        match = ctx.policy.match_app_vendor(app_identity(asset))
        vendor = match.vendor if match else None
        if vendor is not None and vendor.id not in seen:
            seen.add(vendor.id)
            facts = (ctx.kb.processor(vendor.extends) if vendor.extends else None) or {}
            yield Concern(vendor.id, vendor.name, vendor, facts, "app")
