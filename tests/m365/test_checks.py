"""The m365 checks over collections from the sandbox tenant, with the real knowledge base."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from checks.engine import evaluate
from core.knowledge import default_kb
from core.models import Collection, Finding
from core.policy import OwnApp, Policy, Vendor
from tests.conftest import run_cli
from tests.m365.conftest import Scan

TODAY = dt.date(2026, 12, 1)
# EUR's datacentres include Switzerland and Israel (adequate), so the test policy accepts both.
EU_POLICY = Policy(adequacy_countries=frozenset({"CH", "IL"}))


def findings(collection: Collection, policy: Policy = EU_POLICY) -> dict[str, list[Finding]]:
    by_check: dict[str, list[Finding]] = {}
    for finding in evaluate(collection, policy, default_kb(), TODAY):
        if finding.check_id.startswith("m365-"):
            by_check.setdefault(finding.check_id, []).append(finding)
    return by_check


@pytest.fixture
def demo(scan: Scan) -> Collection:
    return scan()


def test_tenant_in_eu_geography_passes_and_nam_satellite_fails(demo: Collection) -> None:
    result = findings(demo)
    assert [f.status for f in result["m365-tenant-geography"]] == ["pass"]
    (nam,) = result["m365-multigeo-outside-policy"]
    assert nam.status == "fail" and nam.location == "m365:NAM"
    assert "mike.johnson@helpdesknoord.nl" in nam.message
    assert nam.evidence["counts"] == {"users": 2, "sites": 1}


def test_eudb_is_never_a_pass(demo: Collection, dataset: dict[str, Any]) -> None:
    (eudb,) = findings(demo)["m365-eu-data-boundary"]
    assert eudb.status == "warn" and eudb.evidence["strength"] == "negative"
    assert eudb.evidence["outside_geos"] == ["m365:NAM"]


def test_eudb_strong_evidence_is_manual(dataset: dict[str, Any], scan: Scan) -> None:
    for user in dataset["users"]:
        user["preferredDataLocation"] = None
    dataset["sites"] = [s for s in dataset["sites"] if "nam" not in s["webUrl"]]
    result = findings(scan())
    (eudb,) = result["m365-eu-data-boundary"]
    assert eudb.status == "manual" and eudb.evidence["strength"] == "strong"
    assert [f.status for f in result["m365-multigeo-outside-policy"]] == ["pass"]


def test_third_party_app_without_dpa_fails_with_publisher(demo: Collection) -> None:
    policy = Policy(
        adequacy_countries=frozenset({"CH"}),
        vendors=(
            Vendor(
                "ticketflow",
                "TicketFlow B.V.",
                "app",
                dpa_signed=dt.date(2025, 3, 1),
                scc_module=None,
            ),
        ),
    )
    apps = {f.resource_name: f for f in findings(demo, policy)["m365-third-party-app-dpa"]}
    mail = apps["MailMetrics Analytics"]
    assert mail.status == "fail" and "MailMetrics Inc." in mail.message
    assert "Mail.Read" in mail.message and mail.articles[0] == "28(3)"
    # matched by publisher name, DPA signed; its publisher's Entra scope EU is EMEA: which country?
    assert apps["TicketFlow Helpdesk"].status == "manual"
    assert "only the region (EMEA) is known" in apps["TicketFlow Helpdesk"].message
    assert "Helpdesk Noord Intranet Sync" not in apps  # own apps are not processors


def test_cross_tenant_partners_and_guests_outside_policy_warn(demo: Collection) -> None:
    sharing = {
        f.resource_name: f.status for f in findings(demo)["m365-cross-tenant-outside-policy"]
    }
    assert sharing == {
        "partner tenant d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6": "manual",  # Entra EMEA
        "guests from fabrikam-us.com (1 guests)": "warn",
        "guests from gmail.com (1 guests)": "warn",
    }


def test_microsoft_as_processor_cites_kb_facts(demo: Collection) -> None:
    (manual,) = findings(demo)["m365-microsoft-processor"]
    assert manual.status == "manual"
    assert "2021/914" in manual.message and "DPF" in manual.message
    registered = Policy(
        vendors=(Vendor("microsoft", "Microsoft", "processor", dpa_signed=dt.date(2024, 1, 1)),)
    )
    (recorded,) = findings(demo, registered)["m365-microsoft-processor"]
    assert recorded.status == "pass"
    # an entry under its own id that says `extends: microsoft` is Microsoft's entry too
    contract = Vendor(
        "ms-ea", "Enterprise Agreement", "processor", dpa_signed=dt.date(2024, 1, 1),
        extends="microsoft",
    )  # fmt: skip
    (extended,) = findings(demo, Policy(vendors=(contract,)))["m365-microsoft-processor"]
    assert extended.status == "pass" and extended.evidence["vendor_register"]["id"] == "ms-ea"


def test_the_provider_found_again_as_an_app_is_judged_once(demo: Collection) -> None:
    """A register entry that is both the provider's and an app's gives one verdict per check."""
    both = Vendor(
        "microsoft", "Microsoft", "processor", dpa_signed=dt.date(2024, 1, 1),
        app_ids=(MAILMETRICS,),
    )  # fmt: skip
    found = evaluate(demo, Policy(vendors=(both,)), default_kb(), TODAY)
    dpa = [f.resource for f in found if f.check_id == "vendor-dpa"]
    assert dpa.count("vendor:microsoft") == 1


def test_unknown_tenant_geography_is_an_error_not_a_pass(
    dataset: dict[str, Any], scan: Scan
) -> None:
    dataset["tenants"][0]["region_scope"] = "XX"
    for site in dataset["sites"]:
        site["siteCollection"].pop("dataLocationCode")
    dataset["organization"][0]["isMultipleDataLocationsForServicesEnabled"] = None
    (tenant,) = findings(scan())["m365-tenant-geography"]
    assert tenant.status == "error"


CALENDAR_SYNC = "c7d3e4f5-a6b7-4c8d-8e9f-a0b1c2d3e4f5"  # unverified publisher, Calendars.Read
MAILMETRICS = "a9f1e2d3-c4b5-4a69-8788-796a5b4c3d2e"  # verified, Mail.Read, publisher tenant NA
TICKETFLOW = Vendor("ticketflow", "TicketFlow B.V.", "app", dpa_signed=dt.date(2025, 3, 1))


def app_findings(collection: Collection, *vendors: Vendor, **policy: Any) -> dict[str, Finding]:
    chosen = Policy(adequacy_countries=frozenset({"CH"}), vendors=vendors, **policy)
    return {f.resource_name: f for f in findings(collection, chosen)["m365-third-party-app-dpa"]}


def test_any_register_transfer_tool_counts_for_an_app_of_unknown_region(
    demo: Collection,
) -> None:
    """BCRs are a transfer tool like SCCs (Art. 46(2)(b)): not "no transfer tool recorded"."""
    calendar = Vendor(
        "calsync", "CalendarSync Inc.", "app", dpa_signed=dt.date(2025, 1, 1),
        app_ids=(CALENDAR_SYNC,), transfer_tool="bcr",
    )  # fmt: skip
    finding = app_findings(demo, calendar)["CalendarSync Pro"]
    assert "no transfer tool" not in finding.message
    without = dataclasses.replace(calendar, transfer_tool=None)
    assert app_findings(demo, without)["CalendarSync Pro"].status == "manual"


def test_a_spoofed_display_name_does_not_borrow_a_dpa(dataset: dict[str, Any], scan: Scan) -> None:
    """An unverified app that calls itself "TicketFlow B.V." is not TicketFlow's app."""
    for sp in dataset["servicePrincipals"]:
        if sp["appId"] == CALENDAR_SYNC:
            sp["displayName"] = "TicketFlow B.V."
    apps = app_findings(scan(), TICKETFLOW)
    spoof = apps["TicketFlow B.V."]
    assert spoof.status == "fail" and "unverified" in spoof.message
    assert "name matches TicketFlow B.V." in spoof.message
    assert spoof.evidence["vendor_register"] is None
    assert spoof.evidence["name_lookalike_not_accepted"] == "ticketflow"
    real = apps["TicketFlow Helpdesk"]  # verified publisher: its name is accepted, and says so
    assert real.evidence["vendor_register"]["matched_by"] == "name"
    # its DPA applies; only the publisher's country is open (Entra's EU scope is all of EMEA)
    assert real.status == "manual" and "DPA signed 2025-03-01" in real.message


