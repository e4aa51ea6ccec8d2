"""Art. 32(1)(a) and 5(1)(f): buckets refuse requests that are not sent over TLS.

S3 still answers plain HTTP unless the bucket policy denies it; the standard control is a Deny
for every principal and action when ``aws:SecureTransport`` is false. The connector records the
outcome on each ``s3.bucket_security`` asset (``tls_enforced``, ``tls_detail``).
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.aws_common import bucket_holdings, described
from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    holdings = bucket_holdings(ctx)
    for asset in ctx.collection.assets:
        if asset.provider != "aws" or asset.kind != "s3.bucket_security":
            continue
        enforced = asset.attributes.get("tls_enforced")
        detail = asset.attributes.get("tls_detail") or ""
        what = described(asset, holdings)
        if enforced is True:
            status, message = "pass", f"{what} refuses non-TLS requests: {detail}"
        elif enforced is False:
            status, message = "fail", f"{what} accepts requests without TLS: {detail}"
        else:
            status, message = "manual", f"{what}: {detail}; check its policy by hand"
        yield Verdict(
            asset.id,
            asset.name,
            status,
            message,
            location=asset.location,
            evidence={"tls_enforced": enforced, "detail": detail},
        )
