"""S3 Art. 32 measures per bucket: default encryption (and its KMS key) and TLS-only access.

A separate reader (``--services s3-security``) so that ``--services s3`` keeps its budget of
3 + 2 x buckets calls. Calls: the bucket list and regions shared with the ``s3`` reader (asked
once per scan), then per bucket one GetBucketEncryption and one GetBucketPolicy, sent to the
bucket's region.

Each bucket gets an ``s3.bucket_security`` asset (no data categories: the ``s3.bucket`` asset
is the one judged for location) with ``encrypted``, ``encryption``, ``kms_key_id`` and
``tls_enforced`` (True, False, or None when the policy could not be read).
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan
from connectors.aws.services.encryption import at_rest
from connectors.aws.services.grants import parse_policy
from connectors.aws.services.s3 import bucket_asset_id, located_buckets

SERVICE = "s3-security"
CLIENT = "s3"
SCOPE = "account"
NO_ENCRYPTION = {"ServerSideEncryptionConfigurationNotFoundError"}
NO_POLICY = {"NoSuchBucketPolicy"}
SCHEMES = {"AES256": "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}


def bucket_security(scan: AwsScan, _region: str) -> None:
    scan.map(lambda item: _bucket(scan, item[0]["Name"], item[1]), located_buckets(scan))


READERS = (bucket_security,)


def _bucket(scan: AwsScan, name: str, region: str | None) -> None:
    encryption = _default_encryption(scan, name, region)
    policy = bucket_policy(scan, name, region)
    enforced, detail = (None, "the bucket policy could not be read")
    if policy is not False:
        enforced, detail = tls_enforced(policy, name)
    scan.asset(
        id=f"{bucket_asset_id(name)}/security",
        kind="s3.bucket_security",
        name=name,
        region=region,
        categories=[],
        bucket=bucket_asset_id(name),
        tls_enforced=enforced,
        tls_detail=detail,
        **encryption,
    )


def _default_encryption(scan: AwsScan, name: str, region: str | None) -> dict[str, Any]:
    """The bucket's default encryption; no configuration at all means objects may be stored
    unencrypted (buckets made before January 2023, or an emulator)."""
    config, absent = scan.call_optional(
        CLIENT, region, "get_bucket_encryption", NO_ENCRYPTION, name, Bucket=name
    )
    if absent:
        return at_rest(False, None, "none")
    if config is None:
        return at_rest(None, None, None)
    rules = (config.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    defaults = [r.get("ApplyServerSideEncryptionByDefault") for r in rules]
    default = next((d for d in defaults if d), None)
    if not default:
        return at_rest(False, None, "none")
    algorithm = default.get("SSEAlgorithm")
    key = default.get("KMSMasterKeyID")
    scheme = SCHEMES.get(algorithm, algorithm)
    if algorithm in ("aws:kms", "aws:kms:dsse") and not key:
        key = "alias/aws/s3"  # no key named: S3's AWS managed key in the bucket's region
    attributes = at_rest(True, key, scheme)
    attributes["bucket_key_enabled"] = any(r.get("BucketKeyEnabled") for r in rules)
    return attributes


def bucket_policy(scan: AwsScan, name: str, region: str | None) -> dict[str, Any] | bool | None:
    """The parsed bucket policy, None when there is none, False when it could not be read.
    Asked once per scan (the access reader needs it too)."""
    key = ("s3.bucket_policy", scan.account_id, name)
    return scan.shared.listings.get(key, lambda: _policy(scan, name, region))


def _policy(scan: AwsScan, name: str, region: str | None) -> dict[str, Any] | bool | None:
    answer, absent = scan.call_optional(
        CLIENT, region, "get_bucket_policy", NO_POLICY, name, Bucket=name
    )
    if absent:
        return None
    if answer is None:
        return False
    document = parse_policy(scan, answer.get("Policy"), CLIENT, "GetBucketPolicy", name, region)
    return False if document is None else document


def tls_enforced(policy: dict[str, Any] | None, bucket: str) -> tuple[bool | None, str]:
    """Whether the policy denies every principal every S3 action on the bucket's objects when
    the request is not sent over TLS (``aws:SecureTransport`` false). An Allow conditioned on
    TLS does not count: another grant (an IAM policy) still allows plain HTTP. None: such a
    Deny exists but further conditions narrow it to some requests we cannot judge."""
    if policy is None:
        return False, "the bucket has no bucket policy"
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    narrowed = []
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        sid = statement.get("Sid") or "(no Sid)"
        denies = _denies_plain_http(statement, bucket)
        if denies:
            return True, f"statement {sid} denies non-TLS requests"
        if denies is None:
            narrowed.append(sid)
    if narrowed:
        return None, (
            f"statement(s) {', '.join(narrowed)} deny non-TLS requests only under further "
            "conditions besides aws:SecureTransport"
        )
    return False, "no Deny on aws:SecureTransport = false covers every principal and object"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _denies_plain_http(statement: dict[str, Any], bucket: str) -> bool | None:
    """True for the standard TLS-only Deny; None when it also carries other conditions."""
    if statement.get("Effect") != "Deny" or "NotPrincipal" in statement:
        return False
    principal = statement.get("Principal")
    everyone = principal == "*" or (
        isinstance(principal, dict) and "*" in _listed(principal.get("AWS"))
    )
    actions = {str(a).lower() for a in _listed(statement.get("Action") or [])}
    resources = {str(r) for r in _listed(statement.get("Resource") or [])}
    objects = {"*", f"arn:aws:s3:::{bucket}/*"} | {
        r for r in resources if r.startswith("arn:") and r.endswith(f":::{bucket}/*")
    }
    condition = statement.get("Condition") or {}
    if not (
        everyone
        and bool(actions & {"*", "s3:*"})
        and bool(resources & objects)
        and _secure_transport_false(condition)
    ):
        return False
    clauses = [key for block in condition.values() if isinstance(block, dict) for key in block]
    return True if len(clauses) == 1 and len(condition) == 1 else None


def _secure_transport_false(condition: dict[str, Any]) -> bool:
    for operator, clauses in condition.items():
        if str(operator).lower() not in ("bool", "boolifexists") or not isinstance(clauses, dict):
            continue
        for key, value in clauses.items():
            if str(key).lower() == "aws:securetransport" and any(
                str(v).lower() == "false" for v in _listed(value)
            ):
                return True
    return False
