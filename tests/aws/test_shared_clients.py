"""Scans share the process's botocore sessions and clients, never their credentials, counts,
deadlines or read-only gate."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from connectors.aws import pool
from connectors.aws.errors import DeadlineExceeded
from connectors.aws.session import AwsClients, Deadline
from connectors.aws.settings import AwsSettings
from connectors.base import CallLedger
from core.errors import ReadOnlyViolation
from sandbox.aws import seed

KEYS = {"AccessKeyId": "AKIAFIRST", "SecretAccessKey": "first", "SessionToken": "t1"}
OTHER_KEYS = {"AccessKeyId": "AKIASECOND", "SecretAccessKey": "second", "SessionToken": "t2"}


def settings(moto: str, **more: object) -> AwsSettings:
    return AwsSettings.from_settings({"endpoint_url": moto, "max_attempts": 1, **more})


def test_scans_share_a_session_but_count_their_own_calls_and_pages(moto: str) -> None:
    seed(
        moto, {"dynamodb_tables": [{"name": f"table{i}", "region": "eu-west-1"} for i in range(3)]}
    )
    first, second = CallLedger(), CallLedger()
    one, other = AwsClients(settings(moto), first), AwsClients(settings(moto), second)
    assert one.session is other.session
    one.client("s3", "eu-west-1").list_buckets()
    pages = (
        other.client("dynamodb", "eu-west-1")
        .get_paginator("list_tables")
        .paginate(PaginationConfig={"PageSize": 1})
    )
    assert [name for page in pages for name in page["TableNames"]] == ["table0", "table1", "table2"]
    assert first.snapshot() == {"s3.ListBuckets": 1}
    assert second.snapshot() == {"dynamodb.ListTables": 3}


def test_a_scan_past_its_deadline_stops_only_itself(moto: str) -> None:
    late = AwsClients(settings(moto), CallLedger(), deadline=Deadline(0.001))
    time.sleep(0.01)
    with pytest.raises(DeadlineExceeded):
        late.client("s3", "eu-west-1").list_buckets()
    ledger = CallLedger()
    AwsClients(settings(moto), ledger).client("s3", "eu-west-1").list_buckets()
    assert ledger.snapshot() == {"s3.ListBuckets": 1}


def test_different_credentials_never_share_a_session(
    moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed = AwsClients(settings(moto), CallLedger(), KEYS)
    assert keyed.session is AwsClients(settings(moto), CallLedger(), dict(KEYS)).session
    other = AwsClients(settings(moto), CallLedger(), OTHER_KEYS)
    assert other.session is not keyed.session
    assert other.session.get_credentials().access_key == "AKIASECOND"
    assert keyed.session.get_credentials().access_key == "AKIAFIRST"
    default = AwsClients(settings(moto), CallLedger()).session
    assert default is not keyed.session
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
    changed = AwsClients(settings(moto), CallLedger()).session
    assert changed is not default
    assert changed.get_credentials().access_key == "AKIAFROMENV"


def test_a_rewritten_credentials_file_is_read_again(
    moto: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    credentials = tmp_path / "credentials"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    profile = settings(moto, profile="client")
    credentials.write_text("[client]\naws_access_key_id = AKIAOLD\naws_secret_access_key = s\n")
    before = AwsClients(profile, CallLedger()).session
    assert before.get_credentials().access_key == "AKIAOLD"
    credentials.write_text("[client]\naws_access_key_id = AKIAROTATED\naws_secret_access_key = s\n")
    after = AwsClients(profile, CallLedger()).session
    assert after.get_credentials().access_key == "AKIAROTATED"


def test_a_shared_client_used_outside_a_scan_refuses_every_call(moto: str) -> None:
    ledger = CallLedger()
    clients = AwsClients(settings(moto), ledger)
    scoped = clients.client("s3", "eu-west-1")
    key, session = pool.session(None, clients.home_region, None)
    shared = pool.client(key, session, "s3", "eu-west-1", moto, clients.config, lambda _: None)
    assert shared.meta is scoped.meta  # the very client the scan uses
    with pytest.raises(ReadOnlyViolation, match="outside a scan"):
        shared.list_buckets()
    assert ledger.total == 0


def test_clients_with_other_settings_are_not_shared(moto: str) -> None:
    clients = AwsClients(settings(moto), CallLedger())
    patient = AwsClients(settings(moto, read_timeout=99), CallLedger())
    assert clients.session is patient.session
    assert clients.client("s3", "eu-west-1").meta is not patient.client("s3", "eu-west-1").meta
    assert patient.client("s3", "eu-west-1").meta.config.read_timeout == 99
