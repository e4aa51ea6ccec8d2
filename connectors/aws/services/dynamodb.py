"""DynamoDB tables and their global-table replicas: version 2019.11.21 in
``Table.Replicas[].RegionName``, legacy version 2017.11.29 in ``ReplicationGroup[].RegionName``
of ListGlobalTables / DescribeGlobalTable (DescribeTable does not show those).

ListTables gives names only, so each table costs one DescribeTable (the API forces it). Each
region also costs one ListGlobalTables (filtered to that region) and one DescribeGlobalTable per
legacy global table with a replica there (its replicas' status).
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


def legacy_global_tables(scan: AwsScan, region: str) -> None:
    client = scan.client(SERVICE, region)
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"RegionName": region, "Limit": 100}
    while True:  # no paginator in botocore for ListGlobalTables
        page = client.list_global_tables(**kwargs)
        found.extend(page.get("GlobalTables") or [])
        if not page.get("LastEvaluatedGlobalTableName"):
            break
        kwargs["ExclusiveStartGlobalTableName"] = page["LastEvaluatedGlobalTableName"]
    scan.map(lambda table: _legacy_global_table(scan, region, table), found)
    if found:
        scan.recorder.read(
            f"dynamodb.global_table_2017 ({scan.account_id}, {region}): {len(found)}"
        )


READERS = (tables, legacy_global_tables)


def _legacy_global_table(scan: AwsScan, region: str, listed: dict[str, Any]) -> None:
    """Every replica of a legacy global table takes writes and copies them to all the others,
    so this region's table flows to each other replica region."""
    name = listed["GlobalTableName"]
    arn = scan.arn(SERVICE, region, f"table/{name}")
    answer = scan.call(SERVICE, region, "describe_global_table", resource=arn, GlobalTableName=name)
    described = (answer or {}).get("GlobalTableDescription") or {}
    group = described.get("ReplicationGroup") or listed.get("ReplicationGroup") or []
    scan.replica_flows(
        source=arn,
        home=region,
        path="dynamodb_legacy_global_table",
        replicas=group,
        region_key="RegionName",
        label=name,
        fields={"replica_status": "ReplicaStatus"},
        global_table_version="2017.11.29",
        global_table_status=described.get("GlobalTableStatus"),
    )


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
    scan.replica_flows(
        source=arn,
        home=region,
        path="dynamodb_global_table",
        replicas=replicas,
        region_key="RegionName",
        label=name,
        fields={"replica_status": "ReplicaStatus"},
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
