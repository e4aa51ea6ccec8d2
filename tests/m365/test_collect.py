"""The demo tenant scanned end to end through msgraph-sdk over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Asset, Collection, GapReason
from sandbox.graph import GraphServer
from tests.m365.conftest import Scan

TENANT = "3f1c6c1e-8c2a-4b7e-9a55-0d1e2f3a4b5c"


def assets(collection: Collection, kind: str) -> dict[str | None, Asset]:
    return {a.location: a for a in collection.assets if a.kind == kind}


def test_tenant_geography_evidence(scan: Scan) -> None:
    collection = scan()
    tenant = assets(collection, "tenant")["m365:EUR"]
    assert tenant.attributes["country"] == "NL"
    assert tenant.attributes["multi_geo"] is True
    assert tenant.attributes["location_basis"].startswith("dataLocationCode")
    evidence = tenant.attributes["evidence"]
    assert evidence["discovery"]["tenant_region_scope"] == "EU"
    assert evidence["token"]["xms_tdbr"] == "EU"
    assert evidence["sharepoint_geos"] == ["EUR", "NAM"]
    assert collection.identity["processor"] == "microsoft"
    assert collection.gaps == []


def test_multigeo_is_aggregated_per_location(scan: Scan) -> None:
    collection = scan()
    users = assets(collection, "user_data")
    assert set(users) == {"m365:EUR", "m365:NAM"}  # one asset per geo, not one per user
    nam = users["m365:NAM"].attributes
    assert nam["count"] == 2
    assert {m["name"] for m in nam["members"]} == {
        "mike.johnson@helpdesknoord.nl",
        "sarah.miller@helpdesknoord.nl",
    }
    eur = users["m365:EUR"].attributes
    # users with a null preferredDataLocation live in the default geo, and are counted so
    assert (eur["count"], eur["explicit_count"], eur["inherited_count"]) == (5, 2, 3)
    assert eur["default_geo"] is True and "members" not in eur
    sites = assets(collection, "site_data")
    assert sites["m365:NAM"].attributes["count"] == 1
    assert users["m365:NAM"].data_categories == ["email", "chat", "files", "call_recordings"]


def test_single_geo_tenant_ignores_pdl_and_skips_geo_calls(
    dataset: dict[str, Any], scan: Scan, graph: GraphServer
) -> None:
    dataset["organization"][0]["isMultipleDataLocationsForServicesEnabled"] = None
    dataset["sites"] = [s for s in dataset["sites"] if "nam" not in s["webUrl"]]
    for site in dataset["sites"]:
        site["siteCollection"].pop("dataLocationCode")
    collection = scan()
    users = assets(collection, "user_data")
    # Entra's EU scope is EMEA, not M365's EUR: refined by the tenant's country (NL); PDL is
    # ignored without Multi-Geo.
    assert set(users) == {"country:NL"}
    assert users["country:NL"].attributes["count"] == 7
    assert assets(collection, "site_data")["country:NL"].attributes["enumerated"] is False
    assert "groups.list" not in collection.calls and "sites.getAllSites" not in collection.calls
    tenant = assets(collection, "tenant")["country:NL"]
    assert tenant.attributes["location_basis"].startswith("tenant country within")


def test_entra_eu_scope_without_a_country_is_emea_not_eur(
    dataset: dict[str, Any], scan: Scan
) -> None:
    dataset["organization"][0]["countryLetterCode"] = None
    for site in dataset["sites"]:
        site["siteCollection"].pop("dataLocationCode")
    (tenant,) = assets(scan(), "tenant").values()
    assert tenant.location == "entra:EU"
    assert tenant.attributes["location_basis"] == "OpenID discovery tenant_region_scope EU"


def test_paging_follows_next_links_past_an_empty_page(scan: Scan, graph: GraphServer) -> None:
    collection = scan()
    # 9 users at 3 per page plus one empty page carrying a nextLink
    assert collection.calls["users.list"] == 4
    assert graph.requests["users"] == 4
    total = sum(a.attributes["count"] for a in collection.assets if a.kind == "user_data")
    assert total == 7  # 7 members; the 2 guests are sharing flows


def test_third_party_apps_classified_with_live_permission_names(
    dataset: dict[str, Any], scan: Scan
) -> None:
    graph_sp = next(
        s for s in dataset["servicePrincipals"] if s["displayName"] == "Microsoft Graph"
    )
    mail_read = next(r for r in graph_sp["appRoles"] if r["value"] == "Mail.Read")
    mail_read["value"] = "Mail.Read.Renamed"  # the tenant's definition wins over any table
    collection = scan()
    apps = {a.name: a.attributes for a in collection.assets if a.kind == "app"}
    assert "Microsoft Teams" not in apps  # Microsoft first-party apps are not listed
    assert apps["Helpdesk Noord Intranet Sync"]["classification"] == "own"
    assert apps["func-ticket-export"]["classification"] == "managed_identity"
    mail = apps["MailMetrics Analytics"]
    assert mail["classification"] == "third_party"
    assert mail["publisher"] == "MailMetrics Inc." and mail["verified_publisher"] is True
    assert [p["permission"] for p in mail["permissions"]] == ["Mail.Read.Renamed"]
    assert mail["publisher_location"] == "m365:NAM"
    calendar = apps["CalendarSync Pro"]["permissions"]
    assert {p["permission"] for p in calendar} == {"User.Read", "Calendars.Read", "offline_access"}
    assert all(p["type"] == "delegated" and p["consenting_users"] == 1 for p in calendar)


def test_app_access_and_external_sharing_flows(scan: Scan) -> None:
    collection = scan()
    flows = {f.party: f for f in collection.flows}
    app = flows["MailMetrics Analytics"]
    assert (app.kind, app.destination, app.destination_name) == (
        "app_access",
        "m365:NAM",
        "MailMetrics Inc.",
    )
    assert app.source == f"m365:{TENANT}:tenant"
    guest = flows["7a2b9c4d-1e3f-4a5b-8c6d-9e0f1a2b3c4d"]
    assert (guest.kind, guest.destination) == ("external_sharing", "m365:NAM")
    assert guest.attributes["guest_count"] == 1 and guest.attributes["domains"] == [
        "fabrikam-us.com"
    ]
    consumer = flows["gmail.com"]
    assert consumer.destination is None and consumer.attributes["not_an_entra_tenant"] is True
    partner = flows["d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6"]
    assert partner.attributes["type"] == "cross_tenant_partner"
    assert partner.destination == "entra:EU"  # Entra's EMEA geography, not M365's EUR


def test_select_and_top_are_sent(scan: Scan, graph: GraphServer) -> None:
    # Without $select the server returns only Graph's default user properties, which lack
    # preferredDataLocation: the NAM users are found only because the connector selects it.
    collection = scan()
    assert "m365:NAM" in assets(collection, "user_data")


def test_every_call_is_counted(scan: Scan, graph: GraphServer) -> None:
    collection = scan()
    served = sum(graph.requests.values())
    assert sum(collection.calls.values()) == served
    assert collection.calls["oidc.discovery"] == 7  # tenant, partner, guests, publishers


def test_a_repeated_next_link_stops_paging_with_a_gap(
    dataset: dict[str, Any], scan: Scan, graph: GraphServer
) -> None:
    dataset["looping_page_routes"] = ["users"]  # page 2 links back to itself
    collection = scan()
    [gap] = [g for g in collection.gaps if g.operation == "users.list"]
    assert (gap.reason, gap.message) == (
        GapReason.MALFORMED_RESPONSE,
        "repeated cursor: the same @odata.nextLink twice",
    )
    # 9 users at 3 per page: pages 1 and 2, then page 2's own link is refused before sending
    assert graph.requests["users"] == collection.calls["users.list"] == 2
    # the 6 users already read are not counted: a partial listing is never taken for the whole
    users = assets(collection, "user_data").values()
    assert sum(a.attributes["explicit_count"] + a.attributes["inherited_count"] for a in users) == 0


def test_each_call_is_logged_at_debug_and_each_gap_at_info(
    dataset: dict[str, Any], scan: Scan, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="residency")
    dataset["looping_page_routes"] = ["users"]
    collection = scan()
    calls = [r for r in caplog.records if r.name == "residency.m365"]
    assert {r.levelname for r in calls} == {"DEBUG"}
    assert len(calls) == sum(collection.calls.values())
    assert "m365 call users.list" in [r.getMessage() for r in calls]
    (gap,) = [r for r in caplog.records if r.levelname == "INFO" and " gap in " in r.getMessage()]
    assert "users.list" in gap.getMessage() and "repeated cursor" in gap.getMessage()


def test_a_guest_domain_with_a_slash_is_a_gap_not_a_lost_target(
    scan: Scan, dataset: dict[str, Any]
) -> None:
    """A guest's mail domain is cloud-controlled: `evil.example/x?y` must not be pasted into
    the discovery URL (the gate refused it and the whole tenant was lost)."""
    guest = next(u for u in dataset["users"] if u.get("userType") == "Guest")
    guest["mail"] = "jane@evil.example/../x?y#z"
    collection = scan()
    (gap,) = [g for g in collection.gaps if g.operation == "oidc.discovery"]
    assert gap.reason is GapReason.MALFORMED_RESPONSE
    assert gap.resource == "evil.example/../x?y#z"
    assert any(a.kind == "tenant" for a in collection.assets)  # the tenant was still read
