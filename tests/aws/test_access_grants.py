"""Who else can read the data: every grant kind over moto's server, each with a planted
violation and a clean twin, judged by the public-access and cross-account checks."""

from __future__ import annotations

import functools
import json
from typing import Any

import boto3

from connectors.aws.session import _prefixed_ip_host
from core.models import Collection
from core.policy import Policy
from sandbox.aws import create_bucket, create_organization, create_snapshot, seeding_client
from tests.aws.conftest import AwsSandbox, findings

VENDOR = "210987654321"
STRANGER = "555566667777"
ACCESS = ["s3-access", "ec2-access", "rds-access", "kms-access", "iam-access", "ram-access",
          "organizations"]  # fmt: skip
REGISTER = Policy.from_document(
    {
        "vendors": [
            {"id": "voxscript", "name": "VoxScript GmbH", "kind": "processor", "country": "DE",
             "dpa_signed": "2025-06-01", "aws_accounts": [VENDOR]},
            {"id": "usvendor", "name": "US Vendor Inc", "kind": "processor", "country": "US",
             "dpa_signed": "2025-06-01", "aws_accounts": ["777788889999"]},
        ]
    },
    "test register",
)  # fmt: skip


def judged(collection: Collection, policy: Policy = REGISTER) -> dict[str, tuple[str, str]]:
    """``source name -> recipient`` -> (check, status) for the two access checks."""
    return {
        f.resource_name: (f.check_id, f.status)
        for f in findings(collection, policy)
        if f.check_id in ("aws-public-access", "aws-cross-account-access")
        and " -> " in f.resource_name  # not the "no public grant" summary
    }


def bucket_policy(aws: AwsSandbox, bucket: str, *statements: dict[str, Any]) -> None:
    create_bucket(aws.moto, bucket, "eu-west-1")
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    seeding_client("s3", aws.moto, "eu-west-1").put_bucket_policy(
        Bucket=bucket, Policy=json.dumps(document)
    )


