"""Shared by the AWS guardrail checks: each account's SCP chain and which regions it leaves open.

Pure: reads the Organizations evidence in the collection and evaluates it with
:mod:`connectors.aws.scp` (no SDK, no I/O).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checks.base import CheckContext
from core import aws_policy as scp
from core.models import Asset

# Creating or writing data in each of these must be denied outside the allowed regions.
PROBE_ACTIONS = (
    "ec2:RunInstances",
    "s3:CreateBucket",
    "rds:CreateDBInstance",
    "dynamodb:CreateTable",
)
# Data-bearing services a region guardrail must not exempt (kms:* and config:* are exempt in
# the AWS sample policy; s3:*, logs:* and cloudwatch:* in common variants).
DATA_ACTIONS = (
    "kms:CreateKey", "s3:CreateBucket", "s3:PutObject", "logs:CreateLogGroup",
    "cloudwatch:PutMetricData", "config:PutConfigurationRecorder", "dynamodb:CreateTable",
    "rds:CreateDBInstance", "ec2:CreateVolume", "secretsmanager:CreateSecret",
    "sqs:CreateQueue", "sns:CreateTopic", "lambda:CreateFunction", "backup:CreateBackupVault",
    "connect:CreateInstance", "kinesis:CreateStream", "ecr:CreateRepository",
    "elasticfilesystem:CreateFileSystem", "es:CreateDomain", "redshift:CreateCluster",
    "elasticache:CreateCacheCluster",
)  # fmt: skip
OPEN = ("allowed", "conditional")


@dataclass
class Account:
    asset: Asset
    chain: list[list[dict[str, Any]]] | None  # None: a policy on the chain was unreadable
    unreadable: list[str]
    scps: list[str]  # every SCP on the path root -> account, as "Name (p-id)"

    @property
    def scp_list(self) -> str:
        return ", ".join(self.scps) or "none"

    @property
    def label(self) -> str:
        return f"{self.asset.name} ({self.asset.attributes['account_id']})"

    @property
    def workload_principal(self) -> str:
        account = self.asset.attributes["account_id"]
        return f"arn:aws:iam::{account}:role/workload"


def organization(ctx: CheckContext) -> Asset | None:
    found = [a for a in ctx.collection.assets if a.kind == "organizations.organization"]
    return found[0] if found else None


def accounts(ctx: CheckContext) -> list[Account]:
    policies = {
        a.attributes["policy_id"]: a
        for a in ctx.collection.assets
        if a.kind == "organizations.policy"
    }
    found = []
    for asset in ctx.collection.assets:
        if asset.kind != "organizations.account":
            continue
        levels = asset.attributes.get("chain") or []
        on_path = list(dict.fromkeys(p for level in levels for p in level.get("policies", [])))
        unreadable = sorted(
            _label(policies, p)
            for p in on_path
            if p not in policies or policies[p].attributes.get("document") is None
        )
        chain = (
            None
            if unreadable
            else [
                [policies[p].attributes["document"] for p in level.get("policies", [])]
                for level in levels
            ]
        )
        found.append(Account(asset, chain, unreadable, [_label(policies, p) for p in on_path]))
    return found


def _label(policies: dict[str, Asset], policy_id: str) -> str:
    """An SCP as users know it, by name, with its id to tell same-named policies apart."""
    policy = policies.get(policy_id)
    return f"{policy.name} ({policy_id})" if policy and policy.name != policy_id else policy_id


def forbidden_regions(ctx: CheckContext) -> list[str]:
    """Regions of the scanned partition (known to the knowledge base or seen in the scan) that
    the policy does not allow."""
    partition = ctx.collection.identity.get("partition", "aws")
    codes = {r["region"] for r in ctx.kb.aws_regions() if r.get("partition") == partition}
    codes |= set(ctx.collection.identity.get("regions") or [])
    return sorted(r for r in codes if not ctx.policy.judge(ctx.kb.resolve(f"aws:{r}")).allowed)


def region_verdict(account: Account, region: str) -> str:
    """The most open verdict over the probe actions: one open way to store data is enough."""
    assert account.chain is not None
    verdicts = {
        scp.evaluate(account.chain, action, region, account.workload_principal)
        for action in PROBE_ACTIONS
    }
    for verdict in ("allowed", "conditional", "not-allowed"):
        if verdict in verdicts:
            return verdict
    return "denied"


def open_regions(account: Account, regions: list[str]) -> dict[str, str]:
    return {r: v for r in regions if (v := region_verdict(account, r)) in OPEN}
