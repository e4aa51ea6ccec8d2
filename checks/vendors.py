"""Shared by the vendor-register checks: which register entries concern this collection.

The provider itself (``identity["processor"]``) and every third-party app a connector found are
looked up in the register; a provider without an entry falls back to the knowledge base's facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checks.base import CheckContext
from core.policy import Vendor

APP_KEYS = ("app_id", "client_id", "publisher", "publisher_name", "vendor")


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
        keys = [asset.id, asset.name] + [str(asset.attributes.get(k) or "") for k in APP_KEYS]
        vendor = ctx.policy.find_vendor(*keys)
        if vendor is not None and vendor.id not in seen:
            seen.add(vendor.id)
            yield Concern(vendor.id, vendor.name, vendor, {}, "app")
