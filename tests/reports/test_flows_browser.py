"""The flow picture in a real headless Chromium: drawn inline, aggregated, expandable, inert."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from reports import html
from reports.flows import flow_picture
from tests.reports import test_html_browser as base
from tests.reports.conftest import XSS
from tests.reports.test_html_browser import Watched, expect

# the browser and the Chromium check of the report tests, shared (a skip without Chromium)
browser = base.browser
_chromium_installed = base._chromium_installed

EU_SOURCES = [("aws:eu-central-1", "DE"), ("aws:eu-west-1", "IE"), ("aws:eu-west-3", "FR")]
DESTINATIONS = [
    ("aws:us-east-1", "US", "third_country"),
    ("aws:ap-south-1", "IN", "third_country"),
    ("aws:eu-west-2", "GB", "adequate"),
    ("aws:eu-north-1", "SE", "eu"),
]


@pytest.fixture(scope="module")
def demo_document() -> dict[str, Any]:
    from scanner.demo import run_demo

    return run_demo()


def opened_page(browser: Any, document: dict[str, Any], path: Path) -> Watched:
    path.write_text(html.render(document), encoding="utf-8")
    return Watched(browser, path)


def test_the_demo_draws_its_us_copies_as_third_country_flows(
    browser: Any, demo_document: dict[str, Any], tmp_path: Path
) -> None:
    opened = opened_page(browser, demo_document, tmp_path / "demo.html")
    page = opened.page
    to_us = page.locator('svg.flows a.edge[data-to="US"]')
    assert to_us.count() >= 2  # from Frankfurt and from Ireland
    assert {e.get_attribute("data-jurisdiction") for e in to_us.all()} == {"third_country"}
    assert {e.get_attribute("data-status") for e in to_us.all()} == {"fail"}
    locations = []
    for edge in to_us.all():
        edge.locator("text").click()
        group = page.locator(f"#{edge.get_attribute('href').lstrip('#')}")
        expect(group).to_be_visible()
        locations += group.locator("li.copy").evaluate_all(
            "items => items.map(i => i.dataset.location)"
        )
    assert {"aws:us-east-1", "aws:us-west-2"} <= set(locations)
    assert "SCC module 2" in (page.locator("svg.flows").text_content() or "")
    page.screenshot(path=str(tmp_path / "demo-flows.png"), full_page=True)
    assert opened.console == [] and opened.requests == [opened.url]
    page.close()


def many_copies(document: dict[str, Any], count: int) -> dict[str, Any]:
    """``count`` copies between a few countries, with their source stores, plus a hostile name."""
    document = copy.deepcopy(document)
    template = next(
        f for f in document["findings"] if f["check_id"] == "replication-outside-allowed"
    )
    store = next(f for f in document["findings"] if f["check_id"] == "storage-outside-allowed")
    for i in range(count):
        source, country = EU_SOURCES[i % len(EU_SOURCES)]
        destination, dest_country, jurisdiction = DESTINATIONS[i % len(DESTINATIONS)]
        bucket = f"aws:s3:::bucket-{i}"
        document["findings"].append(
            {**store, "id": f"s{i}", "resource": bucket, "resource_name": f"bucket-{i}",
             "location": source, "country": country, "jurisdiction": "eu", "status": "pass"}
        )  # fmt: skip
        name = XSS if i == 0 else f"bucket-{i} -> bucket-{i}-copy"
        document["findings"].append(
            {**template, "id": f"r{i}", "resource": f"{bucket}/replication/{i}",
             "resource_name": name, "location": destination, "country": dest_country,
             "jurisdiction": jurisdiction, "status": "pass" if jurisdiction == "eu" else "fail",
             "evidence": {**template["evidence"], "source": bucket}}
        )  # fmt: skip
    return document


def test_five_hundred_copies_stay_a_readable_picture(
    browser: Any, document: dict[str, Any], tmp_path: Path
) -> None:
    crowded = many_copies(document, 500)
    picture = flow_picture(crowded)
    assert picture is not None and picture["copies"] == 501  # and the fixture's own copy
    assert len(picture["edges"]) <= len(EU_SOURCES) * len(DESTINATIONS) + 1
    opened = opened_page(browser, crowded, tmp_path / "crowded.html")
    page = opened.page
    edge = page.locator('svg.flows a.edge[data-from="DE"][data-to="US"]')
    assert edge.get_attribute("data-copies") == "42"
    group = page.locator(f"#{edge.get_attribute('href').lstrip('#')}")
    expect(group).to_be_hidden()
    edge.locator("text").click()
    expect(group.locator("li.copy")).to_have_count(42)
    box = page.locator("svg.flows").bounding_box()
    assert box is not None and box["height"] < 600
    page.screenshot(path=str(tmp_path / "crowded-flows.png"), full_page=True)
    assert XSS in page.locator(".flow-groups").inner_text()  # the name is text
    assert page.locator("main img").count() == 0 and opened.dialogs == []
    assert opened.console == [] and opened.requests == [opened.url]
    page.close()
