"""Art. 32, 44: the KMS keys that protect EU data have their key material only in allowed places.

A key protects data by being usable where it lives: a key in a third-country region, or a
multi-Region key with a replica there, lets the data be decrypted under another jurisdiction.
Joins the ``kms_key_id`` recorded on data assets (ARN, key id or alias) with the KMS reader's
``kms.key`` assets and their ``kms_multi_region_replica`` flows. One verdict per key that
protects data stored in an allowed place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from checks.base import CheckContext, Verdict
from core.models import Asset, Collection

REPLICA_PATH = "kms_multi_region_replica"


@dataclass
class Key:
    """One key as referenced by data assets, and what the KMS reader knows about it."""

    arn: str
    region: str
    multi_region: bool  # is, or may be (an unread mrk- key or a customer alias)
    users: list[Asset] = field(default_factory=list)


def _parse(reference: str, asset: Asset) -> tuple[str, str]:
    """(canonical reference, region): an ARN names its region; an id or alias is resolved in
    the asset's own region and account (AWS services only use keys from their own region)."""
    parts = reference.split(":")
    if reference.startswith("arn:") and len(parts) >= 6:
        return reference, parts[3]
    region = str(asset.attributes.get("region") or (asset.location or "").split(":", 1)[-1])
    account = asset.attributes.get("account")
    partition = asset.id.split(":")[1] if asset.id.startswith("arn:") else "aws"
    resource = reference if reference.startswith("alias/") else f"key/{reference}"
    return f"arn:{partition}:kms:{region}:{account}:{resource}", region


def _kms_index(collection: Collection) -> tuple[dict[str, Asset], dict[str, set[str]]]:
    """Keys by ARN and by each alias ARN; replica regions by the primary key's ARN."""
    keys: dict[str, Asset] = {}
    for asset in collection.assets:
        if asset.kind == "kms.key" and asset.provider == "aws":
            keys[asset.id] = asset
            keys.update((alias, asset) for alias in asset.attributes.get("aliases") or [])
    replicas: dict[str, set[str]] = {}
    for flow in collection.flows:
        if flow.attributes.get("path") == REPLICA_PATH and flow.destination:
            replicas.setdefault(flow.source, set()).add(flow.destination.split(":", 1)[-1])
    return keys, replicas


def _places(key: Key, keys: dict[str, Asset], replicas: dict[str, set[str]]) -> set[str]:
    """Every region holding this key's material: its own, its primary's, every replica's."""
    regions = {key.region}
    known = keys.get(key.arn)
    primary = str((known.attributes.get("primary_key") if known else None) or key.arn)
    regions |= {str(known.location).split(":", 1)[-1]} if known and known.location else set()
    primary_parts = primary.split(":")
    if len(primary_parts) >= 6:
        regions.add(primary_parts[3])
    own = known.id if known else key.arn
    return regions | replicas.get(primary, set()) | replicas.get(own, set())


def _allowed(ctx: CheckContext, region: str) -> bool:
    return ctx.policy.judge(ctx.kb.resolve(f"aws:{region}")).allowed


def _used_keys(ctx: CheckContext, keys: dict[str, Asset]) -> dict[str, Key]:
    """Keys protecting data in allowed places, by canonical key ARN (aliases resolved)."""
    used: dict[str, Key] = {}
    for asset in ctx.collection.assets:
        reference = asset.attributes.get("kms_key_id")
        if asset.provider != "aws" or asset.kind == "kms.key" or not reference:
            continue
        if not asset.location or not ctx.policy.judge(ctx.kb.resolve(asset.location)).allowed:
            continue  # data already outside the allowed places fails the storage check
        arn, region = _parse(str(reference), asset)
        arn = keys[arn].id if arn in keys else arn
        resource = arn.split(":", 5)[-1]
        unresolved = resource.startswith("key/mrk-") or (
            resource.startswith("alias/") and not resource.startswith("alias/aws/")
        )  # may be a multi-Region key; AWS managed keys (alias/aws/...) never are
        key = used.setdefault(arn, Key(arn, region, unresolved))
        key.users.append(asset)
    return used


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    keys, replicas = _kms_index(ctx.collection)
    for key in _used_keys(ctx, keys).values():
        known = keys.get(key.arn)
        # None: the KMS reader listed the key but DescribeKey failed, so replicas are unknown
        multi: bool | None = known.attributes.get("multi_region") if known else key.multi_region
        places = _places(key, keys, replicas)
        outside = sorted(r for r in places if not _allowed(ctx, r))
        users = sorted({a.name for a in key.users})
        protects = f"protects {len(users)} resource(s) with EU data: {', '.join(users[:5])}"
        if len(users) > 5:
            protects += ", ..."
        name = (known.name if known else None) or key.arn.rsplit(":", 1)[-1]
        evidence = {
            "key": key.arn,
            "key_region": key.region,
            "multi_region": multi,
            "key_regions": sorted(places),
            "protects": [a.id for a in key.users],
            "read_by_kms_reader": known is not None,
        }
        if outside:
            kind = "a multi-Region key with key material" if multi else "a key"
            status = "fail"
            message = f"KMS key {name} {protects}; it is {kind} in {', '.join(outside)}"
            location = f"aws:{outside[0]}"
        elif multi is None:
            status = "manual"
            message = (
                f"KMS key {name} {protects}; it could not be described (DescribeKey failed), "
                f"so whether it has replicas outside the allowed places is unknown"
            )
            location = f"aws:{key.region}"
        elif multi and known is None:
            status = "manual"
            kind = "a multi-Region key" if "key/mrk-" in key.arn else "referenced by an alias"
            message = (
                f"KMS key {name} {protects}; it is {kind} and the key and its replicas were "
                f"not read (scan the kms service in every region)"
            )
            location = f"aws:{key.region}"
        else:
            status = "pass"
            where = ", ".join(sorted(places))
            message = f"KMS key {name} {protects}; its key material is only in {where}"
            location = f"aws:{key.region}"
        yield Verdict(key.arn, name, status, message, location=location, evidence=evidence)
