"""Amazon Connect instances and where they store call recordings, chat transcripts and exports.

Each instance is asked once per storage resource type (the API requires the type). An S3
destination is located by its bucket's region, a Kinesis stream or Firehose by its ARN, and a
Kinesis Video stream lives in the instance's region. Each storage destination is recorded as an
asset with the data it holds, so the storage check judges where recordings really land.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AWS_ERRORS, AwsScan, arn_region, paginate
from connectors.aws.services.s3 import bucket_region

SERVICE = "connect"
CATEGORIES: dict[str, list[str]] = {
    "CALL_RECORDINGS": ["call_recordings"],
    "CHAT_TRANSCRIPTS": ["chat"],
    "SCHEDULED_REPORTS": ["reports"],
    "MEDIA_STREAMS": ["call_recordings"],
    "CONTACT_TRACE_RECORDS": ["contact_records"],
    "AGENT_EVENTS": ["agent_activity"],
    "REAL_TIME_CONTACT_ANALYSIS_SEGMENTS": ["contact_analytics"],
    "REAL_TIME_CONTACT_ANALYSIS_CHAT_SEGMENTS": ["contact_analytics", "chat"],
    "REAL_TIME_CONTACT_ANALYSIS_VOICE_SEGMENTS": ["contact_analytics", "call_recordings"],
    "ATTACHMENTS": ["files"],
    "CONTACT_EVALUATIONS": ["evaluations"],
    "SCREEN_RECORDINGS": ["screen_recordings"],
    "EMAIL_MESSAGES": ["email"],
}


def instances(scan: AwsScan, region: str) -> None:
    found = paginate(scan.client(SERVICE, region), "list_instances", "InstanceSummaryList", 10)
    for instance in found:
        scan.asset(
            id=instance["Arn"],
            kind="connect.instance",
            name=instance.get("InstanceAlias") or instance["Id"],
            region=region,
            categories=["call_recordings", "chat", "customer_profiles"],
            status=instance.get("InstanceStatus"),
        )
    units = [(i, t) for i in found for t in CATEGORIES]
    scan.map(lambda unit: _storage(scan, region, *unit), units)
    if found:
        scan.recorder.read(f"connect.instance ({scan.account_id}, {region}): {len(found)}")


READERS = (instances,)


def _storage(scan: AwsScan, region: str, instance: dict[str, Any], resource_type: str) -> None:
    try:
        configs = paginate(
            scan.client(SERVICE, region),
            "list_instance_storage_configs",
            "StorageConfigs",
            10,
            InstanceId=instance["Id"],
            ResourceType=resource_type,
        )
    except AWS_ERRORS as exc:
        scan.failed(
            SERVICE, "ListInstanceStorageConfigs", exc, resource=instance["Arn"], region=region
        )
        return
    alias = instance.get("InstanceAlias") or instance["Id"]
    for config in configs:
        where, destination = _destination(scan, region, config)
        label = resource_type.lower().replace("_", " ")
        scan.asset(
            id=f"{instance['Arn']}/storage/{resource_type}/{config.get('AssociationId', '-')}",
            kind="connect.storage",
            name=f"{alias}: {label} -> {destination}",
            region=where,
            categories=CATEGORIES[resource_type],
            instance=instance["Arn"],
            resource_type=resource_type,
            storage_type=config.get("StorageType"),
            destination=destination,
            instance_region=region,
        )


def _destination(scan: AwsScan, region: str, config: dict[str, Any]) -> tuple[str | None, str]:
    """(region, name) of where a storage config writes."""
    if config.get("S3Config"):
        bucket = config["S3Config"]["BucketName"]
        prefix = config["S3Config"].get("BucketPrefix")
        return bucket_region(scan, bucket), f"s3://{bucket}/{prefix or ''}".rstrip("/")
    if config.get("KinesisStreamConfig"):
        arn = config["KinesisStreamConfig"]["StreamArn"]
        return arn_region(arn), arn
    if config.get("KinesisFirehoseConfig"):
        arn = config["KinesisFirehoseConfig"]["FirehoseArn"]
        return arn_region(arn), arn
    prefix = (config.get("KinesisVideoStreamConfig") or {}).get("Prefix", "")
    return region, f"kinesis video {prefix}".strip()
