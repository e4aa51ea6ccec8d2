"""Third-party apps that can read mail, files, chats or users' data need a DPA (Art. 28).

Permission names come from the connector (resolved from the tenant's live definitions); this
check only decides which of them reach personal data. The vendor register is searched by stable
ids first (appId, publisher tenant, verified publisher id); a name counts only for a verified
publisher, since anyone can call an app "Zendesk". Apps the policy declares its own are internal.
A publisher whose region is unknown is never a pass without a recorded transfer tool.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.transfers import basis, register_tool
from checks.vendors import app_identity
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
    verified = bool(attrs.get("verified_publisher"))
    who = f"{app.name} (publisher {publisher}, {'verified' if verified else 'unverified'})"
    identity = app_identity(app)
    match = ctx.policy.match_app_vendor(identity)
    lookalike = ctx.policy.name_lookalike(identity) if match is None else None
    location = attrs.get("publisher_location")
    evidence = {
        "publisher": publisher,
        "verified_publisher": attrs.get("verified_publisher"),
        "owner_tenant_id": attrs.get("owner_tenant_id"),
        "publisher_location": location,
        "publisher_region": attrs.get("publisher_region"),
        "data_access": access,
        "permissions": attrs.get("permissions", []),
        "vendor_register": match.evidence() if match else None,
        "name_lookalike_not_accepted": lookalike.id if lookalike else None,
    }

    def verdict(status: str, message: str) -> Verdict:
        return Verdict(app.id, app.name, status, message, location, evidence)

    own = ctx.policy.own_app(identity, by_name=verified)
    if own is not None:
        declared, key = own
        evidence["own_app"] = {**declared.to_dict(), "matched_by": key}
        return verdict(
            "pass",
            f"{who} is declared your own app in the policy (owner {declared.owner}, matched by "
            f"{key.replace('_', ' ')}): internal processing, not a third party",
        )
    if not access:
        return verdict("pass", f"{who} holds no permission that reads personal data")
    reads = "; ".join(f"{cat}: {', '.join(perms)}" for cat, perms in access.items())
    if match is None or match.vendor.dpa_signed is None:
        why = "is not in the vendor register" if match is None else "has no signed DPA recorded"
        if lookalike is not None:
            why += (
                f"; its name matches {lookalike.name} in the register, but an unverified "
                "publisher's name proves nothing, so that DPA is not applied (register the "
                "app id or publisher tenant id if it really is theirs)"
            )
        return verdict("fail", f"{who} can read personal data ({reads}) and {why} (Art. 28(3))")
    vendor = match.vendor
    signed = f"a DPA signed {vendor.dpa_signed} (matched by {match.key.replace('_', ' ')})"
    tool = register_tool(vendor)
    if location is None and not tool:
        scope = (attrs.get("publisher_region") or {}).get("tenant_region_scope") or "unknown"
        return verdict(
            "manual",
            f"{who} reads personal data ({reads}) under {signed}, but its publisher's region is "
            f"unknown (tenant_region_scope {scope}) and no transfer tool (SCCs, BCRs, DPF) is "
            "recorded: find out where the vendor processes the data (Art. 44)",
        )
    place = ctx.kb.resolve(location) if location else None
    if place is not None and not ctx.policy.judge(place).allowed:
        # The publisher is a recipient of its own: the register's tool must fit its place.
        found = basis(place, vendor, {}, app.name, provider=False)
        evidence.update(found.evidence())
        if found.status != "pass":
            return verdict(
                "warn" if found.status == "fail" else found.status,
                f"{who} has {signed} but its publisher is homed in {found.reason}",
            )
    return verdict("pass", f"{who} reads personal data ({reads}) under {signed}")
