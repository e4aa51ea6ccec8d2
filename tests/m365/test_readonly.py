"""Only allow-listed GETs leave the process; anything else raises before it is sent."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from msgraph.generated.models.user import User

from connectors.base import CallLedger
from connectors.m365.auth import build_credential
from connectors.m365.graph import GraphReader
from connectors.m365.settings import M365Settings
from core.errors import ReadOnlyViolation
from sandbox.graph import GraphServer


def run_with_reader(settings: dict[str, Any], action: Any) -> CallLedger:
    parsed = M365Settings.from_settings(settings)
    ledger = CallLedger()

    async def go() -> None:
        reader = GraphReader(parsed, build_credential(parsed, ledger), ledger)
        try:
            await action(reader)
        finally:
            await reader.aclose()

    asyncio.run(go())
    return ledger


def test_sdk_write_is_refused_before_sending(settings: dict[str, Any], graph: GraphServer) -> None:
    async def create_user(reader: GraphReader) -> None:
        await reader.client.users.post(User(display_name="x"))

    with pytest.raises(ReadOnlyViolation, match="POST"):
        run_with_reader(settings, create_user)
    assert not [r for r in graph.requests if r.startswith("write:")]
    assert sum(graph.requests.values()) == 0


def test_raw_delete_and_unlisted_get_are_refused(
    settings: dict[str, Any], graph: GraphServer
) -> None:
    async def delete(reader: GraphReader) -> None:
        await reader.http.delete(f"{settings['graph_url']}/users/u-0001")

    async def read_mail(reader: GraphReader) -> None:  # a GET, but not on the allow-list
        await reader.http.get(f"{settings['graph_url']}/users/u-0001/messages")

    for action in (delete, read_mail):
        with pytest.raises(ReadOnlyViolation):
            run_with_reader(settings, action)
    assert sum(graph.requests.values()) == 0


def test_allowed_get_is_sent_and_counted(settings: dict[str, Any], graph: GraphServer) -> None:
    async def organization(reader: GraphReader) -> None:
        await reader.get(reader.client.organization.to_get_request_information())

    ledger = run_with_reader(settings, organization)
    assert ledger.snapshot() == {"organization.list": 1}
    assert graph.requests["organization"] == 1
