"""Who else can decrypt with the account's KMS keys: each key's policy and its grants.

A separate reader (``--services kms-access``). Calls per region: one ListKeys, then per key one
GetKeyPolicy and one ListGrants. A key another account may decrypt with hands that account
whatever the key protects.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.grants import grant_flows, parse_policy
from core.aws_grants import Grant, kms_grant, policy_grants

SERVICE = "kms-access"
CLIENT = "kms"
DECRYPTS = ("kms:Decrypt", "kms:ReEncryptFrom", "kms:CreateGrant")


def key_access(scan: AwsScan, region: str) -> None:
    found = paginate(scan.client(CLIENT, region), "list_keys", "Keys", 1000)
    scan.map(lambda key: _key(scan, region, key), found)


READERS = (key_access,)


def _key(scan: AwsScan, region: str, key: dict[str, Any]) -> None:
    arn = key.get("KeyArn") or scan.arn("kms", region, f"key/{key['KeyId']}")
    grants: list[Grant] = []
    answer = scan.call(CLIENT, region, "get_key_policy", arn, KeyId=key["KeyId"],
                       PolicyName="default")  # fmt: skip
    if answer is not None:
        document = parse_policy(scan, answer.get("Policy"), CLIENT, "GetKeyPolicy", arn, region)
        grants += policy_grants(document, DECRYPTS, scan.account_id)
    listed = scan.call(CLIENT, region, "list_grants", arn, KeyId=key["KeyId"])
    for entry in (listed or {}).get("Grants", []):
        grant = kms_grant(entry, DECRYPTS, scan.account_id)
        if grant is not None:
            grants.append(grant)
    grant_flows(
        scan, source=arn, name=key["KeyId"], region=region, resource_kind="kms.key", grants=grants
    )
