"""Art. 32(1)(a): data at rest is encrypted (S3 default encryption, RDS, DynamoDB, EBS, EFS,
CloudWatch Logs, and their snapshots and backups).

Reads the attributes the AWS readers record on every data asset (``encrypted``, ``encryption``,
``kms_key_id``; see ``connectors/aws/services/encryption.py``). S3 buckets are judged through
their ``s3.bucket_security`` asset. Unencrypted fails; "could not tell" is manual.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.aws_common import bucket_holdings, described
from checks.base import CheckContext, Verdict
from core.models import Asset


def _in_scope(asset: Asset) -> bool:
    if asset.provider != "aws" or "encrypted" not in asset.attributes:
        return False
    return bool(asset.data_categories) or asset.kind == "s3.bucket_security"


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    holdings = bucket_holdings(ctx)
    for asset in filter(_in_scope, ctx.collection.assets):
        attrs = asset.attributes
        what = described(asset, holdings)
        evidence = {k: attrs.get(k) for k in ("encrypted", "encryption", "kms_key_id")}
        evidence["kind"] = asset.kind
        if attrs["encrypted"] is True:
            key = f" with KMS key {attrs['kms_key_id']}" if attrs.get("kms_key_id") else ""
            scheme = attrs.get("encryption") or "encryption"
            status, message = "pass", f"{what} is encrypted at rest ({scheme}{key})"
        elif attrs["encrypted"] is False:
            status = "fail"
            message = (
                f"{what} has no default encryption: new objects can be stored unencrypted"
                if asset.kind == "s3.bucket_security"
                else f"{what} is not encrypted at rest"
            )
        else:
            status = "manual"
            message = f"{what}: the scan could not read its encryption (see the scan gaps)"
        yield Verdict(
            asset.id, asset.name, status, message, location=asset.location, evidence=evidence
        )
