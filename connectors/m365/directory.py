"""Where the members live: users, and in Multi-Geo tenants groups and sites, streamed into the
geo aggregate. Guests are returned apart: their home tenants are the sharing evidence."""

from __future__ import annotations

import asyncio
from typing import Any

from connectors.m365.geo import GeoAggregate
from connectors.m365.graph import query
from connectors.m365.reader import TenantReader
from connectors.m365.tenant import SITE_FIELDS

PAGE_SIZE = 999
USER_FIELDS = [
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "userType",
    "preferredDataLocation",
    "externalUserState",
]
Member = tuple[str, str, str, str | None]  # (kind, id, name, preferred data location)


async def read_users(
    reader: TenantReader, geo: GeoAggregate, multi_geo: bool
) -> list[dict[str, Any]] | None:
    """Stream users into the geo aggregate; return only the guests."""

    async def read() -> list[dict[str, Any]]:
        guests: list[dict[str, Any]] = []
        members: list[Member] = []
        request = query(reader.client.users, USER_FIELDS, top=PAGE_SIZE)
        async for page in reader.graph.pages(request):
            for user in page:
                if user.get("userType") == "Guest":
                    guests.append(user)
                    continue
                code = user.get("preferredDataLocation") if multi_geo else None
                name = user.get("userPrincipalName") or user.get("displayName") or ""
                members.append(("user_data", str(user.get("id")), name, code))
        add_all(geo, members)  # only a complete listing is counted, never a partial one
        return guests

    return await reader.step("directory", "users.list", read())


async def read_multi_geo(reader: TenantReader, geo: GeoAggregate, multi_geo: bool) -> None:
    """Groups' and sites' geos: only Multi-Geo tenants can place them outside the default."""
    if not multi_geo:
        return
    client = reader.client

    async def groups() -> None:
        request = query(
            client.groups,
            ["id", "displayName", "preferredDataLocation"],
            top=PAGE_SIZE,
            filter="groupTypes/any(c:c eq 'Unified')",
        )
        add_all(
            geo,
            [
                (
                    "group_data",
                    str(group.get("id")),
                    group.get("displayName") or "",
                    group.get("preferredDataLocation"),
                )
                async for page in reader.graph.pages(request)
                for group in page
            ],
        )

    async def sites() -> None:
        request = query(client.sites.get_all_sites, SITE_FIELDS, top=PAGE_SIZE)
        add_all(
            geo,
            [
                (
                    "site_data",
                    str(site.get("id")),
                    site.get("webUrl") or "",
                    (site.get("siteCollection") or {}).get("dataLocationCode"),
                )
                async for page in reader.graph.pages(request)
                for site in page
            ],
        )

    await asyncio.gather(
        reader.step("multi-geo", "groups.list", groups()),
        reader.step("multi-geo", "sites.getAllSites", sites()),
    )


def add_all(geo: GeoAggregate, members: list[Member]) -> None:
    """Count a whole listing at once, after its last page: a failed listing adds nothing."""
    for kind, member_id, name, code in members:
        geo.add(kind, member_id, name, code)
