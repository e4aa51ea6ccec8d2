"""The local Slack Web API answers the real sync and async slack-sdk clients like Slack does."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

BOT = "xoxb-sandbox-kn-scanner-bot"


def test_sync_posts_form_and_async_gets_query_with_cursor_paging(sandbox) -> None:
    box = sandbox(page_cap=2)
    url = box.server.api_url
    types = "public_channel,private_channel"
    sync_pages = [
        [c["name"] for c in page["channels"]]
        for page in WebClient(token=BOT, base_url=url).conversations_list(types=types, limit=999)
    ]

    async def run() -> list[list[str]]:
        client = AsyncWebClient(token=BOT, base_url=url)
        pages = await client.conversations_list(types=types, limit=999)
        return [[c["name"] for c in page["channels"]] async for page in pages]

    async_pages = asyncio.run(run())
    assert [len(p) for p in sync_pages] == [2, 2, 1]  # 5 channels, at most 2 per page
    assert async_pages == sync_pages
    assert ("POST", "conversations.list") in box.server.verbs
    assert ("GET", "conversations.list") in box.server.verbs


def test_ok_false_errors_have_documented_shapes(sandbox, dataset) -> None:
    data = dataset()
    data["tokens"]["xapp-level"] = {"type": "app", "scopes": []}
    box = sandbox(data)
    client = WebClient(token=BOT, base_url=box.server.api_url)
    with pytest.raises(SlackApiError) as missing:
        client.api_call("team.integrationLogs", http_verb="GET", params={})
    assert missing.value.response["error"] == "user_is_bot"
    data["tokens"][BOT]["scopes"].remove("team.billing:read")
    with pytest.raises(SlackApiError) as scope:
        client.team_billing_info()
    assert scope.value.response["error"] == "missing_scope"
    assert scope.value.response["needed"] == "team.billing:read"
    assert "team:read" in scope.value.response["provided"]
    for token, code in (("xoxb-nope", "invalid_auth"), ("xapp-level", "not_allowed_token_type")):
        with pytest.raises(SlackApiError) as err:
            WebClient(token=token, base_url=box.server.api_url).auth_test()
        assert err.value.response["error"] == code


def test_throttle_answers_429_with_retry_after(sandbox) -> None:
    box = sandbox()
    box.server.faults.throttle("team.info", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        WebClient(token=BOT, base_url=box.server.api_url).team_info()
    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    assert err.value.response.headers["Retry-After"] == "7"


def test_start_slack_gives_connector_settings_and_token_env() -> None:
    from sandbox.slack import start_slack

    service = start_slack()
    try:
        assert service.provider == "slack"
        assert service.settings["api_url"] == service.url
        assert service.settings["declared_region"] == "frankfurt"
        assert service.settings["token"].startswith("env:")
        assert service.env[service.settings["token"][4:]].startswith("xoxb-")
    finally:
        service.stop()
