"""`residency doctor m365` against the local Graph server."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.base import Target
from connectors.m365.connector import M365Connector
from core.errors import AuthError


@pytest.fixture
def dataset(dataset: dict[str, Any]) -> dict[str, Any]:
    dataset["denied"] = ["partners"]
    return dataset


def test_a_denied_permission_is_named_and_the_tenant_shown(settings: dict[str, Any]) -> None:
    diagnosis = M365Connector(Target("helpdesk-noord", "m365", settings)).diagnose()
    assert diagnosis.missing == ["Policy.Read.All"]
    assert diagnosis.identity["tenant"].startswith("Helpdesk Noord B.V. (")
    # sign-in logs need a premium licence: the directory audit logs prove the permission
    assert "AuditLog.Read.All" not in diagnosis.undetermined


def test_a_rejected_token_cannot_start(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = settings["access_token"]
    monkeypatch.setenv(reference.removeprefix("env:"), "not-a-token")
    with pytest.raises(AuthError):
        M365Connector(Target("helpdesk-noord", "m365", settings)).diagnose()
