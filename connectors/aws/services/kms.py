"""KMS keys and multi-Region key replicas (``MultiRegionConfiguration.ReplicaKeys[].Region``).

ListKeys gives ids only, so each key costs one DescribeKey (the API forces it). One ListAliases
per region records each key's aliases, so data encrypted under ``alias/name`` joins its key.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, arn_region, paginate

SERVICE = "kms"


def keys(scan: AwsScan, region: str) -> None:
    client = scan.client(SERVICE, region)
    found = paginate(client, "list_keys", "Keys", 1000)
    aliases: dict[str, list[str]] = {}
    if found:
        for alias in paginate(client, "list_aliases", "Aliases", 100):
            # aliases are regional; moto also lists other regions' aliases here
            if alias.get("TargetKeyId") and arn_region(alias.get("AliasArn")) == region:
                aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasArn"])
    scan.map(lambda key: _key(scan, region, key, aliases.get(key["KeyId"], [])), found)
    if found:
        scan.recorder.read(f"kms.key ({scan.account_id}, {region}): {len(found)}")


READERS = (keys,)


def _key(scan: AwsScan, region: str, key: dict[str, Any], aliases: list[str]) -> None:
    arn = key.get("KeyArn") or scan.arn(SERVICE, region, f"key/{key['KeyId']}")
    answer = scan.call(SERVICE, region, "describe_key", resource=arn, KeyId=key["KeyId"])
    meta: dict[str, Any] = (answer or {}).get("KeyMetadata", {})
    multi = meta.get("MultiRegionConfiguration") or {}
    scan.asset(
        id=arn,
        kind="kms.key",
        name=meta.get("Description") or key["KeyId"],
        region=region,
        categories=["encryption_keys"],
        manager=meta.get("KeyManager"),
        multi_region=meta.get("MultiRegion"),
        primary_key=(multi.get("PrimaryKey") or {}).get("Arn"),
        aliases=sorted(aliases),
    )
    primary = (multi.get("PrimaryKey") or {}).get("Arn")
    if primary not in (arn, meta.get("Arn")):
        return  # a replica: its primary's region reports the copy
    scan.replica_flows(
        source=arn,
        home=region,
        path="kms_multi_region_replica",
        replicas=multi.get("ReplicaKeys") or [],
        region_key="Region",
        label="replica key",
        name_key="Arn",
    )
