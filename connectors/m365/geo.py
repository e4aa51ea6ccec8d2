"""Multi-Geo evidence, aggregated: one asset per (kind, location), never one per user.

A user, group or site without a preferred data location lives in the tenant's default geo;
those members are counted as ``inherited`` so the report can say so. Members are listed for
every geo except the default one (where the tenant itself is the finding), so a 40,000-user
tenant yields a handful of assets with the users outside policy named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.models import Asset

KINDS: dict[str, tuple[str, list[str]]] = {
    "user_data": (
        "users' mailboxes, OneDrive and chats",
        ["email", "chat", "files", "call_recordings"],
    ),
    "group_data": ("Microsoft 365 groups' mailboxes and files", ["email", "files", "chat"]),
    "site_data": ("SharePoint and OneDrive sites", ["files"]),
}


@dataclass
class _Bucket:
    location: str | None
    explicit: int = 0
    inherited: int = 0
    members: list[dict[str, str]] = field(default_factory=list)


class GeoAggregate:
    """Counts members per (kind, location) as they stream in from paged lists."""

    def __init__(self, tenant_id: str, default_location: str | None) -> None:
        self.tenant_id = tenant_id
        self._default_location = default_location
        self._buckets: dict[tuple[str, str | None], _Bucket] = {}
        self.enumerated: set[str] = set()

    def add(self, kind: str, member_id: str, name: str, code: Any) -> None:
        self.enumerated.add(kind)
        geo = str(code).strip().upper() if code else None
        location = f"m365:{geo}" if geo else self._default_location
        bucket = self._buckets.setdefault((kind, location), _Bucket(location))
        if geo:
            bucket.explicit += 1
        else:
            bucket.inherited += 1
        if location != self._default_location:
            bucket.members.append({"id": member_id, "name": name})

    def assets(self) -> list[Asset]:
        for kind in KINDS:  # kinds not enumerated (single-geo tenant) live in the default geo
            if kind not in self.enumerated:
                self._buckets.setdefault(
                    (kind, self._default_location), _Bucket(self._default_location)
                )
        return [
            self._asset(kind, bucket)
            for (kind, _), bucket in sorted(
                self._buckets.items(), key=lambda item: (item[0][0], item[0][1] or "")
            )
        ]

    def _asset(self, kind: str, bucket: _Bucket) -> Asset:
        label, categories = KINDS[kind]
        code = bucket.location.split(":", 1)[1] if bucket.location else "unknown"
        is_default = bucket.location == self._default_location
        attributes: dict[str, Any] = {
            "geo": code,
            "default_geo": is_default,
            "enumerated": kind in self.enumerated,
            "count": bucket.explicit + bucket.inherited if kind in self.enumerated else None,
            "explicit_count": bucket.explicit,
            "inherited_count": bucket.inherited,
        }
        if is_default:
            attributes["note"] = (
                "the tenant's default geo; members without a preferred data location live here"
                + ("" if kind in self.enumerated else " (not enumerated: single-geo tenant)")
            )
        else:
            attributes["members"] = bucket.members
        where = "default geo " + code if is_default else "geo " + code
        return Asset(
            id=f"m365:{self.tenant_id}:{kind}:{code}",
            provider="m365",
            kind=kind,
            name=f"{label[0].upper()}{label[1:]} in {where}",
            location=bucket.location,
            data_categories=list(categories),
            attributes=attributes,
        )
