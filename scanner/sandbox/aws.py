"""The simulated company's AWS account: moto's server on 127.0.0.1, seeded from a data file.

Seeding uses its own plain boto3 clients (it writes); the scanner reaches the same server only
through its read-only connector.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.config import Config

from scanner.sandbox.service import RunningService

DATA = Path(__file__).parent / "data" / "aws_company.yaml"
SANDBOX_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",  # moto accepts any key; not a real secret
    "AWS_DEFAULT_REGION": "eu-central-1",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def start_moto() -> tuple[Any, str]:
    """Start moto's threaded server on an ephemeral loopback port; returns (server, url)."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def seeding_client(service: str, url: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=SANDBOX_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=SANDBOX_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}),
    )


def create_bucket(url: str, name: str, region: str) -> None:
    s3 = seeding_client("s3", url, region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def replicate(url: str, source: str, source_region: str, destination: str) -> None:
    s3 = seeding_client("s3", url, source_region)
    for bucket in (source, destination):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket=source,
        ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/replication",
            "Rules": [
                {
                    "ID": f"to-{destination}",
                    "Priority": 1,
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
                }
            ],
        },
    )


def seed(url: str, dataset: dict[str, Any]) -> None:
    buckets = dataset.get("buckets", [])
    for bucket in buckets:
        create_bucket(url, bucket["name"], bucket["region"])
    for bucket in buckets:
        if bucket.get("replicate_to"):
            replicate(url, bucket["name"], bucket["region"], bucket["replicate_to"])


def start_aws(dataset: dict[str, Any] | None = None) -> RunningService:
    """moto seeded with ``dataset`` (default: the sample company)."""
    server, url = start_moto()
    data = dataset if dataset is not None else yaml.safe_load(DATA.read_text(encoding="utf-8"))
    seed(url, data)
    return RunningService(
        name="aws-sandbox",
        provider="aws",
        url=url,
        settings={"endpoint_url": url, "region": "eu-central-1", "max_attempts": 2},
        stop=server.stop,
        env=dict(SANDBOX_CREDENTIALS),
    )
