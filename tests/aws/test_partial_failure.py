"""Partial failure never aborts a scan, and every call is bounded in time.

A service that answers 500, an unparseable body, a reset, a failed TLS handshake or nothing at
all becomes a gap for that service and region with its reason; the rest is read, the report is
written and the exit code is 3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    SSLError,
    TokenRetrievalError,
    UnknownEndpointError,
)
from botocore.parsers import ResponseParserError

from connectors.aws.connector import AwsConnector
from connectors.aws.errors import DeadlineExceeded, gap_reason
from connectors.base import Target
from core.models import GapReason
from reports.json_format import validate
from sandbox.aws import create_bucket
from tests.aws.sockets import BadEndpoint, Mode
from tests.conftest import run_cli

# what plain moto answers with an HTML 500 page or an empty 500 body
MOTO_BROKEN = {
    ("dynamodb", "ListGlobalTables"),
    ("efs", "DescribeReplicationConfigurations"),
    ("elasticache", "DescribeGlobalReplicationGroups"),
    ("cloudtrail", "LookupEvents"),
}


def test_full_scan_on_plain_moto_writes_a_report_listing_what_failed(
    moto: str, tmp_path: Path
) -> None:
    create_bucket(moto, "orders-eu", "eu-west-1")
    result = run_cli("scan", "aws", "--endpoint-url", moto, "--regions", "eu-west-1,us-east-1",
                     "--max-attempts", "1", "--output-dir", str(tmp_path))  # fmt: skip
    assert result.exit_code == 3, result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads((tmp_path / "report.json").read_text())
    validate(document)
    (target,) = document["targets"]
    assert target["error"] is None and not target["complete"]
    gaps = target["coverage"]["gaps"]
    assert {(g["service"], g["operation"]) for g in gaps} == MOTO_BROKEN
    assert {g["reason"] for g in gaps} == {GapReason.MALFORMED_RESPONSE}
    assert all(len(g["message"]) < 400 for g in gaps)  # the HTML page is not quoted whole
    assert "orders-eu" in {f["resource_name"] for f in document["findings"]}


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("silent", GapReason.TIMEOUT),
        ("reset", GapReason.UNREACHABLE),
        ("not_tls", GapReason.UNREACHABLE),
    ],
)
def test_a_transport_failure_is_a_gap_for_its_service_and_region(
    moto: str, monkeypatch: pytest.MonkeyPatch, mode: Mode, reason: GapReason
) -> None:
    create_bucket(moto, "still-read", "eu-west-1")
    with BadEndpoint(mode) as bad:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", bad.url)
        settings = {"endpoint_url": moto, "services": ["s3", "sqs"], "regions": ["eu-west-1"],
                    "max_attempts": 2, "connect_timeout": 1, "read_timeout": 1}  # fmt: skip
        collection = AwsConnector(Target("aws-test", "aws", settings)).collect()
    (gap,) = collection.gaps
    assert (gap.service, gap.operation, gap.region, gap.reason) == (
        "sqs", "ListQueues", "eu-west-1", reason)  # fmt: skip
    assert bad.connections == 2  # the retry budget, then the gap
    assert [a.name for a in collection.assets] == ["still-read"]


def test_a_silent_endpoint_ends_the_scan_at_the_deadline(
    moto: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    create_bucket(moto, "still-read", "eu-west-1")
    with BadEndpoint("silent") as bad:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", bad.url)
        result = run_cli(
            "scan", "aws", "--endpoint-url", moto, "--services", "s3,sqs",
            "--regions", "eu-west-1", "--max-attempts", "20", "--read-timeout", "1",
            "--connect-timeout", "1", "--timeout", "3", "--output-dir", str(tmp_path),
        )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    # without the deadline, 20 attempts of 1 s each plus backoff; the deadline stops the retries
    assert 1 <= bad.connections < 20
    (target,) = json.loads((tmp_path / "report.json").read_text())["targets"]
    (gap,) = target["coverage"]["gaps"]
    assert (gap["service"], gap["reason"]) == ("sqs", GapReason.TIMEOUT)
    assert "deadline" in gap["message"]


def test_a_silent_identity_endpoint_is_exit_2(
    moto: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with BadEndpoint("silent") as bad:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", bad.url)
        result = run_cli("scan", "aws", "--endpoint-url", moto, "--services", "s3",
                         "--max-attempts", "2", "--read-timeout", "1",
                         "--output-dir", str(tmp_path))  # fmt: skip
    assert result.exit_code == 2
    assert "cannot reach the AWS endpoint" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (ReadTimeoutError(endpoint_url="u"), GapReason.TIMEOUT),
        (ConnectTimeoutError(endpoint_url="u"), GapReason.TIMEOUT),
        (DeadlineExceeded(seconds=60), GapReason.TIMEOUT),
        (EndpointConnectionError(endpoint_url="u"), GapReason.UNREACHABLE),
        (SSLError(endpoint_url="u", error="bad record"), GapReason.UNREACHABLE),
        (ConnectionClosedError(endpoint_url="u"), GapReason.UNREACHABLE),
        (ResponseParserError("invalid XML"), GapReason.MALFORMED_RESPONSE),
        (ClientError({"Error": {"Code": "502", "Message": "<html>"}}, "X"),
         GapReason.MALFORMED_RESPONSE),
        (ClientError({"Error": {"Code": "InternalFailure"}}, "X"), GapReason.API_ERROR),
        (UnknownEndpointError(service_name="s", region_name="r"), GapReason.NOT_FOUND),
        (TokenRetrievalError(provider="sso", error_msg="expired"),
         GapReason.CREDENTIALS_REJECTED),
    ],
)  # fmt: skip
def test_each_failure_has_its_reason(error: Exception, reason: GapReason) -> None:
    assert gap_reason(error) == reason