def test_a_stable_id_matches_before_any_name(demo: Collection) -> None:
    vendor = Vendor(
        "calendarsync",
        "CalendarSync Ltd",
        "app",
        dpa_signed=dt.date(2025, 1, 1),
        app_ids=(CALENDAR_SYNC,),
        scc_module=2,
    )
    finding = app_findings(demo, vendor)["CalendarSync Pro"]
    assert finding.status == "pass" and "matched by app id" in finding.message
    assert finding.evidence["vendor_register"]["matched_value"] == CALENDAR_SYNC


def test_an_unknown_publisher_region_is_not_a_pass(dataset: dict[str, Any], scan: Scan) -> None:
    for tenant in dataset["tenants"]:
        if "mailmetrics.io" in tenant.get("domains", []):
            tenant["region_scope"] = "AS"  # a scope Microsoft does not document as a geo
    collection = scan()
    mailmetrics = Vendor(
        "mailmetrics",
        "MailMetrics Inc.",
        "app",
        dpa_signed=dt.date(2025, 1, 1),
        app_ids=(MAILMETRICS,),
    )
    finding = app_findings(collection, mailmetrics)["MailMetrics Analytics"]
    assert finding.status == "manual" and finding.location is None
    assert "region is unknown (tenant_region_scope AS)" in finding.message
    covered = dataclasses.replace(mailmetrics, scc_module=2)
    assert app_findings(collection, covered)["MailMetrics Analytics"].status == "pass"


