"""Third-party apps that can read mail, files, chats or users' data need a DPA (Art. 28).

Permission names come from the connector (resolved from the tenant's live definitions); this
check only decides which of them reach personal data. The vendor register is searched by app id,
app name, publisher, publisher id and owner tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.transfers import basis
from core.models import Asset

# Permission name prefixes (Graph, Exchange, SharePoint) that reach personal data, per category.
DATA_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "email": ("Mail.", "MailboxSettings.", "full_access_as_app", "EWS.", "Exchange."),
    "files": ("Files.", "Sites.", "AllSites.", "MyFiles."),
    "chat": (
        "Chat.",
        "ChannelMessage.",
        "OnlineMeetingTranscript.",
        "OnlineMeetingRecording.",
        "CallRecords.",
    ),
    "calendars_contacts": ("Calendars.", "Contacts.", "Notes."),
    "user_profiles": (
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "People.Read",
    ),
}
EXTERNAL = ("third_party", "unknown")


def data_access(permissions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Category -> the permissions that grant it."""
    found: dict[str, set[str]] = {}
    for perm in permissions:
        name = str(perm.get("permission", ""))
        for category, prefixes in DATA_PERMISSIONS.items():
            if name.startswith(prefixes):
                found.setdefault(category, set()).add(name)
    return {k: sorted(v) for k, v in sorted(found.items())}


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for asset in ctx.collection.assets:
        if asset.kind == "app" and asset.attributes.get("classification") in EXTERNAL:
            yield _verdict(ctx, asset)


def _verdict(ctx: CheckContext, app: Asset) -> Verdict:
    attrs = app.attributes
    access = data_access(attrs.get("permissions", []))
    publisher = attrs.get("publisher") or "unknown publisher"
    verified = "verified" if attrs.get("verified_publisher") else "unverified"
    who = f"{app.name} (publisher {publisher}, {verified})"
    vendor = ctx.policy.find_vendor(
        attrs.get("app_id"),
        app.name,
        attrs.get("publisher"),
        attrs.get("owner_tenant_id"),
        attrs.get("verified_publisher_id"),
    )
    evidence = {
        "publisher": publisher,
        "verified_publisher": attrs.get("verified_publisher"),
        "owner_tenant_id": attrs.get("owner_tenant_id"),
        "publisher_location": attrs.get("publisher_location"),
        "data_access": access,
        "permissions": attrs.get("permissions", []),
        "vendor_register": vendor.to_dict() if vendor else None,
    }
    location = attrs.get("publisher_location")
    if not access:
        return Verdict(
            app.id,
            app.name,
            "pass",
            f"{who} holds no permission that reads personal data",
            location,
            evidence,
        )
    reads = "; ".join(f"{cat}: {', '.join(perms)}" for cat, perms in access.items())
    if vendor is None or vendor.dpa_signed is None:
        why = "is not in the vendor register" if vendor is None else "has no signed DPA recorded"
        return Verdict(
            app.id,
            app.name,
            "fail",
            f"{who} can read personal data ({reads}) and {why} (Art. 28(3))",
            location,
            evidence,
        )
    place = ctx.kb.resolve(location) if location else None
    if place is not None and not ctx.policy.judge(place).allowed:
        # The publisher is a recipient of its own: the register's tool must fit its place.
        found = basis(place, vendor, {}, app.name, provider=False)
        evidence.update(found.evidence())
        if found.status != "pass":
            return Verdict(
                app.id,
                app.name,
                "warn" if found.status == "fail" else found.status,
                f"{who} has a DPA (signed {vendor.dpa_signed}) but its publisher is homed in "
                f"{found.reason}",
                location,
                evidence,
            )
    return Verdict(
        app.id,
        app.name,
        "pass",
        f"{who} reads personal data ({reads}) under a DPA signed {vendor.dpa_signed}",
        location,
        evidence,
    )