def allow(principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::*", **extra}  # fmt: skip


def collect(aws: AwsSandbox) -> Collection:
    collection = aws.collect(services=ACCESS, regions=["eu-west-1"])
    assert collection.gaps == []
    return collection


def organization_id(aws: AwsSandbox) -> str:
    create_organization(aws.moto, {"accounts": ["kn-analytics"]})
    org = seeding_client("organizations", aws.moto, "us-east-1")
    return str(org.describe_organization()["Organization"]["Id"])


def test_bucket_policies_external_registered_and_organisation_only(aws: AwsSandbox) -> None:
    org_id = organization_id(aws)
    members = seeding_client("organizations", aws.moto, "us-east-1").list_accounts()["Accounts"]
    sibling = next(a["Id"] for a in members if a["Name"] == "kn-analytics")
    bucket_policy(aws, "to-stranger", allow({"AWS": f"arn:aws:iam::{STRANGER}:root"}))
    bucket_policy(aws, "to-vendor", allow({"AWS": VENDOR}))
    bucket_policy(aws, "to-us-vendor", allow({"AWS": "777788889999"}))
    bucket_policy(aws, "to-sibling", allow({"AWS": f"arn:aws:iam::{sibling}:role/etl"}))
    bucket_policy(aws, "org-only", allow("*", Condition={"StringEquals": {
        "aws:PrincipalOrgID": org_id}}))  # fmt: skip
    bucket_policy(aws, "other-org", allow("*", Condition={"StringEquals": {
        "aws:PrincipalOrgID": "o-someoneelse"}}))  # fmt: skip
    bucket_policy(aws, "vendor-by-tag", allow({"AWS": VENDOR}, Condition={"StringEquals": {
        "aws:PrincipalTag/team": "transcription"}}))  # fmt: skip
    result = judged(collect(aws))
    assert result[f"to-stranger -> account {STRANGER}"] == ("aws-cross-account-access", "fail")
    assert result[f"to-vendor -> account {VENDOR}"] == ("aws-cross-account-access", "pass")
    # a registered vendor outside the EU with a DPA but no transfer tool: judged as a processor
    assert result["to-us-vendor -> account 777788889999"][1] == "fail"
    assert result[f"to-sibling -> account {sibling}"] == ("aws-cross-account-access", "pass")
    assert result[f"org-only -> organisation {org_id}"] == ("aws-cross-account-access", "pass")
    assert result["other-org -> organisation o-someoneelse"][1] == "manual"
    # a condition the evaluator does not model: conditional, never a pass
    assert result[f"vendor-by-tag -> account {VENDOR}"] == ("aws-cross-account-access", "manual")
    unregistered = judged(collect(aws), Policy())
    assert unregistered[f"to-vendor -> account {VENDOR}"][1] == "fail"


def test_public_bucket_policy_acl_and_block_public_access(aws: AwsSandbox) -> None:
    bucket_policy(aws, "open-policy", allow("*"))
    bucket_policy(aws, "deny-wins", allow("*"), {"Effect": "Deny", "Principal": "*",
                  "Action": "s3:*", "Resource": "arn:aws:s3:::deny-wins/*"})  # fmt: skip
    bucket_policy(aws, "vpc-only", allow("*", Condition={"StringEquals": {
        "aws:SourceVpc": "vpc-1234"}}))  # fmt: skip
    s3 = seeding_client("s3", aws.moto, "eu-west-1")
    for name in ("open-acl", "blocked-acl"):
        create_bucket(aws.moto, name, "eu-west-1")
        s3.put_bucket_acl(Bucket=name, ACL="public-read")
    s3.put_public_access_block(Bucket="blocked-acl", PublicAccessBlockConfiguration={
        "IgnorePublicAcls": True, "RestrictPublicBuckets": True})  # fmt: skip
    result = judged(collect(aws))
    assert result["open-policy -> anyone (public)"] == ("aws-public-access", "fail")
    assert result["open-acl -> anyone (public)"] == ("aws-public-access", "fail")
    assert result["blocked-acl -> anyone (public)"] == ("aws-public-access", "pass")
    assert result["vpc-only -> anyone (public)"] == ("aws-public-access", "manual")
    assert not [name for name in result if name.startswith("deny-wins")]


def test_account_block_public_access_stops_public_policies(aws: AwsSandbox) -> None:
    bucket_policy(aws, "open-policy", allow("*"))
    s3control_client(aws).put_public_access_block(
        AccountId="123456789012",
        PublicAccessBlockConfiguration={"RestrictPublicBuckets": True},
    )
    result = judged(collect(aws))
    assert result["open-policy -> anyone (public)"] == ("aws-public-access", "pass")


def test_ebs_snapshots_public_shared_and_private(aws: AwsSandbox) -> None:
    create_snapshot(aws.moto, {"region": "eu-west-1", "name": "open", "shared_with": ["all"]})
    create_snapshot(aws.moto, {"region": "eu-west-1", "name": "vendor", "shared_with": [VENDOR]})
    create_snapshot(aws.moto, {"region": "eu-west-1", "name": "private"})
    collection = collect(aws)
    statuses = sorted(judged(collection).values())
    assert statuses == [("aws-cross-account-access", "pass"), ("aws-public-access", "fail")]
    assert {f.attributes["via"] for f in collection.flows} == {"createVolumePermission"}


def test_ami_launch_permissions(aws: AwsSandbox) -> None:
    ec2 = seeding_client("ec2", aws.moto, "eu-west-1")
    for name, add in (("shared", {"UserId": STRANGER}), ("kept", None)):
        image = ec2.register_image(Name=name, RootDeviceName="/dev/xvda")["ImageId"]
        if add:
            ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [add]})
    result = judged(collect(aws))
    (name,) = result
    assert name.endswith(f"-> account {STRANGER}")
    assert result[name] == ("aws-cross-account-access", "fail")


def test_rds_snapshot_restore_permissions(aws: AwsSandbox) -> None:
    rds = seeding_client("rds", aws.moto, "eu-west-1")
    rds.create_db_instance(DBInstanceIdentifier="crm", DBInstanceClass="db.t3.micro",
                           Engine="postgres", MasterUsername="crm", AllocatedStorage=20,
                           MasterUserPassword="not-a-secret-1")  # fmt: skip
    for name, values in (("public", ["all"]), ("vendor", [VENDOR]), ("private", [])):
        rds.create_db_snapshot(DBInstanceIdentifier="crm", DBSnapshotIdentifier=name)
        if values:
            rds.modify_db_snapshot_attribute(
                DBSnapshotIdentifier=name, AttributeName="restore", ValuesToAdd=values
            )
    result = judged(collect(aws))
    assert result["public -> anyone (public)"] == ("aws-public-access", "fail")
    assert result[f"vendor -> account {VENDOR}"] == ("aws-cross-account-access", "pass")
    assert not [n for n in result if n.startswith("private")]


