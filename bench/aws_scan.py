"""Benchmark the AWS scan against moto: wall time, API calls, calls per resource, peak memory.

    python bench/aws_scan.py                          # S3 only: 20 buckets over 4 regions
    python bench/aws_scan.py --mode full --resources 5000 --regions 17
    python bench/aws_scan.py --mode full --access     # plus who-else-can-read reads

moto (and the stub serving account.ListRegions) run in this process; the scan runs as a separate
`residency scan aws` process, so its wall time and peak memory are the whole CLI's. Targets on a
2-core machine: S3 only, 20 buckets in 4 regions: under 2 s and at most 3 + 2 x buckets calls;
full, 5,000 resources in 17 regions: no more calls than the minimal plan, under 300 MB.
``--access`` adds the access readers (policies, ACLs, sharing permissions, key grants, trust
policies) and prints the extra calls they cost per resource against their own plan; without it
the budgets above are unchanged. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sandbox.aws import (
    SANDBOX_CREDENTIALS,
    create_bucket,
    seeding_client,
    start_moto,
    start_stub,
)
from sandbox.aws_stub import stub_environment

REGIONS = [
    "eu-central-1", "eu-west-1", "us-east-1", "eu-north-1", "eu-west-3", "eu-west-2",
    "us-west-2", "eu-south-1", "ap-southeast-1", "ap-northeast-1", "ca-central-1", "us-east-2",
    "sa-east-1", "ap-south-1", "eu-central-2", "us-west-1", "ap-southeast-2",
]  # fmt: skip
# (service, list operation, page size, per-resource calls the API forces)
KINDS = [
    ("s3", "s3.ListBuckets", 1000, 2),
    ("sqs", "sqs.ListQueues", 1000, 0),
    ("sns", "sns.ListTopics", 100, 0),
    ("logs", "logs.DescribeLogGroups", 50, 0),
    ("dynamodb", "dynamodb.ListTables", 100, 1),
    ("kms", "kms.ListKeys", 1000, 1),
    ("secretsmanager", "secretsmanager.ListSecrets", 100, 1),
    ("ecr", "ecr.DescribeRepositories", 1000, 0),
]
# per-region calls that list settings rather than resources (ECR's registry replication rules,
# DynamoDB's legacy global tables)
SETTINGS_CALLS = {"ecr": 1, "dynamodb": 1}
# per-region calls made only where the service holds resources (KMS ListAliases joins aliases)
WHERE_FOUND_CALLS = {"kms": 1}
# the access readers, with what they add: per bucket (GetBucketPolicy, GetBucketAcl,
# GetPublicAccessBlock), per key (GetKeyPolicy, ListGrants), per region (EC2 snapshots and AMIs,
# RDS instance and cluster snapshots, KMS ListKeys, RAM principals and resources;
# ListAccessPoints where buckets are), and
# per account (the account's Block Public Access, ListRoles)
ACCESS_SERVICES = (
    "s3-access",
    "ec2-access",
    "rds-access",
    "kms-access",
    "iam-access",
    "ram-access",
)
ACCESS_PER_RESOURCE = {"s3": 3, "kms": 2}
ACCESS_PER_REGION = 7
ACCESS_PER_ACCOUNT = 2


def seed_full(url: str, total: int, regions: list[str]) -> Counter[tuple[str, str]]:
    """``total`` resources spread over ``regions`` and the services in KINDS."""
    placed: Counter[tuple[str, str]] = Counter()
    for index in range(total):
        service = KINDS[index % len(KINDS)][0]
        region = regions[(index // len(KINDS)) % len(regions)]
        name = f"bench-{index:05d}"
        if service == "s3":
            create_bucket(url, name, region)
        else:
            client = seeding_client(service, url, region)
            if service == "sqs":
                client.create_queue(QueueName=name)
            elif service == "sns":
                client.create_topic(Name=name)
            elif service == "logs":
                client.create_log_group(logGroupName=name)
            elif service == "dynamodb":
                client.create_table(
                    TableName=name, BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                )  # fmt: skip
            elif service == "kms":
                client.create_key(Description=name)
            elif service == "secretsmanager":
                client.create_secret(Name=name, SecretString="bench")
            elif service == "ecr":
                client.create_repository(repositoryName=name)
        placed[(service, region)] += 1
    return placed


def minimal_plan(placed: Counter[tuple[str, str]], regions: list[str], s3_only: bool) -> int:
    """List calls x pages + the per-resource calls the APIs force (+ identity, region list)."""
    calls = 1 if s3_only else 2  # sts.GetCallerIdentity (+ account.ListRegions)
    for service, _op, page, per_resource in KINDS:
        if service == "s3":
            buckets = sum(n for (s, _), n in placed.items() if s == "s3")
            calls += max(1, math.ceil(buckets / page)) + per_resource * buckets
            continue
        if s3_only:
            continue
        for region in regions:
            count = placed[(service, region)]
            calls += max(1, math.ceil(count / page)) + per_resource * count
            calls += SETTINGS_CALLS.get(service, 0)
            calls += WHERE_FOUND_CALLS.get(service, 0) if count else 0
    return calls


def access_plan(placed: Counter[tuple[str, str]], regions: list[str], s3_only: bool) -> int:
    """The calls the access readers need on top of the scan's own (see ACCESS_*)."""
    buckets = sum(n for (s, _), n in placed.items() if s == "s3")
    calls = ACCESS_PER_RESOURCE["s3"] * buckets + (ACCESS_PER_ACCOUNT - 1)  # s3 only: no roles
    calls += len({r for (s, r), n in placed.items() if s == "s3" and n})  # ListAccessPoints
    if s3_only:
        return calls
    keys = sum(n for (s, _), n in placed.items() if s == "kms")
    return calls + 1 + ACCESS_PER_RESOURCE["kms"] * keys + ACCESS_PER_REGION * len(regions)


