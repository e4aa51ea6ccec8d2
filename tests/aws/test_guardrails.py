"""Region guardrails: SCP evaluation and each finding with a planted violation and a clean twin."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core import aws_policy as scp
from core.models import GapReason
from sandbox.aws import create_organization, seeding_client
from tests.aws.conftest import AwsSandbox, by_check

EU = ["eu-central-1", "eu-west-1"]
GLOBAL = ["iam:*", "sts:*", "organizations:*", "cloudfront:*", "route53:*", "support:*"]
FULL_ACCESS = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}  # fmt: skip


def deny_outside(regions: list[str], not_action: list[str] | None = None,
                 condition: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyOutside", "Effect": "Deny", "NotAction": not_action or GLOBAL,
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": regions}, **(condition or {})},
        }],
    }  # fmt: skip


# ------------------------------------------------------------------ the evaluator (pure)

AWS_SAMPLE = deny_outside(
    EU,
    not_action=[*GLOBAL, "kms:*", "config:*", "ec2:DescribeRegions", "s3:ListAllMyBuckets"],
    condition={"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/BreakGlass"}},
)
CHAIN = [[FULL_ACCESS], [FULL_ACCESS, AWS_SAMPLE], [FULL_ACCESS]]  # root, OU, account


@pytest.mark.parametrize(
    ("action", "region", "principal", "verdict"),
    [
        ("ec2:RunInstances", "us-east-1", None, "conditional"),
        ("ec2:RunInstances", "us-east-1", "arn:aws:iam::1:role/App", "denied"),
        ("ec2:RunInstances", "us-east-1", "arn:aws:iam::1:role/BreakGlass", "allowed"),
        ("ec2:RunInstances", "eu-central-1", "arn:aws:iam::1:role/App", "allowed"),
        ("dynamodb:CreateTable", "eu-south-2", "arn:aws:iam::1:role/App", "denied"),
        ("iam:CreateRole", "us-east-1", "arn:aws:iam::1:role/App", "allowed"),
        ("kms:CreateKey", "us-east-1", "arn:aws:iam::1:role/App", "allowed"),
        ("s3:CreateBucket", "us-east-1", "arn:aws:iam::1:role/App", "denied"),
    ],
)
def test_evaluator_follows_scp_semantics(
    action: str, region: str, principal: str | None, verdict: str
) -> None:
    assert scp.evaluate(CHAIN, action, region, principal) == verdict


def test_an_allow_is_needed_at_every_level() -> None:
    assert scp.evaluate([[FULL_ACCESS], [], [FULL_ACCESS]], "s3:PutObject", "eu-west-1") == (
        "not-allowed"
    )
    only_s3 = {"Statement": {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}}
    assert scp.evaluate([[FULL_ACCESS], [only_s3]], "ec2:RunInstances", "eu-west-1") == (
        "not-allowed"
    )
    assert scp.evaluate([[FULL_ACCESS], [only_s3]], "s3:GetObject", "eu-west-1") == "allowed"


def test_unknown_operators_and_if_exists() -> None:
    odd = {
        "Statement": [
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}},
            }
        ]
    }
    assert scp.unsupported_operators(odd) == ["DateGreaterThan"]
    assert scp.evaluate([[FULL_ACCESS, odd]], "s3:PutObject", "us-east-1", "arn:x") == (
        "conditional"
    )
    # IfExists on a key we cannot know (the caller's tags) is not "absent": it may be present
    if_exists = deny_outside(EU, condition={
        "StringNotEqualsIfExists": {"aws:PrincipalTag/team": "platform"}})  # fmt: skip
    assert scp.unsupported_operators(if_exists) == []
    assert scp.evaluate([[FULL_ACCESS, if_exists]], "s3:PutObject", "us-east-1", "arn:x") == (
        "conditional"
    )
    assert scp.principal_exemptions(if_exists) == ["aws:PrincipalTag/team=platform"]


@pytest.mark.parametrize(
    ("scope", "verdict"),
    [
        ({"Resource": "*"}, "denied"),
        ({"Resource": ["arn:aws:s3:::*", "*"]}, "denied"),
        ({"Resource": "arn:aws:s3:::regulated-*"}, "conditional"),
        ({"NotResource": "arn:aws:s3:::scratch-*"}, "conditional"),
    ],
)
def test_a_deny_on_some_resources_only_is_not_a_guardrail(
    scope: dict[str, Any], verdict: str
) -> None:
    document = deny_outside(EU)
    statement = document["Statement"][0]
    del statement["Resource"]
    statement.update(scope)
    chain = [[FULL_ACCESS, document]]
    assert scp.evaluate(chain, "s3:CreateBucket", "us-east-1", "arn:x") == verdict
    assert scp.evaluate(chain, "s3:CreateBucket", "eu-west-1", "arn:x") == "allowed"


# ------------------------------------------------------------------ findings against moto


def organization(aws: AwsSandbox, policies: list[dict[str, Any]]) -> dict[str, str]:
    spec = {"units": [{"name": "workloads", "accounts": ["prod"]},
                      {"name": "labs", "accounts": ["lab"]}],
            "policies": policies}  # fmt: skip
    return create_organization(aws.moto, spec)


def guardrail(aws: AwsSandbox, check: str = "aws-region-guardrail") -> dict[str, Any]:
    collection = aws.collect(services=["organizations"])
    return {name.split(" (")[0]: f for name, f in by_check(collection, check).items()}


def test_no_organization_means_no_guardrail(aws: AwsSandbox) -> None:
    (finding,) = guardrail(aws).values()
    assert finding.status == "fail" and "not in an AWS organization" in finding.message


@pytest.mark.parametrize(("regions", "status"), [(EU, "pass"), ([*EU, "us-east-1"], "fail")])
def test_guardrail_allowing_a_region_outside_policy(
    aws: AwsSandbox, regions: list[str], status: str
) -> None:
    organization(aws, [{"name": "eu", "document": deny_outside(regions), "attach": ["root"]}])
    found = guardrail(aws)
    assert found["prod"].status == found["lab"].status == status
    (scp,) = [s for s in found["prod"].evidence["scps"] if s.startswith("eu (")]
    assert re.fullmatch(r"eu \(p-[0-9a-z]+\)", scp) and scp in found["prod"].message
    if status == "fail":
        assert "allows us-east-1" in found["prod"].message
    assert found["master"].status == "warn"
    assert "management account is never restricted" in found["master"].message


@pytest.mark.parametrize(
    ("attach", "status"), [(["workloads", "labs"], "pass"), (["workloads"], "fail")]
)
def test_accounts_the_guardrail_is_not_attached_to(
    aws: AwsSandbox, attach: list[str], status: str
) -> None:
    organization(aws, [{"name": "eu", "document": deny_outside(EU), "attach": attach}])
    found = guardrail(aws)
    assert found["prod"].status == "pass"
    assert found["lab"].status == status
    if status == "fail":
        assert "not attached to this account" in found["lab"].message
        assert "prod" in found["lab"].message


@pytest.mark.parametrize(("exempt", "status"), [([], "pass"), (["kms:*", "logs:*"], "fail")])
def test_guardrail_exempting_data_services(aws: AwsSandbox, exempt: list[str], status: str) -> None:
    document = deny_outside(EU, not_action=[*GLOBAL, *exempt])
    organization(aws, [{"name": "eu", "document": document, "attach": ["root"]}])
    found = guardrail(aws, "aws-guardrail-exemptions")
    assert found["prod"].status == status
    if status == "fail":
        assert "kms:*" in found["prod"].message and "logs:*" in found["prod"].message
    assert "master" not in found


def test_principal_exemption_warns(aws: AwsSandbox) -> None:
    document = deny_outside(
        EU, condition={"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/BreakGlass"}}
    )
    organization(aws, [{"name": "eu", "document": document, "attach": ["root"]}])
    assert guardrail(aws)["prod"].status == "pass"
    finding = guardrail(aws, "aws-guardrail-exemptions")["prod"]
    assert finding.status == "warn" and "BreakGlass" in finding.message


@pytest.mark.parametrize(
    ("condition", "exemption"),
    [
        ({"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "platform"}},
         "aws:PrincipalTag/team=platform"),
        ({"StringNotEquals": {"aws:ResourceTag/residency": "global"}},
         "aws:ResourceTag/residency=global"),
        ({"StringNotEqualsIfExists": {"aws:PrincipalAccount": "111122223333"}},
         "aws:PrincipalAccount=111122223333"),
    ],
)  # fmt: skip
def test_tag_and_principal_exemptions_are_never_a_pass(
    aws: AwsSandbox, condition: dict[str, Any], exemption: str
) -> None:
    document = deny_outside(EU, condition=condition)
    organization(aws, [{"name": "eu", "document": document, "attach": ["root"]}])
    collection = aws.collect(services=["organizations"])
    found = {n.split(" (")[0]: f for n, f in by_check(collection, "aws-region-guardrail").items()}
    assert found["prod"].status == "fail" and "cannot be judged" in found["prod"].message
    exempt = {
        n.split(" (")[0]: f for n, f in by_check(collection, "aws-guardrail-exemptions").items()
    }
    assert exempt["prod"].status == "warn" and exemption in exempt["prod"].message


def test_invalid_policy_json_is_a_gap(aws: AwsSandbox) -> None:
    organization(aws, [{"name": "broken", "content": '{"Statement": [', "attach": ["workloads"]}])
    collection = aws.collect(services=["organizations"])
    (gap,) = collection.gaps
    assert gap.reason == GapReason.MALFORMED_RESPONSE and "broken" in gap.message
    found = {n.split(" (")[0]: f for n, f in by_check(collection, "aws-region-guardrail").items()}
    assert found["prod"].status == "error" and "broken" in found["prod"].message
    assert found["lab"].status == "fail"  # readable chain, no guardrail


def test_unexpected_condition_operator_is_a_gap_and_not_trusted(aws: AwsSandbox) -> None:
    document = deny_outside(EU, condition={"DateLessThan": {"aws:CurrentTime": "2999-01-01"}})
    organization(aws, [{"name": "odd", "document": document, "attach": ["root"]}])
    collection = aws.collect(services=["organizations"])
    (gap,) = collection.gaps
    assert gap.reason == GapReason.UNSUPPORTED_CONTENT and "DateLessThan" in gap.message
    found = {n.split(" (")[0]: f for n, f in by_check(collection, "aws-region-guardrail").items()}
    assert found["prod"].status == "fail" and "cannot be judged" in found["prod"].message


def test_member_account_without_org_access_gets_a_clear_gap(
    aws: AwsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = organization(aws, [{"name": "eu", "document": deny_outside(EU), "attach": ["root"]}])
    credentials = seeding_client("sts", aws.moto, "us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{ids['prod']}:role/Scanner", RoleSessionName="scan"
    )["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", credentials["SessionToken"])
    aws.fault("organizations", "AccessDeniedException", operation="ListRoots")
    collection = aws.collect(through_stub=True, services=["organizations"])
    assert collection.identity["account_id"] == ids["prod"]
    (gap,) = collection.gaps
    assert gap.reason == GapReason.ACCESS_DENIED and "management account" in gap.message
    assert by_check(collection, "aws-region-guardrail") == {}
