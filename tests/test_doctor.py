"""`residency doctor`: credentials resolved, identity shown, missing permissions named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import urllib3
import yaml

from connectors.aws.allowlist import iam_policy
from sandbox.aws import create_bucket, seeding_client
from tests.conftest import run_cli

# moto's IAM enforcement rejects the signature of some REST-JSON services (backup, connect,
# efs, opensearch, lambda) and has no artifact backend, so these tests ask for the others.
SERVICES = ",".join(
    s
    for s in ("s3", "s3-security", "dynamodb", "rds", "ec2", "kms", "sqs", "sns", "logs",
              "kinesis", "secretsmanager", "cloudtrail", "organizations", "redshift")
)  # fmt: skip
# moto authorises HEAD bucket as s3:HeadBucket, which AWS authorises as s3:ListBucket.
MOTO_HEAD_BUCKET = "s3:HeadBucket"


def doctor_aws(moto: str, *extra: str) -> tuple[int, str]:
    args = ["--services", SERVICES, *extra] if "--services" not in extra else list(extra)
    result = run_cli("doctor", "aws", "--endpoint-url", moto, "--max-attempts", "1", *args)
    return result.exit_code, result.stdout + result.stderr


def scanner_user(moto: str, monkeypatch: pytest.MonkeyPatch, actions: list[str]) -> None:
    """An IAM user allowed exactly ``actions``; moto then enforces IAM on every request."""
    iam = seeding_client("iam", moto, "us-east-1")
    iam.create_user(UserName="scanner")
    statement = {"Effect": "Allow", "Action": [*actions, MOTO_HEAD_BUCKET], "Resource": "*"}
    iam.put_user_policy(
        UserName="scanner",
        PolicyName="read",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    urllib3.request("POST", f"{moto}/moto-api/reset-auth", body=b"0")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])


def test_read_only_user_lacking_one_action_is_told_which(
    moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_bucket(moto, "eu-recordings", "eu-central-1")
    needed = iam_policy()["Statement"][0]["Action"]
    scanner_user(moto, monkeypatch, [a for a in needed if a != "kms:DescribeKey"])
    code, output = doctor_aws(moto)
    assert code == 3, output
    assert "arn:aws:iam::123456789012:user/scanner" in output
    assert "1 missing" in output
    added = [line.split()[1] for line in output.splitlines() if line.lstrip().startswith("+ ")]
    assert added == ["kms:DescribeKey"]


def test_full_policy_would_scan_completely(moto: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scanner_user(moto, monkeypatch, iam_policy()["Statement"][0]["Action"])
    code, output = doctor_aws(moto)
    assert code == 0, output
    assert "0 missing" in output and "a scan would be complete" in output


def test_selected_services_need_only_their_actions(
    moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probes follow the API namespaces of --services (s3 covers s3 and s3-security)."""
    needed = iam_policy()["Statement"][0]["Action"]
    s3 = [a for a in needed if a.startswith("s3:") and a != "s3:ListMultiRegionAccessPoints"]
    scanner_user(moto, monkeypatch, [*s3, "account:ListRegions", "ec2:DescribeRegions"])
    code, output = doctor_aws(moto, "--services", "s3")
    assert code == 0, output
    code, output = doctor_aws(moto, "--services", "s3,kms")
    assert code == 3 and "+ kms:ListKeys" in output


def test_rejected_credentials_cannot_start(moto: str, monkeypatch: pytest.MonkeyPatch) -> None:
    urllib3.request("POST", f"{moto}/moto-api/reset-auth", body=b"0")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    code, output = doctor_aws(moto)
    assert code == 2
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1


def test_doctor_on_the_demo_sandbox_is_clean_for_every_provider(moto: str, tmp_path: Path) -> None:
    """The simulated company's credentials can run a complete scan: one line per target.
    (``moto`` switches off the IAM enforcement other tests leave in the in-process moto.)"""
    from sandbox.company import COMPANY, environment, running_company

    with running_company() as services:
        clients = {COMPANY: {s.provider: dict(s.settings) for s in services}}
        env = {k: v for s in services for k, v in s.env.items()}
        path = tmp_path / "tenants.yaml"
        clients_yaml = [{"name": name, **targets} for name, targets in clients.items()]
        path.write_text(yaml.safe_dump({"clients": clients_yaml}), encoding="utf-8")
        with environment(env):
            result = run_cli("doctor", "--config", str(path))
            single = run_cli("doctor", "slack", *slack_options(services))
    lines = result.stdout.splitlines()
    assert result.exit_code == 0, result.stdout + result.stderr
    assert sorted(line.split(":")[0] for line in lines) == [
        f"{COMPANY}/aws",
        f"{COMPANY}/m365",
        f"{COMPANY}/slack",
    ]
    assert all(": ok, " in line for line in lines), lines
    assert single.exit_code == 0, single.stdout + single.stderr
    assert "plan: Business+" in single.stdout and "0 missing" in single.stdout


def slack_options(services: list[Any]) -> list[str]:
    (slack,) = [s for s in services if s.provider == "slack"]
    return [
        f"--{key.replace('_', '-')}={value}"
        for key, value in slack.settings.items()
        if isinstance(value, str)
    ]
