"""Whole organisations (--org), and read-only proof: writes never leave, every call is allowed."""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path

import boto3
import pytest

from connectors.aws.allowlist import iam_policy, member_role, operations
from connectors.aws.connector import AwsConnector
from connectors.aws.services import SERVICES
from connectors.aws.session import AwsClients
from connectors.aws.settings import AwsSettings
from connectors.base import CallLedger
from core.errors import ConfigError, ReadOnlyViolation
from sandbox.aws import create_bucket, create_organization, seeding_client
from tests.aws.conftest import AwsSandbox
from tests.conftest import run_cli


def member_client(moto: str, account: str, service: str) -> object:
    credentials = seeding_client("sts", moto, "us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/Admin", RoleSessionName="seed"
    )["Credentials"]
    return boto3.client(
        service, region_name="eu-west-1", endpoint_url=moto,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )  # fmt: skip


def test_org_scan_assumes_a_role_in_each_account_and_survives_one_refusal(
    aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = create_organization(aws.moto, {"accounts": ["prod", "lab"]})
    member_client(aws.moto, ids["prod"], "s3").create_bucket(  # type: ignore[attr-defined]
        Bucket="prod-orders", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    create_bucket(aws.moto, "mgmt-billing", "eu-west-1")
    lab_role = f"arn:aws:iam::{ids['lab']}:role/ScannerRole"
    aws.fault("sts", "AccessDenied", status=403, operation="AssumeRole", resource=lab_role)
    monkeypatch.setenv("SCANNER_EXT_ID", "msp-ext-7731")
    collection = aws.collect(
        through_stub=True, org=True, role_name="ScannerRole", external_id="env:SCANNER_EXT_ID",
        services=["s3"],
    )  # fmt: skip
    (gap,) = collection.gaps
    assert (gap.service, gap.operation, gap.reason, gap.resource) == (
        "sts", "AssumeRole", "access_denied", lab_role)  # fmt: skip
    owners = {a.name: a.attributes["account"] for a in collection.assets}
    assert owners == {"prod-orders": ids["prod"], "mgmt-billing": "123456789012"}
    assert collection.identity["scanned_accounts"] == sorted(["123456789012", ids["prod"]])
    assumed = [params for service, op, _, params in aws.stub.seen if op == "AssumeRole"]
    assert {p["RoleArn"].split(":")[4] for p in assumed} == {ids["prod"], ids["lab"]}
    assert {p["ExternalId"] for p in assumed} == {"msp-ext-7731"}
    assert "msp-ext-7731" not in json.dumps(collection.to_dict(), default=str)


def test_missing_external_id_stops_before_any_call(
    aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    with pytest.raises(ConfigError, match="NO_SUCH_VAR"):
        aws.collect(org=True, external_id="env:NO_SUCH_VAR")


def test_writes_are_refused_before_they_leave_the_process(aws: AwsSandbox) -> None:
    create_bucket(aws.moto, "keep-me", "eu-west-1")
    aws.seed({"dynamodb_tables": [{"name": "keep-table", "region": "eu-west-1"}]})
    ledger = CallLedger()
    clients = AwsClients(
        AwsSettings.from_settings({"endpoint_url": aws.stub.url, "max_attempts": 1}), ledger
    )
    writes = [
        lambda: clients.client("s3", "eu-west-1").put_object(Bucket="keep-me", Key="k", Body=b"x"),
        lambda: clients.client("s3", "eu-west-1").delete_bucket(Bucket="keep-me"),
        lambda: clients.client("dynamodb", "eu-west-1").delete_table(TableName="keep-table"),
        lambda: clients.client("sts").assume_role_with_web_identity(
            RoleArn="arn:aws:iam::1:role/x", RoleSessionName="xx", WebIdentityToken="t" * 8),
        lambda: clients.client("organizations").leave_organization(),
    ]  # fmt: skip
    for write in writes:
        with pytest.raises(ReadOnlyViolation):
            write()
    assert aws.stub.seen == []  # nothing reached the network
    assert ledger.total == 0
    assert (
        seeding_client("s3", aws.moto, "eu-west-1").list_objects_v2(Bucket="keep-me")["KeyCount"]
        == 0
    )
    tables = seeding_client("dynamodb", aws.moto, "eu-west-1").list_tables()["TableNames"]
    assert tables == ["keep-table"]


def test_every_call_of_a_full_scan_is_allowed_and_in_the_iam_policy(
    aws: AwsSandbox, tmp_path: Path
) -> None:
    aws.seed({
        "regions": [{"name": "eu-central-1"}, {"name": "us-east-1"}],
        "buckets": [{"name": "rec", "region": "eu-central-1", "replicate_to": "rec-dr"},
                    {"name": "rec-dr", "region": "us-east-1"}],
        "dynamodb_tables": [{"name": "profiles", "region": "eu-central-1",
                             "replicas": ["us-east-1"]}],
        "connect_instances": [{"id": "c1", "region": "eu-central-1",
                               "storage": [{"type": "CALL_RECORDINGS", "bucket": "rec"}]}],
        "organization": {"accounts": ["prod"]},
    })  # fmt: skip
    seeding_client("kms", aws.moto, "eu-central-1").create_key()
    seeding_client("backup", aws.moto, "eu-central-1").create_backup_plan(
        BackupPlan={
            "BackupPlanName": "p",
            "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}],
        }
    )
    seeding_client("secretsmanager", aws.moto, "eu-central-1").create_secret(
        Name="s", SecretString="not-a-secret"
    )
    collection = aws.collect(through_stub=True, regions=None, org=True)
    assert collection.gaps == []
    allowed = operations()
    actions = {a for statement in iam_policy()["Statement"] for a in statement["Action"]}
    assert set(collection.calls) <= set(allowed)
    assert {allowed[op] for op in collection.calls if allowed[op]} <= actions
    called = {op.split(".")[0] for op in collection.calls}
    clients = {getattr(m, "CLIENT", m.SERVICE) for m in map(import_module, SERVICES)}
    assert clients <= called  # every reader ran
    for op in ("connect.ListInstanceStorageConfigs", "dynamodb.DescribeTable",
               "kms.DescribeKey", "backup.GetBackupPlan", "secretsmanager.DescribeSecret",
               "s3.GetBucketEncryption", "s3.GetBucketPolicy", "cloudtrail.LookupEvents",
               "account.ListRegions", "organizations.ListAccounts", "sts.AssumeRole"):  # fmt: skip
        assert collection.calls.get(op), op
    (assumed,) = [p["RoleArn"] for _, op, _, p in aws.stub.seen if op == "AssumeRole"]
    assert assumed.endswith(f":role/{member_role()}")  # the read-only role, not an admin one
    printed = run_cli("permissions", "aws")
    assert printed.exit_code == 0
    for action in {allowed[op] for op in collection.calls if allowed[op]}:
        assert action in printed.output


def test_permissions_and_readers_match_the_allow_list() -> None:
    permissions = AwsConnector.permissions()
    assert permissions["operations"] == sorted(operations())
    reads, assume = permissions["iam_policy"]["Statement"]
    assert (assume["Action"], assume["Resource"]) == (
        ["sts:AssumeRole"], f"arn:aws:iam::*:role/{member_role()}")  # fmt: skip
    assert "sts:AssumeRole" not in reads["Action"] and reads["Resource"] == "*"
    assert not [a for a in reads["Action"]
                if a.split(":")[1].startswith(("Put", "Create", "Delete", "Update"))]  # fmt: skip
    role = permissions["member_role"]
    assert role["permissions_policy"]["Statement"] == [reads]
    assert member_role() != "OrganizationAccountAccessRole"  # admin in every member account
    chains = permissions["credential_sources"]
    assert chains["web_identity"]["sdk_calls"] == ["sts.AssumeRoleWithWebIdentity"]
    assert chains["sso"]["sdk_calls"] == ["sso.GetRoleCredentials"]
