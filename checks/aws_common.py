"""Shared by the AWS Art. 32 checks: what a bucket is known to hold, in words."""

from __future__ import annotations

from checks.base import CheckContext
from core.models import Asset

S3_PREFIX = "s3://"


def bucket_holdings(ctx: CheckContext) -> dict[str, list[str]]:
    """Bucket name -> data categories known to land there: the bucket's own (``unclassified``
    until someone classifies it) plus what Amazon Connect writes into it and what S3 replication
    copies into it from another bucket (a copy holds what its source holds)."""
    holdings: dict[str, list[str]] = {}
    for asset in ctx.collection.assets:
        name = None
        if asset.kind == "s3.bucket":
            name = asset.name
        elif asset.kind == "connect.storage":
            destination = str(asset.attributes.get("destination") or "")
            if destination.startswith(S3_PREFIX):
                name = destination[len(S3_PREFIX) :].split("/", 1)[0]
        if name:
            known = holdings.setdefault(name, [])
            known.extend(c for c in asset.data_categories if c not in known)
    buckets = {a.id: a.name for a in ctx.collection.assets if a.kind == "s3.bucket"}
    for flow in ctx.collection.flows:
        if flow.kind == "replication" and flow.source in buckets and flow.destination_name:
            copied = holdings.get(buckets[flow.source], [])
            known = holdings.setdefault(flow.destination_name, [])
            known.extend(c for c in copied if c not in known)
    for known in holdings.values():
        if len(known) > 1 and "unclassified" in known:
            known.remove("unclassified")
    return holdings


def described(asset: Asset, holdings: dict[str, list[str]]) -> str:
    """``bucket kn-x (holds call_recordings, chat)`` or ``rds.instance crm``."""
    if asset.kind == "s3.bucket_security":
        held = [c for c in holdings.get(asset.name, []) if c != "unclassified"]
        if not held:
            return f"bucket {asset.name} (unclassified, so treated as holding personal data)"
        return f"bucket {asset.name} (holds {', '.join(held)})"
    return f"{asset.kind} {asset.name}"
