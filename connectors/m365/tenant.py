"""The tenant's own geography: evidence stacked from discovery, the token, /organization and
the root site of each SharePoint geo (Graph has no single "data location" property)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from connectors.m365.discovery import TenantInfo
from connectors.m365.geo import GeoAggregate
from connectors.m365.graph import query
from connectors.m365.reader import TenantReader
from core.models import Asset

TOKEN_CLAIMS = ("xms_tdbr", "tenant_region_scope", "tenant_ctry", "xms_tcdt")
ORG_FIELDS = [
    "id",
    "displayName",
    "countryLetterCode",
    "defaultUsageLocation",
    "createdDateTime",
    "tenantType",
    "verifiedDomains",
    "partnerTenantType",
    "onPremisesSyncEnabled",
    "isMultipleDataLocationsForServicesEnabled",
]
SITE_FIELDS = ["id", "webUrl", "displayName", "isPersonalSite", "siteCollection"]


def initial_prefix(org: dict[str, Any] | None) -> str | None:
    """``contoso`` from the initial ``contoso.onmicrosoft.com`` domain: SharePoint's root host."""
    for domain in (org or {}).get("verifiedDomains") or []:
        if domain.get("isInitial") and domain.get("name"):
            return str(domain["name"]).split(".")[0].lower()
    return None


def geo_codes(root_sites: list[dict[str, Any]]) -> list[str]:
    codes = {
        str(code).upper()
        for site in root_sites
        if (code := (site.get("siteCollection") or {}).get("dataLocationCode"))
    }
    return sorted(codes)


def default_geo(
    root_sites: list[dict[str, Any]],
    org: dict[str, Any] | None,
    info: TenantInfo,
    claims: dict[str, Any] | None = None,
) -> tuple[str | None, str]:
    """(namespaced location, how it was learned). In a Multi-Geo tenant the default geo's root
    site sits at ``{initial}.sharepoint.com`` and satellites at ``{initial}{geo}.sharepoint.com``.
    Entra's EU scope (EMEA) is refined by the tenant's own country where an API gives one."""
    prefix = initial_prefix(org)
    for site in root_sites:
        collection = site.get("siteCollection") or {}
        host = collection.get("hostname") or urlsplit(site.get("webUrl") or "").hostname or ""
        code = collection.get("dataLocationCode")
        if code and prefix and host.lower().split(".")[0] == prefix:
            return f"m365:{str(code).upper()}", "dataLocationCode of the default geo's root site"
    location = info.location
    if location:
        scope = f"tenant_region_scope {info.region_scope}"
        country = (org or {}).get("countryLetterCode") or (claims or {}).get("tenant_ctry")
        if location.startswith("entra:") and country:
            return f"country:{str(country).upper()}", f"tenant country within the {scope} (EMEA)"
        return location, f"OpenID discovery {scope}"
    return None, "unknown: no root-site geo and an undocumented tenant_region_scope"


def multi_geo_enabled(org: dict[str, Any] | None, root_sites: list[dict[str, Any]]) -> bool:
    """v1.0 returns the flag only as an untyped extra property; several geo root sites are
    the other, documented sign."""
    return bool((org or {}).get("isMultipleDataLocationsForServicesEnabled")) or (
        len(geo_codes(root_sites)) > 1
    )


def tenant_asset(
    tenant_id: str,
    info: TenantInfo,
    claims: dict[str, Any],
    org: dict[str, Any] | None,
    root_sites: list[dict[str, Any]] | None,
) -> Asset:
    location, basis = default_geo(root_sites or [], org, info, claims)
    org = org or {}
    domains = [d.get("name") for d in org.get("verifiedDomains") or [] if d.get("name")]
    evidence = {
        "discovery": info.evidence(),
        "token": {k: claims[k] for k in TOKEN_CLAIMS if k in claims},
        "organization": {
            "read": bool(org),
            "countryLetterCode": org.get("countryLetterCode"),
            "defaultUsageLocation": org.get("defaultUsageLocation"),
            "isMultipleDataLocationsForServicesEnabled": org.get(
                "isMultipleDataLocationsForServicesEnabled"
            ),
            "partnerTenantType": org.get("partnerTenantType"),
        },
        "sharepoint_geos": geo_codes(root_sites or []) if root_sites is not None else None,
    }
    return Asset(
        id=f"m365:{tenant_id}:tenant",
        provider="m365",
        kind="tenant",
        name=org.get("displayName") or tenant_id,
        location=location,
        data_categories=["directory"],
        attributes={
            "tenant_id": tenant_id,
            "default_geo": location,
            "location_basis": basis,
            "multi_geo": multi_geo_enabled(org, root_sites or []),
            "country": org.get("countryLetterCode"),
            "verified_domains": domains,
            "tenant_type": org.get("tenantType"),
            "evidence": evidence,
        },
    )


async def read_tenant(
    reader: TenantReader, info: TenantInfo, claims: dict[str, Any]
) -> tuple[Asset, GeoAggregate, bool]:
    """/organization and the geos' root sites -> (the tenant asset, an aggregate for the members'
    geos started at the default geo, whether the tenant is Multi-Geo)."""
    client = reader.client
    org_list, root_sites = await asyncio.gather(
        reader.listing("tenant", "organization.list", query(client.organization, ORG_FIELDS)),
        reader.listing(
            "sharepoint",
            "sites.list",
            query(client.sites, SITE_FIELDS, filter="siteCollection/root ne null"),
        ),
    )
    org = org_list[0] if org_list else None
    asset = tenant_asset(reader.tenant_id, info, claims, org, root_sites)
    location, _ = default_geo(root_sites or [], org, info, claims)
    geo = GeoAggregate(reader.tenant_id, location)
    return asset, geo, multi_geo_enabled(org, root_sites or [])
