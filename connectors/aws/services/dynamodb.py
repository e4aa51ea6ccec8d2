"""DynamoDB tables and their global-table replicas (``Table.Replicas[].RegionName``).

ListTables gives names only, so each table costs one DescribeTable (the API forces it).
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.encryption import at_rest

SERVICE = "dynamodb"


def tables(scan: AwsScan, region: str) -> None:
    names = paginate(scan.client(SERVICE, region), "list_tables", "TableNames", 100)
    scan.map(lambda name: _table(scan, region, name), names)
    if names:
        scan.recorder.read(f"dynamodb.table ({scan.account_id}, {region}): {len(names)}")


READERS = (tables,)


def _table(scan: AwsScan, region: str, name: str) -> None:
    arn = scan.arn(SERVICE, region, f"table/{name}")
    answer = scan.call(SERVICE, region, "describe_table", resource=arn, TableName=name)
    table: dict[str, Any] = (answer or {}).get("Table", {})
    arn = table.get("TableArn", arn)
    replicas = [r for r in table.get("Replicas") or [] if r.get("RegionName") != region]
    scan.asset(
        id=arn,
        kind="dynamodb.table",
        name=name,
        region=region,
        categories=["unclassified"],
        global_table_version=table.get("GlobalTableVersion"),
        replicas=[r.get("RegionName") for r in replicas],
        **_encryption(table),
    )
    for replica in replicas:
        scan.flow(
            id=f"{arn}/replica/{replica['RegionName']}",
            kind="replication",
            source=arn,
            region=replica["RegionName"],
            destination_name=f"{name} ({replica['RegionName']})",
            path="dynamodb_global_table",
            replica_status=replica.get("ReplicaStatus"),
            global_table_version=table.get("GlobalTableVersion"),
        )


def _encryption(table: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB encrypts every table; ``SSEDescription`` appears only for a KMS key (AWS managed
    or customer managed). An unanswered DescribeTable (a gap) tells nothing."""
    if not table:
        return at_rest(None, None, None)
    sse = table.get("SSEDescription") or {}
    if sse.get("Status") in ("ENABLED", "UPDATING") and sse.get("SSEType") == "KMS":
        return at_rest(True, sse.get("KMSMasterKeyArn"), "KMS")
    if sse.get("Status") == "DISABLED" or not sse:
        return at_rest(True, None, "AWS owned key")
    # ENABLING/DISABLING/INACCESSIBLE_ENCRYPTION_CREDENTIALS: still encrypted, key in flux
    return {**at_rest(True, sse.get("KMSMasterKeyArn"), "KMS"), "sse_status": sse.get("Status")}