def test_own_apps_in_another_tenant_are_internal_by_app_id_only(demo: Collection) -> None:
    by_id = OwnApp("m365", owner="IT platform team", app_id=CALENDAR_SYNC)
    finding = app_findings(demo, own_apps=(by_id,))["CalendarSync Pro"]
    assert finding.status == "pass" and "internal processing" in finding.message
    assert finding.evidence["own_app"]["owner"] == "IT platform team"
    by_name = OwnApp("m365", owner="IT platform team", name="CalendarSync Pro")
    # an unverified publisher's name proves nothing, also for an own app
    assert app_findings(demo, own_apps=(by_name,))["CalendarSync Pro"].status == "fail"


FABRIKAM = "7a2b9c4d-1e3f-4a5b-8c6d-9e0f1a2b3c4d"


def test_guests_are_named_per_home_tenant_in_the_finding_and_the_register(
    dataset: dict[str, Any], settings: dict[str, Any], tmp_path: Path
) -> None:
    dataset["users"].append(
        {  # a guest without mail: the address comes from the #EXT# UPN
            "id": "u-guest-3",
            "displayName": "Sam Buyer",
            "userPrincipalName": "sam.buyer_fabrikam-us.com#EXT#@helpdesknoord.onmicrosoft.com",
            "mail": None,
            "userType": "Guest",
            "externalUserState": "PendingAcceptance",
        }
    )
    result = run_cli(
        "scan", "m365",
        "--tenant-id", settings["tenant_id"],
        "--access-token", settings["access_token"],
        "--graph-url", settings["graph_url"],
        "--login-url", settings["login_url"],
        "--format", "csv", "--format", "json",
        "--output-dir", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    [fabrikam] = [
        f
        for f in report["findings"]
        if f["check_id"] == "m365-cross-tenant-outside-policy" and "fabrikam" in f["resource_name"]
    ]
    assert fabrikam["evidence"]["guests"] == [
        {"address": "jane.doe@fabrikam-us.com", "home_tenant": FABRIKAM, "state": "Accepted"},
        {
            "address": "sam.buyer@fabrikam-us.com",
            "home_tenant": FABRIKAM,
            "state": "PendingAcceptance",
        },
    ]
    assert "jane.doe@fabrikam-us.com, sam.buyer@fabrikam-us.com" in fabrikam["message"]
    text = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    [row] = [r for r in rows if r["entry"] == "sharing" and "fabrikam" in r["resources"]]
    assert row["recipients"] == "jane.doe@fabrikam-us.com; sam.buyer@fabrikam-us.com"
