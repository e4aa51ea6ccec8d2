"""SlackConnector end to end against the local Slack Web API (demo workspace and a Grid org)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from connectors.slack import cli_options
from connectors.slack.connector import SlackConnector
from connectors.slack.methods import ALLOWED
from core.errors import AuthError, ConfigError
from core.models import GapReason
from sandbox.slack import service_for

SCHEMA_PATH = "connectors/slack/settings.schema.json"


def _schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def test_demo_workspace_evidence(sandbox) -> None:
    box = sandbox(page_cap=2)
    collection = box.collect()
    workspace = collection.assets[0]
    assert workspace.kind == "workspace"
    assert workspace.location == "slack:frankfurt"
    assert workspace.data_categories == ["chat", "files"]
    attrs = workspace.attributes
    assert attrs["plan"] == "plus" and attrs["residency_possible"] is True
    assert attrs["proven_by_api"]["residency_region"] is None
    assert attrs["declared_by_admin"]["evidence"].startswith("Slack order form 2025-03")
    apps = {a.name: a for a in collection.assets if a.kind == "app"}
    assert set(apps) == {"CallScribe Transcription", "Polly", "Google Calendar"}  # removed app gone
    scribe = apps["CallScribe Transcription"].attributes
    assert scribe["content_scopes"] == {"messages": ["channels:history"], "files": ["files:read"]}
    flows = {f.kind: [] for f in collection.flows}
    for flow in collection.flows:
        flows[flow.kind].append(flow)
    assert {f.party for f in flows["app_access"]} == {"A0CALLSCR1", "A0POLLY001", "1600000001"}
    [acme] = flows["external_sharing"]
    assert acme.destination_name == "Acme Contact Centers Inc."
    assert acme.destination is None and acme.attributes["channels"] == ["kn-acme-overflow"]
    assert collection.gaps == []
    assert collection.identity["processor"] == "slack"
    # paging with page_cap=2: 4 live channels in 2 pages, 6 log entries in 3 pages
    assert collection.calls["conversations.list"] == 2
    assert collection.calls["team.integrationLogs"] == 3
    assert set(collection.calls) <= ALLOWED
    dump = json.dumps(collection.to_dict())
    assert "xoxb-" not in dump and "xoxp-" not in dump


def test_grid_org_apps_connect_retention_and_ekm(sandbox) -> None:
    box = sandbox("slack_grid")
    collection = box.collect()
    workspace = collection.assets[0]
    assert workspace.location == "slack:paris" and workspace.attributes["grid"]
    apps = {a.name: a.attributes for a in collection.assets if a.kind == "app"}
    assert apps["AnswerBot AI"]["sensitive_scopes"] == ["search:read"]
    assert apps["Everything Reader"]["status"] == "restricted"
    assert "Everything Reader" not in {f.destination_name for f in collection.flows}
    orgs = {f.destination_name: f for f in collection.flows if f.kind == "external_sharing"}
    assert set(orgs) == {"Bridge Outsourcing Ltd", "Van Dijk Advocaten"}  # not the disconnected
    assert orgs["Bridge Outsourcing Ltd"].attributes["hosted_by_partner"] == ["vendor-bridge"]
    assert orgs["Van Dijk Advocaten"].attributes["channels"] == ["legal-private"]  # not internal
    assert ("GET", "conversations.info") in box.server.verbs  # no shared_team_ids in the list
    retention = workspace.attributes["retention"]
    assert retention["custom_policies"] == [
        {"channel": "legal-private", "channel_id": "G0GRPRV01", "duration_days": 365}
    ]
    assert workspace.attributes["ekm"]["status"] == "enabled"
    assert collection.gaps == []


def test_govslack_host_is_us(sandbox, dataset) -> None:
    data = dataset()
    data["url"] = data["team"]["url"] = "https://kn.slack-gov.com/"
    workspace = sandbox(data).collect().assets[0]
    assert workspace.location == "country:US"
    assert workspace.attributes["proven_by_api"]["govslack"] is True


def test_revoked_token_stops_the_target_with_a_clear_message(sandbox, dataset) -> None:
    data = dataset()
    data["tokens"]["xoxb-sandbox-kn-scanner-bot"]["revoked"] = True
    with pytest.raises(AuthError) as err:
        sandbox(data).collect()
    assert str(err.value) == (
        "slack: the token in token is no longer valid (token_revoked); issue a new token"
    )


def test_app_level_token_is_the_wrong_type(sandbox, dataset) -> None:
    data = dataset()
    data["tokens"]["xapp-1-sandbox"] = {"type": "app"}
    box = sandbox(data)
    with pytest.raises(AuthError, match="type Slack does not accept") as err:
        box.collect(token=box.token("xapp-1-sandbox"))
    assert "xapp" not in str(err.value)


def test_bot_token_in_user_token_becomes_a_gap(sandbox) -> None:
    box = sandbox()
    collection = box.collect(user_token=box.settings["token"])
    [gap] = [g for g in collection.gaps if g.operation == "auth.test"]
    assert "user_token expects an admin user token" in gap.message
    [apps_gap] = [g for g in collection.gaps if g.service == "apps"]
    assert apps_gap.reason == GapReason.NO_TOKEN and "user_token" in apps_gap.message
    assert collection.assets[0].location == "slack:frankfurt"  # the rest still completes


def test_missing_scope_is_a_gap_naming_the_scope(sandbox, dataset) -> None:
    data = dataset()
    data["tokens"]["xoxb-sandbox-kn-scanner-bot"]["scopes"].remove("team.billing:read")
    data["tokens"]["xoxp-sandbox-kn-admin-user"]["scopes"].remove("team.billing:read")
    collection = sandbox(data).collect()
    [gap] = collection.gaps
    assert (gap.operation, gap.reason) == ("team.billing.info", "missing_scope")
    assert "needs scope team.billing:read" in gap.message
    assert collection.assets[0].attributes["plan"] is None


def test_throttling_past_the_retry_budget_is_a_gap_and_the_scan_goes_on(sandbox) -> None:
    box = sandbox()
    box.server.faults.throttle("team.integrationLogs", times=5, retry_after=0)
    collection = box.collect(max_retries=1)
    [gap] = collection.gaps
    assert gap.reason == GapReason.THROTTLED and "after 1 retries" in gap.message
    assert box.server.requests["team.integrationLogs"] == 2
    assert collection.assets[0].attributes["apps_read"] is False
    assert any(f.kind == "external_sharing" for f in collection.flows)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"token": "xoxb-literal"}, "token: must be a secret reference"),
        ({"token": "env:SLACK_TOKEN_NOT_SET"}, "SLACK_TOKEN_NOT_SET is not set"),
        ({"token": "env:X", "colour": "blue"}, "unknown key 'colour'"),
        ({}, "needs at least one of: 'token' | 'user_token' | 'org_token'"),
        ({"token": "env:PATH", "api_url": "http://slack.com/api"}, "api_url must be an https"),
        ({"token": "env:PATH", "max_retries": "lots"}, "max_retries: 'lots' is not of type"),
    ],
)
def test_bad_settings_are_one_line_config_errors(settings, message) -> None:
    from connectors.base import Target

    with pytest.raises(ConfigError, match=message):
        SlackConnector(Target("t", "slack", settings)).collect()


def test_sandbox_settings_match_schema_and_cli_options(sandbox) -> None:
    schema = _schema()
    jsonschema.validate(service_for(sandbox().server).settings, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"token": "xoxb-literal"}, schema)
    assert {o.name for o in cli_options.OPTIONS} == set(schema["properties"])


def test_permissions_list_scopes_per_feature() -> None:
    perms = SlackConnector.permissions()
    features = perms["features"]
    assert features["workspace"]["scopes"] == ["team:read", "team.billing:read"]
    assert "admin.apps:read" in features["apps"]["scopes"]
    assert "conversations.connect:manage" in features["slack_connect"]["scopes"]
    assert features["retention_ekm"]["scopes"] == ["admin.conversations:read"]
    assert perms["allowed_methods"] == sorted(ALLOWED)
    assert not any(m.startswith(("chat.", "conversations.archive")) for m in ALLOWED)


def test_malformed_page_is_a_gap(sandbox, dataset) -> None:
    data = dataset()
    data["integration_logs"] = "not a list"
    collection = sandbox(data).collect()
    [gap] = collection.gaps
    assert (gap.operation, gap.reason) == ("team.integrationLogs", GapReason.MALFORMED_RESPONSE)


def test_unreachable_api_is_a_clear_auth_error(sandbox) -> None:
    box = sandbox()
    box.server.stop()
    with pytest.raises(AuthError, match=r"cannot start a scan at http://127\.0\.0\.1"):
        box.collect(max_retries=0)


def test_tokens_never_reach_logs(sandbox, caplog) -> None:
    # explicit per logger: an earlier CLI run in this process may have quietened them
    for name in ("", "slack_sdk", "residency"):
        caplog.set_level("DEBUG", logger=name)
    box = sandbox()
    box.server.faults.throttle("team.info", times=1, retry_after=0)
    box.collect()
    assert "xoxb-sandbox" not in caplog.text and "xoxp-sandbox" not in caplog.text
    sdk = [r for r in caplog.records if r.name.startswith("slack_sdk")]
    assert any("team.info" in r.getMessage() for r in sdk)  # the SDK did log at DEBUG


def test_each_call_is_logged_at_debug_and_each_gap_at_info(sandbox, dataset, caplog) -> None:
    caplog.set_level("DEBUG", logger="residency")
    data = dataset()
    data["tokens"]["xoxb-sandbox-kn-scanner-bot"]["scopes"].remove("team.billing:read")
    data["tokens"]["xoxp-sandbox-kn-admin-user"]["scopes"].remove("team.billing:read")
    box = sandbox(data)
    box.server.faults.throttle("team.info", times=1, retry_after=0)
    collection = box.collect()
    calls = [r.getMessage() for r in caplog.records if r.name == "residency.slack"]
    assert all(r.levelname == "DEBUG" for r in caplog.records if r.name == "residency.slack")
    assert len(calls) == sum(collection.calls.values())
    assert calls.count("slack call team.info (retry)") == 1
    (gap,) = [r for r in caplog.records if r.levelname == "INFO" and " gap in " in r.getMessage()]
    assert "team.billing.info" in gap.getMessage() and "missing_scope" in gap.getMessage()


def test_a_repeated_cursor_stops_paging_with_a_gap(sandbox) -> None:
    box = sandbox(page_cap=2)
    box.server.looping_cursor = True  # page 2 hands back its own cursor
    collection = box.collect()
    [gap] = [g for g in collection.gaps if g.operation == "conversations.list"]
    assert gap.reason == GapReason.MALFORMED_RESPONSE
    assert gap.message == ("conversations.list: repeated cursor: the API sent a next_cursor twice")
    # pages 1 and 2; page 2 names its own cursor again, which is never requested
    assert box.server.requests["conversations.list"] == collection.calls["conversations.list"] == 2


def test_the_slack_connector_cleans_a_lone_surrogate_at_its_boundary(sandbox, dataset) -> None:
    data = dataset()
    data["team"]["name"] = "bad\ud800name"  # the local Slack API sends it as "\ud800" in its JSON
    box = sandbox(data)
    collection = box.collect()
    workspace = next(a for a in collection.assets if a.kind == "workspace")
    assert workspace.name == "bad\ufffdname"
    json.dumps(collection.to_dict(), ensure_ascii=False).encode("utf-8")  # as Markdown, HTML...
