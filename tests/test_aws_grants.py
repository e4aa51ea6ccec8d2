"""Resource-policy evaluation (core.aws_grants): Deny wins, NotPrincipal, wildcards, and
conditions that narrow a grant, make it conditional or leave it alone."""

from __future__ import annotations

from typing import Any

from core.aws_grants import acl_grants, kms_grant, policy_grants, shared_with

OWNER = "123456789012"
OTHER = "210987654321"
READS = ("s3:GetObject",)
OBJECTS = "arn:aws:s3:::data/*"


def grants(*statements: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy_grants({"Statement": list(statements)}, READS, OWNER, OBJECTS)
    return [g.to_dict() for g in found]


def allow(principal: Any, action: Any = "s3:GetObject", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": OBJECTS,
            **extra}  # fmt: skip


def test_principals_wildcards_and_own_account() -> None:
    assert [g["recipient"] for g in grants(allow("*"))] == ["public"]
    assert [g["recipient"] for g in grants(allow({"AWS": "arn:aws:iam::*:root"}))] == ["public"]
    assert [g["account"] for g in grants(allow({"AWS": f"arn:aws:iam::{OTHER}:role/x"}))] == [OTHER]
    assert grants(allow({"AWS": f"arn:aws:iam::{OWNER}:root"})) == []
    assert [g["service"] for g in grants(allow({"Service": "logs.amazonaws.com"}))] == [
        "logs.amazonaws.com"
    ]
    assert [g["actions"] for g in grants(allow("*", action="s3:Get*"))] == [["s3:GetObject"]]
    assert grants(allow("*", action="s3:PutObject")) == []
    assert [g["recipient"] for g in grants(allow("*", action="*"))] == ["public"]
    not_put = {"Effect": "Allow", "Principal": "*", "NotAction": "s3:Put*", "Resource": OBJECTS}
    assert [g["recipient"] for g in grants(not_put)] == ["public"]


def test_not_principal_in_an_allow_is_public_and_conditional() -> None:
    (grant,) = grants({**allow(None), "NotPrincipal": {"AWS": OTHER}})
    assert grant["recipient"] == "public" and grant["verdict"] == "conditional"


def test_deny_wins_over_the_allow_it_covers() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": OBJECTS}
    assert grants(allow("*"), deny) == []
    only_other = {**deny, "Principal": {"AWS": OTHER}}
    assert grants(allow({"AWS": OTHER}), only_other) == []
    assert [g["recipient"] for g in grants(allow("*"), only_other)] == ["public"]


def test_deny_on_part_of_the_resource_leaves_a_conditional_grant() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": "arn:aws:s3:::data/private/*"}  # fmt: skip
    (grant,) = grants(allow("*"), deny)
    assert grant["verdict"] == "conditional"


def test_deny_unless_organisation_or_account_narrows_a_public_grant() -> None:
    unless_org = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": OBJECTS,
                  "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}}  # fmt: skip
    (grant,) = grants(allow("*"), unless_org)
    assert (grant["recipient"], grant["principal"], grant["verdict"]) == (
        "organization", "o-abc", "allowed"
    )  # fmt: skip
    except_other = {"Effect": "Deny", "NotPrincipal": {"AWS": OTHER}, "Action": "s3:*",
                    "Resource": OBJECTS}  # fmt: skip
    assert [g["account"] for g in grants(allow("*"), except_other)] == [OTHER]


def test_conditions_narrow_record_or_make_conditional() -> None:
    by_org = allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})
    assert [g["recipient"] for g in grants(by_org)] == ["organization"]
    by_vpc = allow("*", Condition={"StringEquals": {"aws:SourceVpc": "vpc-1"}})
    (grant,) = grants(by_vpc)
    assert grant["narrowed_by"] == {"aws:sourcevpc": ["vpc-1"]} and grant["verdict"] == "allowed"
    tls = allow({"AWS": OTHER}, Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert [g["verdict"] for g in grants(tls)] == ["allowed"]
    tagged = allow({"AWS": OTHER}, Condition={"StringEquals": {"aws:PrincipalTag/x": "y"}})
    assert [g["verdict"] for g in grants(tagged)] == ["conditional"]
    negated = allow("*", Condition={"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}})
    assert [(g["recipient"], g["verdict"]) for g in grants(negated)] == [("public", "conditional")]
    tls_deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": OBJECTS,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}  # fmt: skip
    assert [g["verdict"] for g in grants(allow({"AWS": OTHER}), tls_deny)] == ["allowed"]


def test_acl_attribute_and_kms_grants() -> None:
    acl = [
        {"Grantee": {"Type": "CanonicalUser", "ID": "owner"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
         "Permission": "READ"},
        {"Grantee": {"Type": "CanonicalUser", "ID": "someone"}, "Permission": "READ"},
        {"Grantee": {"Type": "CanonicalUser", "ID": "writer"}, "Permission": "WRITE"},
    ]  # fmt: skip
    assert [g.recipient for g in acl_grants(acl, "owner")] == ["public", "canonical_user"]
    shared = shared_with(["all", OTHER, OWNER], "restore", "rds:Restore", OWNER)
    assert [(g.recipient, g.account) for g in shared] == [("public", None), ("account", OTHER)]
    decrypt = ("kms:Decrypt",)
    grant = {"GranteePrincipal": f"arn:aws:iam::{OTHER}:root", "Operations": ["Decrypt"]}
    assert kms_grant(grant, decrypt, OWNER).account == OTHER  # type: ignore[union-attr]
    assert kms_grant({**grant, "Operations": ["Encrypt"]}, decrypt, OWNER) is None
    limited = kms_grant({**grant, "Constraints": {"EncryptionContextEquals": {}}}, decrypt, OWNER)
    assert limited is not None and limited.verdict == "conditional"


def test_identity_providers_of_the_owner_are_its_own() -> None:
    own = f"arn:aws:iam::{OWNER}:saml-provider/AWSSSO_1"
    assert grants(allow({"Federated": own})) == []
    (grant,) = grants(allow({"Federated": "token.actions.githubusercontent.com"}))
    assert grant["recipient"] == "federated" and grant["account"] is None


def test_if_exists_does_not_narrow_anonymous_requests() -> None:
    unless_org = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": OBJECTS,
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}},
    }
    (grant,) = grants(allow("*"), unless_org)
    assert (grant["recipient"], grant["verdict"]) == ("public", "conditional")
