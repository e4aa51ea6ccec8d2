"""The sample company's AWS account: what the demo must show on its AWS side."""

from __future__ import annotations

from core.policy import Policy
from sandbox.aws import start_aws
from sandbox.company import DEMO_POLICY, environment
from tests.aws.conftest import findings


def test_demo_company_shows_connect_dynamodb_and_guardrail_findings() -> None:
    from connectors.aws.connector import AwsConnector
    from connectors.base import Target

    service = start_aws()
    try:
        settings = {**service.settings, "regions": ["eu-central-1", "eu-west-1", "us-east-1"]}
        with environment(service.env):
            collection = AwsConnector(Target("demo", "aws", settings)).collect()
    finally:
        service.stop()
    assert collection.gaps == []
    result = {(f.check_id, f.resource_name.split(" (")[0]): f for f in findings(
        collection, Policy.load(DEMO_POLICY))}  # fmt: skip
    recordings = [a for a in collection.assets if a.kind == "connect.storage"
                  and a.attributes["resource_type"] == "CALL_RECORDINGS"]  # fmt: skip
    assert [a.location for a in recordings] == ["aws:eu-central-1"]
    copy = result[
        ("replication-outside-allowed", "kn-connect-recordings -> kn-connect-recordings-dr")
    ]
    assert copy.status == "fail" and copy.location == "aws:us-east-1"
    replica = result[
        ("replication-outside-allowed", "kn-customer-profiles -> kn-customer-profiles")
    ]
    assert replica.status == "fail" and replica.location == "aws:us-east-1"
    guardrail = result[("aws-region-guardrail", "kn-production")]
    assert guardrail.status == "fail" and "allows us-east-1" in guardrail.message
    assert result[("aws-guardrail-exemptions", "kn-production")].status == "fail"
    assert result[("storage-outside-allowed", "kn-call-recordings")].status == "pass"
    # Art. 32: a bucket with customer data that accepts plain HTTP, a legacy unencrypted one,
    # a recordings key replicated to Virginia, and CloudTrail in every region
    plain = result[("aws-s3-tls-only", "kn-crm-exports")]
    assert plain.status == "fail" and "holds reports" in plain.message
    assert result[("aws-s3-tls-only", "kn-connect-recordings")].status == "pass"
    assert result[("aws-encryption-at-rest", "kn-quality-samples")].status == "fail"
    keys = {f.message.split(" protects")[0]: f for f in findings(collection, Policy.load(
        DEMO_POLICY)) if f.check_id == "aws-kms-key-location"}  # fmt: skip
    assert keys["KMS key call recordings"].status == "fail"
    assert keys["KMS key call recordings"].location == "aws:us-east-1"
    assert keys["KMS key EU customer data"].status == "pass"
    assert result[("aws-cloudtrail-all-regions", "account 123456789012")].status == "pass"
    assert result[("aws-cloudtrail-log-validation", "kn-account-trail")].status == "pass"
    # who else can read: a registered vendor (pass), an account nobody named, a public snapshot
    vendor = result[
        ("aws-cross-account-access", "kn-transcription-exchange -> account 210987654321")
    ]
    assert vendor.status == "pass" and "VoxScript GmbH" in vendor.message
    assert vendor.location == "country:DE"
    unknown = result[("aws-cross-account-access", "kn-crm-exports-partner -> account 555566667777")]
    assert unknown.status == "fail" and "not in the vendor register" in unknown.message
    public = [f for (check, _), f in result.items() if check == "aws-public-access"]
    assert [(f.status, f.resource_name.split(" -> ")[1]) for f in public] == [
        ("fail", "anyone (public)")
    ]
    assert "kn-crm-db-snapshot" in public[0].message
    breach = result[("breach-readiness", "demo breach readiness")]
    assert "CloudTrail trail kn-account-trail (s3://kn-audit-logs): available" in breach.message
    assert "CloudWatch Logs /kn/cloudtrail: available, kept 365 days" in breach.message
