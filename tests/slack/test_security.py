"""Slack logs for breach reconstruction: access logs, the Grid Audit Logs API, EKM from audit."""

from __future__ import annotations

import pytest

from connectors.base import CallLedger, Target
from connectors.slack.client import Admission, GatedAuditLogsClient
from connectors.slack.settings import SlackSettings
from core.errors import ConfigError, ReadOnlyViolation
from core.models import Asset, Collection, GapReason
from tests.slack.conftest import findings

ORG = "xoxp-sandbox-grid-org-admin"


def _logs(collection: Collection) -> dict[str, Asset]:
    return {
        a.id.rsplit(":", 1)[1]: a
        for a in collection.assets
        if a.kind == "audit_log" and a.provider == "slack"
    }


def _verdicts(collection: Collection, check: str) -> dict[str, str]:
    return {f.resource.rsplit(":", 1)[1]: f.status for f in findings(collection, None, check)}


def test_business_plus_has_access_logs_but_no_audit_logs_api(sandbox) -> None:
    box = sandbox()
    collection = box.collect()
    assert not collection.gaps
    logs = _logs(collection)
    access, audit = logs["access-logs"].attributes, logs["audit-logs-api"].attributes
    assert (access["available"], access["newest_entry"]) == (True, "2025-11-28T04:43:20+00:00")
    assert (audit["available"], audit["reason"]) == (False, "not_grid")
    assert not [v for v in box.server.verbs if v[1].startswith("audit.")]  # no call off Grid
    assert _verdicts(collection, "slack-audit-logs") == {
        "access-logs": "pass",
        "audit-logs-api": "warn",
    }
    assert "192.0.2" not in str(access)  # availability only: no login IPs or user agents kept


def test_free_plan_has_no_log_source_and_breach_readiness_fails(sandbox, dataset) -> None:
    data = dataset()
    data["plan"] = "free"
    collection = sandbox(data).collect()
    access = _logs(collection)["access-logs"].attributes
    assert (access["available"], access["reason"]) == (False, "paid_only")
    assert not collection.gaps
    [breach] = findings(collection, None, "breach-readiness")
    assert breach.status == "fail"
    assert "No log source exists" in breach.message and "72 hours" in breach.message


def test_grid_owner_token_reads_audit_logs_and_ekm_enrolment(sandbox, dataset) -> None:
    data = dataset("slack_grid")
    data["ekm_enabled"] = False  # the probe says no; the audit log's ekm_enrolled decides
    box = sandbox(data)
    collection = box.collect()
    assert not collection.gaps
    logs = _logs(collection)
    assert set(logs) == {"audit-logs-api"}  # the audit log records logins: no access-log call
    assert logs["audit-logs-api"].attributes["available"] is True
    assert ("GET", "audit.logs") in box.server.verbs
    [workspace] = [a for a in collection.assets if a.kind == "workspace"]
    ekm = workspace.attributes["ekm"]
    assert (ekm["status"], ekm["source"]) == ("enabled", "audit.logs")
    assert ekm["audit_log"]["action"] == "ekm_enrolled"
    assert _verdicts(collection, "slack-audit-logs") == {"audit-logs-api": "pass"}


def test_grid_admin_not_owner_is_evidence_not_a_gap(sandbox, dataset) -> None:
    data = dataset("slack_grid")
    data["tokens"][ORG]["owner"] = False
    data["tokens"][ORG]["scopes"].append("admin")
    collection = sandbox(data).collect()
    assert not collection.gaps
    logs = _logs(collection)
    audit = logs["audit-logs-api"].attributes
    assert (audit["available"], audit["reason"]) == (None, "not_available")
    assert "user_not_authorized" in audit["detail"]
    assert logs["access-logs"].attributes["available"] is True
    assert _verdicts(collection, "slack-audit-logs")["audit-logs-api"] == "manual"


def test_audit_logs_api_throttle_is_retried_and_bad_token_is_a_gap(sandbox, dataset) -> None:
    box = sandbox("slack_grid")
    box.server.faults.throttle("audit.logs", times=1, retry_after=0)
    collection = box.collect()
    assert _logs(collection)["audit-logs-api"].attributes["available"] is True
    assert box.server.requests["audit.logs"] == 3  # 429, retry, EKM actions

    data = dataset("slack_grid")
    data["tokens"][ORG]["revoked"] = True  # auth.test fails first: the org token is dropped
    collection = sandbox(data).collect()
    assert _logs(collection)["audit-logs-api"].attributes["reason"] == GapReason.NO_TOKEN


def test_audit_writes_are_refused_before_they_are_sent(sandbox) -> None:
    box = sandbox("slack_grid")
    ledger = CallLedger()
    client = GatedAuditLogsClient(
        admission=Admission(ledger), token=ORG, base_url=box.server.audit_url
    )
    with pytest.raises(ReadOnlyViolation, match=r"POST audit\.logs"):
        client.api_call(http_verb="POST", path="logs", body_params={"action": "x"})
    with pytest.raises(ReadOnlyViolation, match=r"audit\.schemas"):
        client.schemas()
    assert box.server.requests == {} and ledger.total == 0
    assert client.logs(limit=1).status_code == 200
    assert ledger.snapshot() == {"audit.logs": 1}


def test_audit_url_is_a_setting(sandbox) -> None:
    box = sandbox()
    settings = SlackSettings.from_target(Target("t", "slack", box.settings))
    assert settings.audit_url == box.server.audit_url
    default = {k: v for k, v in box.settings.items() if k != "audit_url"}
    assert (
        SlackSettings.from_target(Target("t", "slack", default)).audit_url
        == "https://api.slack.com/audit/v1/"
    )
    with pytest.raises(ConfigError, match="audit_url must be an https URL"):
        SlackSettings.from_target(Target("t", "slack", {**box.settings, "audit_url": "http://x"}))
