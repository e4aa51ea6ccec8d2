"""Shared by the vendor-register checks: which register entries concern this collection.

The provider itself (``identity["processor"]``) and every third-party app a connector found are
looked up in the register (apps by stable id first, by name only where the name is vouched
for); a provider without an entry falls back to the knowledge base's facts.
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


def concerns(ctx: CheckContext) -> Iterator[Concern]:
    processor = ctx.collection.identity.get("processor")
    if processor:
        facts = ctx.kb.processor(processor) or {}
        name = facts.get("name", processor)
        vendor = ctx.policy.find_vendor(processor, name, facts.get("legal_entity"))
        yield Concern(processor, vendor.name if vendor else name, vendor, facts, "processor")
    seen: set[str] = set()
    for asset in ctx.collection.assets:
        if asset.kind != "app":
            continue
        match = ctx.policy.match_app_vendor(app_identity(asset))
        vendor = match.vendor if match else None
        if vendor is not None and vendor.id not in seen:
            seen.add(vendor.id)
            yield Concern(vendor.id, vendor.name, vendor, {}, "app")
