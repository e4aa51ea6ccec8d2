"""The Slack checks over real collected evidence, the shipped knowledge base and a policy."""

from __future__ import annotations

from datetime import date

import pytest

from core.policy import OwnApp, Policy, Vendor
from tests.slack.conftest import findings


def _status(collection, check, policy=None):
    return [(f.status, f.message) for f in findings(collection, policy, check)]


def test_demo_company_findings(sandbox) -> None:
    collection = sandbox().collect()
    [(status, message)] = _status(collection, "slack-data-residency")
    assert status == "pass" and "Frankfurt, Germany" in message and "order form" in message
    apps = {
        f.resource_name: f.status for f in findings(collection, None, "slack-app-content-access")
    }
    assert apps == {"CallScribe Transcription": "fail", "Polly": "pass", "Google Calendar": "pass"}
    [connect] = findings(collection, None, "slack-connect-external-org")
    assert connect.status == "warn" and "Acme Contact Centers Inc." in connect.message
    [scope] = findings(collection, None, "slack-residency-scope")
    assert scope.status == "warn" and "member profiles" in scope.message
    assert "Slack Data Processing Addendum" in scope.message
    assert scope.evidence["processor"]["bcr"]["holder"] == "Salesforce, Inc."
    [retention] = findings(collection, None, "slack-retention-ekm")
    assert retention.status == "manual" and "not readable" in retention.message
    assert findings(collection, None, "processor-transfer-basis")  # Slack judged as processor


def test_app_with_a_dpa_in_the_vendor_register_passes(sandbox) -> None:
    policy = Policy(
        vendors=(
            Vendor(
                id="callscribe",
                name="CallScribe B.V.",
                kind="app",
                aliases=("A0CALLSCR1",),
                dpa_signed=date(2025, 4, 1),
            ),
        )
    )
    statuses = {
        f.resource_name: f.status
        for f in findings(sandbox().collect(), policy, "slack-app-content-access")
    }
    assert statuses["CallScribe Transcription"] == "pass"


def test_declaration_without_evidence_is_manual(sandbox) -> None:
    collection = sandbox().collect(declared_region_evidence=None)
    [(status, message)] = _status(collection, "slack-data-residency")
    assert status == "manual" and "declared_region_evidence" in message


def test_free_plan_with_declared_eu_region_is_a_contradiction(sandbox, dataset) -> None:
    data = dataset()
    data["plan"] = "free"
    collection = sandbox(data).collect()
    assert collection.assets[0].location == "country:US"
    [finding] = findings(collection, None, "slack-data-residency")
    assert finding.status == "fail"
    assert finding.message.startswith("contradiction:")
    assert "'frankfurt' was declared" in finding.message and "stored in the US" in finding.message
    assert finding.country == "US"


@pytest.mark.parametrize("plan", ["std", "free"])
def test_plan_without_residency_fails_without_a_declaration(sandbox, dataset, plan) -> None:
    data = dataset()
    data["plan"] = plan
    collection = sandbox(data).collect(declared_region=None, declared_region_evidence=None)
    [(status, message)] = _status(collection, "slack-data-residency")
    assert status == "fail" and "offers no data residency" in message


def test_residency_plan_without_declaration_is_us(sandbox) -> None:
    collection = sandbox().collect(declared_region=None, declared_region_evidence=None)
    assert collection.assets[0].location == "country:US"
    [(status, message)] = _status(collection, "slack-data-residency")
    assert status == "fail" and "no residency region is declared" in message


def test_unknown_declared_region_never_passes(sandbox) -> None:
    collection = sandbox().collect(declared_region="Atlantis")
    assert collection.assets[0].location == "slack:atlantis"
    [(status, message)] = _status(collection, "slack-data-residency")
    assert status == "fail"
    assert "'atlantis' is not a Slack data-residency region" in message and "frankfurt" in message
    # the residency check supersedes the generic storage check for the workspace: no second
    # verdict on it, and nothing about the workspace passes
    workspace = collection.assets[0].id
    about = [f for f in findings(collection) if f.resource == workspace]
    assert "storage-outside-allowed" not in {f.check_id for f in about}
    assert about and all(f.status != "pass" for f in about)


def test_london_is_judged_by_policy(sandbox) -> None:
    collection = sandbox().collect(declared_region="london")
    [(status, message)] = _status(collection, "slack-data-residency")
    assert status == "fail" and "GB" in message
    allowed = Policy(adequacy_countries=frozenset({"GB"}))
    [(status, _)] = _status(collection, "slack-data-residency", allowed)
    assert status == "pass"


def test_unreadable_plan_with_declaration_is_manual(sandbox, dataset) -> None:
    data = dataset()
    for token in data["tokens"].values():
        token["scopes"].remove("team.billing:read")
    [(status, message)] = _status(sandbox(data).collect(), "slack-data-residency")
    assert status == "manual" and "plan could not be read" in message


