"""Read-only gate, pacing, paging and retries of the gated slack-sdk clients."""

from __future__ import annotations

import asyncio

import pytest

from connectors.base import CallLedger, Target
from connectors.slack.client import (
    Admission,
    GatedAsyncWebClient,
    GatedWebClient,
    Pacer,
    SlackApi,
)
from connectors.slack.methods import METHODS
from connectors.slack.settings import SlackSettings
from core.errors import ReadOnlyViolation

BOT = "xoxb-sandbox-kn-scanner-bot"


def _api(box, **overrides) -> SlackApi:
    settings = SlackSettings.from_target(Target("t", "slack", {**box.settings, **overrides}))
    return SlackApi(settings, CallLedger())


def test_write_methods_are_refused_before_anything_is_sent(sandbox) -> None:
    box = sandbox()
    ledger = CallLedger()
    client = GatedWebClient(admission=Admission(ledger), token=BOT, base_url=box.server.api_url)
    with pytest.raises(ReadOnlyViolation, match=r"chat\.postMessage"):
        client.chat_postMessage(channel="C0KNGEN01", text="hello")
    with pytest.raises(ReadOnlyViolation, match=r"team\.externalTeams\.disconnect"):
        client.api_call("team.externalTeams.disconnect", data={"target_team": "T0ACMEUS1"})

    async def write_async() -> None:
        aclient = GatedAsyncWebClient(
            admission=Admission(ledger), token=BOT, base_url=box.server.api_url
        )
        await aclient.conversations_archive(channel="C0KNGEN01")

    with pytest.raises(ReadOnlyViolation):
        asyncio.run(write_async())
    assert box.server.requests == {}  # nothing left the process
    assert ledger.total == 0
    assert client.team_info()["team"]["id"] == "T0KNOORD1"  # reads still work
    assert ledger.snapshot() == {"team.info": 1}


def test_pacer_allows_a_tier_burst_then_spaces_calls() -> None:
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0])
    delays = [pacer.reserve("team.integrationLogs") for _ in range(21)]  # Tier 2: 20/min
    assert delays[:20] == [0.0] * 20
    assert delays[20] == pytest.approx(3.0)
    now[0] += 60.0
    assert pacer.reserve("team.integrationLogs") == 0.0
    assert pacer.reserve("team.info") == 0.0  # buckets are per method


def test_cursor_paging_uses_largest_page_and_counts_every_page(sandbox) -> None:
    box = sandbox(page_cap=2)
    api = _api(box)
    pages = list(api.pages("conversations.list", types="public_channel,private_channel"))
    assert [len(p["channels"]) for p in pages] == [2, 2, 1]
    assert api.admission.ledger.snapshot() == {"conversations.list": 3}
    assert METHODS["conversations.list"].page_size == 999


def test_numbered_paging_follows_paging_pages(sandbox) -> None:
    box = sandbox(page_cap=2)
    api = _api(box)
    pages = list(api.numbered_pages("team.integrationLogs"))
    assert [p["paging"]["page"] for p in pages] == [1, 2, 3]
    assert sum(len(p["logs"]) for p in pages) == 6


def test_429_is_retried_after_retry_after(sandbox) -> None:
    box = sandbox()
    box.server.faults.throttle("team.billing.info", times=1, retry_after=0)
    api = _api(box)
    assert api.call("team.billing.info")["plan"] == "plus"
    assert box.server.requests["team.billing.info"] == 2  # one 429, one success
    assert api.admission.ledger.snapshot() == {"team.billing.info": 2}  # the retry counts too


def test_every_retry_is_counted_on_the_async_client_and_the_audit_api(sandbox) -> None:
    box = sandbox("slack_grid")
    box.server.faults.throttle("team.info", times=2, retry_after=0)
    box.server.faults.throttle("audit.logs", times=1, retry_after=0)
    api = _api(box, max_retries=2)
    (result,) = api.fan_out("team.info", [{}])
    assert result["team"]["id"] == "T0KNGRID1"
    api.audit_logs(limit=10)
    assert dict(box.server.requests) == {"team.info": 3, "audit.logs": 2}
    assert api.admission.ledger.snapshot() == {"team.info": 3, "audit.logs": 2}


def test_fan_out_runs_on_the_async_client_with_get(sandbox) -> None:
    box = sandbox()
    api = _api(box, max_concurrency=2)
    results = api.fan_out("team.info", [{"team": "T0ACMEUS1"}, {"team": "T0MISSING"}])
    assert results[0]["team"]["name"] == "Acme Contact Centers Inc."
    assert results[1].response["error"] == "team_not_found"
    assert ("GET", "team.info") in box.server.verbs
    assert api.admission.ledger.snapshot() == {"team.info": 2}


def test_pages_the_sdk_fetches_itself_are_gated_and_counted(sandbox) -> None:
    """Iterating a SlackResponse makes the SDK request the next pages on its own; each one
    passes the gate and lands in the ledger like any other call."""
    box = sandbox()
    ledger = CallLedger()
    client = GatedWebClient(admission=Admission(ledger), token=BOT, base_url=box.server.api_url)
    response = client.api_call("conversations.list", http_verb="GET", params={"limit": 1})
    pages = [page["channels"] for page in response]
    assert len(pages) > 1
    assert ledger.snapshot() == {"conversations.list": len(pages)}
    assert box.server.requests["conversations.list"] == len(pages)

    async def iterate_async() -> int:
        aclient = GatedAsyncWebClient(
            admission=Admission(ledger), token=BOT, base_url=box.server.api_url
        )
        first = await aclient.api_call("conversations.list", http_verb="GET", params={"limit": 1})
        return len([page async for page in first])

    async_pages = asyncio.run(iterate_async())
    assert async_pages == len(pages)
    assert ledger.snapshot() == {"conversations.list": 2 * len(pages)}
    assert box.server.requests["conversations.list"] == 2 * len(pages)


@pytest.mark.parametrize("after", ["3600", "soon"])
def test_an_unreasonable_retry_after_is_a_throttled_gap_not_a_stall(sandbox, after) -> None:
    """A 429 asking for an hour (or for something that is not a number) is not waited out."""
    from slack_sdk.errors import SlackApiError

    from connectors.slack.client import classify
    from core.models import GapReason

    box = sandbox()
    box.server.faults.throttle("team.billing.info", times=1, retry_after=after)
    box.server.faults.throttle("team.info", times=1, retry_after=after)
    api = _api(box)
    with pytest.raises(SlackApiError) as error:
        api.call("team.billing.info")
    (result,) = api.fan_out("team.info", [{}])
    assert isinstance(result, SlackApiError)
    assert dict(box.server.requests) == {"team.billing.info": 1, "team.info": 1}  # no retry
    reason, message = classify("team.billing.info", error.value, 3)
    assert reason is GapReason.THROTTLED and "longer than the 60 s the scanner waits" in message