def test_kms_key_policies_and_grants(aws: AwsSandbox) -> None:
    kms = seeding_client("kms", aws.moto, "eu-west-1")
    granted = kms.create_key(Description="granted")["KeyMetadata"]["KeyId"]
    kms.create_grant(KeyId=granted, GranteePrincipal=f"arn:aws:iam::{STRANGER}:root",
                     Operations=["Decrypt"])  # fmt: skip
    kms.create_grant(KeyId=granted, GranteePrincipal=f"arn:aws:iam::{VENDOR}:root",
                     Operations=["Encrypt"])  # cannot read: not a grant of access  # fmt: skip
    service = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}]}  # fmt: skip
    kms.create_key(Description="service", Policy=json.dumps(service))
    collection = collect(aws)
    summary = [f for f in findings(collection) if f.check_id == "aws-public-access"]
    assert [(f.status, f.resource_name) for f in summary] == [
        ("pass", "account 123456789012 public access")
    ]
    result = judged(collection)
    assert sorted(result.values()) == [
        ("aws-cross-account-access", "fail"),
        ("aws-cross-account-access", "pass"),
    ]
    assert result[f"{granted} -> account {STRANGER}"][1] == "fail"


def test_role_trust_policies(aws: AwsSandbox) -> None:
    iam = seeding_client("iam", aws.moto, "us-east-1")
    lambda_trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}  # fmt: skip
    iam.create_role(RoleName="function", AssumeRolePolicyDocument=json.dumps(lambda_trust))
    for name, principal in (("vendor", VENDOR), ("stranger", STRANGER)):
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{principal}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "kn-shared-secret"}}}]}  # fmt: skip
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    result = judged(collect(aws))
    assert result[f"vendor -> account {VENDOR}"] == ("aws-cross-account-access", "pass")
    assert result[f"stranger -> account {STRANGER}"] == ("aws-cross-account-access", "fail")
    assert len(result) == 2  # the Lambda execution role is the service acting for the account


def test_s3_only_scan_makes_no_access_calls(aws: AwsSandbox) -> None:
    bucket_policy(aws, "open-policy", allow("*"))
    collection = aws.collect(services=["s3"], regions=["eu-west-1"])
    assert collection.calls == {"sts.GetCallerIdentity": 1, "s3.ListBuckets": 1,
                                "s3.HeadBucket": 1, "s3.GetBucketReplication": 1}  # fmt: skip
    assert not collection.flows


def test_ram_resource_shares(aws: AwsSandbox) -> None:
    org_id = organization_id(aws)
    ram = seeding_client("ram", aws.moto, "eu-west-1")
    subnet = "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0abc"
    cluster = "arn:aws:rds:eu-west-1:123456789012:cluster:crm"
    ram.create_resource_share(name="to-org", resourceArns=[subnet], principals=[
        f"arn:aws:organizations::123456789012:organization/{org_id}"])  # fmt: skip
    ram.create_resource_share(name="to-stranger", resourceArns=[cluster], principals=[STRANGER])
    result = judged(aws.collect(services=["ram-access", "organizations"], regions=["eu-west-1"]))
    assert result == {
        f"subnet-0abc -> organisation {org_id}": ("aws-cross-account-access", "pass"),
        f"crm -> account {STRANGER}": ("aws-cross-account-access", "fail"),
    }


def s3control_client(aws: AwsSandbox) -> Any:
    client = boto3.client("s3control", region_name="eu-west-1", endpoint_url=aws.moto)
    prefix = client.meta.service_model.endpoint_prefix
    client.meta.events.register("before-send", functools.partial(_prefixed_ip_host, prefix))
    return client


def test_access_point_policies(aws: AwsSandbox) -> None:
    create_bucket(aws.moto, "behind-points", "eu-west-1")
    s3control = s3control_client(aws)
    for name, vpc in (("open-point", None), ("vpc-point", "vpc-1234")):
        extra = {"VpcConfiguration": {"VpcId": vpc}} if vpc else {}
        s3control.create_access_point(AccountId="123456789012", Name=name,
                                      Bucket="behind-points", **extra)  # fmt: skip
        policy = {"Version": "2012-10-17", "Statement": [allow("*")]}
        s3control.put_access_point_policy(AccountId="123456789012", Name=name,
                                          Policy=json.dumps(policy))  # fmt: skip
    collection = collect(aws)
    verdicts = sorted(
        (f.evidence["grant"]["access_point"], f.status)
        for f in findings(collection, REGISTER)
        if f.check_id == "aws-public-access" and " -> " in f.resource_name
    )
    assert verdicts == [("open-point", "fail"), ("vpc-point", "manual")]