def test_unlisted_apps_and_channels_are_errors_not_passes(sandbox, dataset) -> None:
    data = dataset()
    data["tokens"]["xoxb-sandbox-kn-scanner-bot"]["scopes"].remove("channels:read")
    box = sandbox(data)
    collection = box.collect(user_token=None)
    [apps] = findings(collection, None, "slack-app-content-access")
    assert apps.status == "error" and "user_token" in apps.message
    [connect] = findings(collection, None, "slack-connect-external-org")
    assert connect.status == "error" and "channels:read" in connect.message


def test_grid_findings(sandbox) -> None:
    collection = sandbox("slack_grid").collect()
    apps = {
        f.resource_name: f.status for f in findings(collection, None, "slack-app-content-access")
    }
    assert apps == {
        "AnswerBot AI": "fail",
        "ComplyArchive": "fail",
        "Shift Digest": "pass",
        "Everything Reader": "pass",
    }
    assert len(findings(collection, None, "slack-connect-external-org")) == 2
    [retention] = findings(collection, None, "slack-retention-ekm")
    assert "legal-private 365 days" in retention.message and "KMS" in retention.message


def test_grid_org_token_for_one_workspace_reads_org_wide_and_workspace_apps(sandbox) -> None:
    """With an org-level token and ``team_id`` the admin.apps lists are asked once org-wide
    (``enterprise_id``) and once for the workspace (``team_id``), never with both."""
    box = sandbox("slack_grid")
    collection = box.collect(team_id="T0KNGRID1")
    assert collection.gaps == []
    by_name = {f.resource_name: f for f in findings(collection, None, "slack-app-content-access")}
    assert {name: f.status for name, f in by_name.items()} == {
        "AnswerBot AI": "fail",  # org-wide, reads messages through search, no DPA
        "ComplyArchive": "fail",
        "Shift Digest": "pass",  # the workspace's own internal app
        "Everything Reader": "pass",  # restricted org-wide: never installed
    }
    assert by_name["AnswerBot AI"].evidence["approved_in"] == ["E0KNGROUP"]
    assert "org-wide" in by_name["AnswerBot AI"].message
    assert by_name["Shift Digest"].evidence["approved_in"] == ["T0KNGRID1"]
    apps = {a.name: a.attributes for a in collection.assets if a.kind == "app"}
    assert apps["Shift Digest"]["org_wide"] is False and apps["AnswerBot AI"]["org_wide"] is True
    assert box.server.requests["admin.apps.approved.list"] == 2


def test_a_bot_token_without_groups_read_still_finds_partners_on_public_channels(
    sandbox, dataset
) -> None:
    data = dataset()
    data["tokens"]["xoxb-sandbox-kn-scanner-bot"]["scopes"].remove("groups:read")
    collection = sandbox(data).collect()
    [gap] = collection.gaps
    assert (gap.operation, gap.reason) == ("conversations.list", "missing_scope")
    assert "needs scope groups:read" in gap.message
    workspace = collection.assets[0]
    assert workspace.attributes["channel_types_read"] == ["public_channel"]
    [acme] = [f for f in collection.flows if f.kind == "external_sharing"]
    assert acme.attributes["channels"] == ["kn-acme-overflow"]
    verdicts = {
        f.resource_name: f for f in findings(collection, None, "slack-connect-external-org")
    }
    assert verdicts["Acme Contact Centers Inc."].status == "warn"
    private = verdicts[f"{workspace.name} Slack Connect (private channels)"]
    assert private.status == "error" and "groups:read" in private.message


def test_own_apps_declared_in_the_policy_are_internal(sandbox) -> None:
    """On a non-Grid plan no API says an app is in-house: the policy says so, by id or name."""
    collection = sandbox().collect()
    for own in (
        OwnApp("slack", owner="Support tooling team", app_id="A0CALLSCR1"),
        OwnApp("slack", owner="Support tooling team", name="callscribe transcription"),
    ):
        [scribe] = [
            f
            for f in findings(collection, Policy(own_apps=(own,)), "slack-app-content-access")
            if f.resource_name == "CallScribe Transcription"
        ]
        assert scribe.status == "pass" and "internal processing" in scribe.message
        assert scribe.evidence["own_app"]["owner"] == "Support tooling team"
    other_provider = Policy(own_apps=(OwnApp("m365", owner="IT", app_id="A0CALLSCR1"),))
    statuses = {f.resource_name: f.status for f in findings(collection, other_provider)}
    assert statuses["CallScribe Transcription"] == "fail"


def test_a_vendor_name_on_an_unreviewed_app_does_not_borrow_its_dpa(sandbox) -> None:
    """The integration log names an app "CallScribe B.V.": no app id in the register, and a
    name alone is not proof."""
    policy = Policy(
        vendors=(
            Vendor(
                "callscribe",
                "CallScribe B.V.",
                "app",
                aliases=("CallScribe Transcription",),
                dpa_signed=date(2025, 4, 1),
            ),
        )
    )
    [scribe] = [
        f
        for f in findings(sandbox().collect(), policy, "slack-app-content-access")
        if f.resource_name == "CallScribe Transcription"
    ]
    assert scribe.status == "fail" and "a name is not proof" in scribe.message
    assert scribe.evidence["name_lookalike_not_accepted"] == "callscribe"
