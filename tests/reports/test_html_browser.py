"""The HTML report in a real headless Chromium (Debian's package): offline, interactive, inert.

Skipped when /usr/bin/chromium is absent (CI installs it: apt-get install chromium).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reports import html
from tests.conftest import require_system_tool
from tests.reports.conftest import XSS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    require_system_tool(Path(CHROMIUM).exists(), "chromium (Debian package chromium)")


def expect(locator: Any) -> Any:
    """Playwright's auto-waiting assertions (no string eval, which the page's CSP forbids)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport={"width": 1300, "height": 1000},
        )
        yield context
        context.close()


class Watched:
    """A page with every console message, page error, dialog and request recorded."""

    def __init__(self, context: Any, path: Path) -> None:
        self.console: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.url = path.as_uri()
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)

    def visible_rows(self, target: int = 0) -> list[str]:
        rows = self.page.locator(f"#target-{target} tbody tr.finding")
        return rows.all_inner_texts()


@pytest.fixture
def opened(browser: Any, document: dict[str, Any], tmp_path: Path) -> Iterator[Watched]:
    path = tmp_path / "report.html"
    path.write_text(html.render(document), encoding="utf-8")
    watched = Watched(browser, path)
    yield watched
    watched.page.close()


def test_loads_offline_without_errors_or_requests(opened: Watched, tmp_path: Path) -> None:
    assert opened.console == []
    assert opened.requests == [opened.url]
    assert len(opened.visible_rows()) == 15
    opened.page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_search_and_filters_change_the_rows(opened: Watched) -> None:
    page = opened.page
    page.fill("#target-0 input.q", "chat-transcripts")
    expect(page.locator("#target-0 tbody tr.finding")).to_have_count(3)
    assert all("chat-transcripts" in row for row in opened.visible_rows())
    page.fill("#target-0 input.q", "")
    page.select_option('#target-0 select[data-field="status"]', "pass")
    expect(page.locator("#target-0 tbody tr.finding")).to_have_count(7)
    rows = opened.visible_rows()
    assert len(rows) == 7 and all(row.startswith("PASS") for row in rows)
    page.select_option('#target-0 select[data-field="status"]', "")
    page.select_option('#target-0 select[data-field="country"]', "US")
    assert len(opened.visible_rows()) == 6
    assert opened.console == [] and opened.requests == [opened.url]


def test_sorting_and_expanding_evidence(opened: Watched) -> None:
    page = opened.page
    page.click('#target-0 th[data-sort="name"]')
    names = page.locator("#target-0 tbody tr.finding td.resource .name").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    page.click('#target-0 th[data-sort="name"]')
    reversed_names = page.locator("#target-0 tbody tr.finding td.resource .name").all_inner_texts()
    assert reversed_names == names[::-1]
    first = page.locator("#target-0 tbody tr.finding button.toggle").first
    first.click()
    detail = page.locator("#target-0 tbody tr.detail").first
    assert detail.is_visible()
    links = detail.locator("p.articles a")
    assert links.count() >= 1
    assert links.first.get_attribute("href").startswith("https://")
    assert "Remediation:" in detail.inner_text() and "Waiver" in detail.inner_text()
    assert '"place"' in detail.locator("pre.evidence").inner_text()


def test_hostile_resource_name_renders_as_text(opened: Watched) -> None:
    page = opened.page
    page.fill("#target-0 input.q", "onerror")
    expect(page.locator("#target-0 tbody tr.finding")).to_have_count(1)
    name = page.locator("#target-0 tbody tr.finding td.resource .name")
    assert name.inner_text() == XSS
    assert page.locator("main img").count() == 0
    assert opened.dialogs == [] and opened.console == []


def test_portfolio_link_opens_the_target_filtered_by_check(opened: Watched) -> None:
    page = opened.page
    assert not page.locator("#target-1").evaluate("d => d.open")
    page.click('.matrix a[data-target="1"][data-check="storage-outside-allowed"]')
    page.wait_for_selector("#target-1 tbody tr.finding")
    rows = opened.visible_rows(1)
    assert len(rows) == 2 and all("storage-outside-allowed" in r for r in rows)
    assert opened.requests == [opened.url]


def test_transfer_register_sorts_and_filters(opened: Watched) -> None:
    page = opened.page
    rows = page.locator("table.register-table tbody tr:visible")
    assert rows.count() == 11
    page.select_option('section.register select[data-field="jurisdiction"]', "third country")
    expect(rows).to_have_count(4)
    assert all("third country" in text for text in rows.all_inner_texts())
    page.fill("section.register input.rq", "oregon")
    expect(rows).to_have_count(2)
    page.fill("section.register input.rq", "")
    page.select_option('section.register select[data-field="jurisdiction"]', "")
    page.click('section.register th:text-is("Resources")')
    counts = page.locator("table.register-table tbody tr td:last-child").all_inner_texts()
    assert [int(c.split(":")[0]) for c in counts] == sorted(int(c.split(":")[0]) for c in counts)
    page.click('section.register th:text-is("Verdict")')
    verdicts = page.locator("table.register-table tbody td.rv").all_inner_texts()
    assert verdicts[0] == "fail" and verdicts[-1] == "pass"
    assert page.locator("section.register img").count() == 0  # the hostile name stays text
    assert opened.console == [] and opened.requests == [opened.url]
