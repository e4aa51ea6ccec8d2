"""Bad credentials, unknown tenants, denied permissions, malformed pages and throttling."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from core.errors import AuthError
from core.models import GapReason
from sandbox.graph import TOKEN_ENV, GraphServer
from tests.m365.conftest import Scan


def test_wrong_token_is_a_clear_auth_error(
    scan: Scan, graph: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "eyJ0eXAiOiJKV1QifQ.eyJ0aWQiOiJ4In0.not-the-right-one")
    with pytest.raises(AuthError) as error:
        scan()
    message = str(error.value)
    assert "HTTP 401" in message and "expired or wrong" in message
    assert "not-the-right-one" not in message and "\n" not in message


def test_expired_token_is_refused_before_any_graph_call(
    scan: Scan, graph: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = base64.urlsafe_b64encode(json.dumps({"exp": int(time.time()) - 60}).encode())
    monkeypatch.setenv(TOKEN_ENV, f"e30.{claims.decode().rstrip('=')}.sig")
    with pytest.raises(AuthError, match="expired"):
        scan()
    assert graph.requests["organization"] == 0


def test_unknown_tenant_is_a_clear_error(scan: Scan, graph: GraphServer) -> None:
    with pytest.raises(AuthError, match=r"does not exist.*AADSTS90002"):
        scan(tenant_id="no-such-tenant.example")
    assert graph.requests["users"] == 0


def test_missing_permission_on_one_endpoint_is_a_gap(dataset: dict[str, Any], scan: Scan) -> None:
    dataset["denied"] = ["oauth2PermissionGrants"]
    collection = scan()
    assert [(g.operation, g.reason) for g in collection.gaps] == [
        ("oauth2PermissionGrants.list", GapReason.ACCESS_DENIED)
    ]
    assert "Authorization_RequestDenied" in collection.gaps[0].message
    apps = {a.name for a in collection.assets if a.kind == "app"}
    assert "MailMetrics Analytics" in apps  # application permissions still read
    assert "CalendarSync Pro" not in apps  # it only had delegated grants
    assert any(a.kind == "user_data" for a in collection.assets)


def test_malformed_page_is_a_gap(dataset: dict[str, Any], scan: Scan) -> None:
    dataset["malformed"] = ["groups"]
    collection = scan()
    assert [(g.operation, g.reason) for g in collection.gaps] == [
        ("groups.list", GapReason.MALFORMED_RESPONSE)
    ]
    assert not any(a.kind == "group_data" and a.attributes["enumerated"] for a in collection.assets)
    assert any(f.kind == "external_sharing" for f in collection.flows)


def test_throttling_within_the_budget_is_retried(scan: Scan, graph: GraphServer) -> None:
    graph.faults.throttle("partners", times=1, retry_after=1)
    collection = scan()
    assert collection.gaps == []
    assert collection.calls["crossTenantAccessPolicy.partners"] == 2  # the retry is counted


def test_throttling_past_the_retry_budget_is_a_gap(scan: Scan, graph: GraphServer) -> None:
    graph.faults.throttle("partners", times=5, retry_after=1)
    collection = scan(max_retries=1)
    assert [(g.operation, g.reason) for g in collection.gaps] == [
        ("crossTenantAccessPolicy.partners", "throttled")
    ]
    assert collection.calls["crossTenantAccessPolicy.partners"] == 2
    assert any(f.kind == "app_access" for f in collection.flows)


def test_a_trickling_endpoint_is_cut_off_at_the_call_deadline(
    dataset: dict[str, Any], scan: Scan, graph: GraphServer
) -> None:
    """One byte every 0.3 s never trips a read timeout; the per-call deadline (``timeout``)
    ends the call, the listing becomes a timeout gap, and the rest of the tenant is read."""
    dataset["trickle"] = ["groups"]
    collection = scan(timeout=1, max_retries=0)
    [gap] = [g for g in collection.gaps if g.operation == "groups.list"]
    assert gap.reason == GapReason.TIMEOUT and "within 1 s" in gap.message
    assert graph.requests["groups"] == 1  # cut once, not retried forever
    assert any(a.kind == "tenant" for a in collection.assets)  # the rest was read