def run_scan(url: str, stub_url: str, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        **SANDBOX_CREDENTIALS,
        **stub_environment(stub_url),  # what moto lacks (regions, legacy global tables)
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    services = "s3" if args.mode == "s3" else ",".join(k[0] for k in KINDS)
    if args.access:
        services += ",s3-access" if args.mode == "s3" else "," + ",".join(ACCESS_SERVICES)
    command = [
        str(Path(sys.executable).parent / "residency"), "scan", "aws", "--endpoint-url", url,
        "--services", services, "--max-attempts", "2", "--workers", str(args.workers),
        "--output-dir", str(out), "--no-summary",
    ]  # fmt: skip
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if completed.returncode not in (0, 1):
        print(completed.stderr, file=sys.stderr)
    document = json.loads((out / "report.json").read_text())
    (target,) = document["targets"]
    return {"wall": wall, "peak_mb": peak_kb / 1024, "exit": completed.returncode, **target}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["s3", "full"], default="s3")
    parser.add_argument("--buckets", type=int, default=20, help="S3 mode: number of buckets")
    parser.add_argument("--resources", type=int, default=5000, help="full mode: resources")
    parser.add_argument("--regions", type=int, default=4, help="number of regions (max 17)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--access", action="store_true", help="also read who else can read")
    args = parser.parse_args()
    regions = REGIONS[: max(1, min(args.regions, len(REGIONS)))]
    os.environ.update(SANDBOX_CREDENTIALS)
    server, url = start_moto()
    stub = start_stub(url, {"regions": [{"name": r} for r in regions]})
    try:
        seeding = time.perf_counter()
        if args.mode == "s3":
            placed: Counter[tuple[str, str]] = Counter()
            for index in range(args.buckets):
                region = regions[index % len(regions)]
                create_bucket(url, f"bench-{index:05d}", region)
                placed[("s3", region)] += 1
        else:
            placed = seed_full(url, args.resources, regions)
        seeded = sum(placed.values())
        print(f"seeded {seeded} resources over {len(regions)} regions "
              f"in {time.perf_counter() - seeding:.1f} s")  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            result = run_scan(url, stub.url, args, Path(folder))
    finally:
        stub.stop()
        server.stop()
    plan = minimal_plan(placed, regions, args.mode == "s3")
    extra_plan = access_plan(placed, regions, args.mode == "s3") if args.access else 0
    calls = result["api_calls_total"]
    print(f"mode            {args.mode}")
    print(f"wall time       {result['wall']:.2f} s (whole `residency scan aws` process)")
    print(f"API calls       {calls} (minimal plan {plan + extra_plan}; "
          f"{'within' if calls <= plan + extra_plan else 'OVER'} plan)")  # fmt: skip
    if args.access:
        extra = calls - plan
        print(f"access reads    {extra} extra calls, {extra / max(1, seeded):.2f} per resource "
              f"(plan {extra_plan})")  # fmt: skip
    elif args.mode == "s3":
        budget = 3 + 2 * args.buckets
        print(f"S3 budget       3 + 2 x {args.buckets} = {budget} "
              f"({'within' if calls <= budget else 'OVER'})")  # fmt: skip
    print(f"calls/resource  {calls / max(1, seeded):.2f}")
    print(f"peak memory     {result['peak_mb']:.0f} MB (scan process)")
    print(f"complete        {result['complete']} (exit {result['exit']})")
    for operation, count in sorted(result["api_calls"].items()):
        print(f"  {operation:40} {count}")


if __name__ == "__main__":
    main()
