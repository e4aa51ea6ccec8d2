"""`residency doctor slack` against the local Slack Web API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.base import Target
from connectors.slack.connector import SlackConnector
from tests.slack.conftest import Sandbox


def test_a_token_without_a_scope_is_told_which(
    sandbox: Callable[..., Sandbox], dataset: Callable[[str], dict[str, Any]]
) -> None:
    data = dataset("slack_demo")
    for token in data["tokens"].values():
        if "team.billing:read" in token["scopes"]:
            token["scopes"].remove("team.billing:read")
    box = sandbox(data)
    diagnosis = SlackConnector(Target("kn-slack", "slack", box.settings)).diagnose()
    assert diagnosis.missing == ["team.billing:read"]
    assert diagnosis.identity["workspace"] == "Klantenservice Noord (T0KNOORD1)"
    assert diagnosis.identity["plan"] == "unknown"  # the plan is what the missing scope reads
