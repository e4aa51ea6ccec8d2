"""Read-only, provably: a write through the connector's clients is refused before it is sent."""

from __future__ import annotations

import pytest

from connectors.aws.allowlist import operations
from connectors.aws.session import AwsClients
from connectors.aws.settings import AwsSettings
from connectors.base import CallLedger
from core.errors import ReadOnlyViolation
from sandbox.aws import create_bucket, seeding_client


def test_write_is_refused_before_it_leaves_the_process(moto: str) -> None:
    create_bucket(moto, "keep-me", "eu-west-1")
    ledger = CallLedger()
    clients = AwsClients(
        AwsSettings.from_settings({"endpoint_url": moto, "max_attempts": 1}), ledger
    )
    s3 = clients.client("s3", "eu-west-1")
    with pytest.raises(ReadOnlyViolation, match=r"s3\.DeleteBucket"):
        s3.delete_bucket(Bucket="keep-me")
    with pytest.raises(ReadOnlyViolation):
        s3.put_object(Bucket="keep-me", Key="x", Body=b"x")
    names = [b["Name"] for b in seeding_client("s3", moto, "eu-west-1").list_buckets()["Buckets"]]
    assert names == ["keep-me"]
    assert (
        seeding_client("s3", moto, "eu-west-1").list_objects_v2(Bucket="keep-me")["KeyCount"] == 0
    )
    assert ledger.total == 0  # refused calls are never counted as sent
    s3.list_buckets()
    assert ledger.snapshot() == {"s3.ListBuckets": 1}


def test_allow_list_holds_only_read_operations() -> None:
    """sts.AssumeRole is the one exception: it changes nothing and yields read credentials for
    each member account of an organization scan."""
    verbs = ("Get", "List", "Describe", "Head", "Search", "Select", "Lookup", "BatchGet")
    writes = [op for op in operations() if not op.split(".", 1)[1].startswith(verbs)]
    assert writes == ["sts.AssumeRole"]
