"""The read-only allow-list of AWS operations and the IAM policies derived from it."""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

from core.yamlfile import load_yaml, plain, validate

HERE = Path(__file__).parent
ASSUME_ROLE = "sts:AssumeRole"


_LOADING = threading.Lock()


def _document() -> dict[str, Any]:
    """Read once per process, even when a run's first targets all ask at the same moment."""
    with _LOADING:
        return _load()


@cache
def _load() -> dict[str, Any]:
    document = load_yaml(HERE / "allowlist.yaml")
    validate(document, json.loads((HERE / "allowlist.schema.json").read_text()), "allowlist.yaml")
    return dict(plain(document))


def operations() -> dict[str, str | None]:
    """``{"s3.ListBuckets": "s3:ListAllMyBuckets", ...}`` keyed by botocore service.Operation."""
    return dict(_document()["operations"])


def member_role() -> str:
    """The role ``--org`` assumes in each member account unless ``--role-name`` names another."""
    return str(_document()["member_role"])


def credential_sources() -> dict[str, Any]:
    """Per credential source: the calls the SDK itself sends and what must be in place."""
    return dict(_document()["credential_sources"])


def read_policy() -> dict[str, Any]:
    """Every read action the scanner sends; what each scanned account's identity carries."""
    actions = sorted({a for a in operations().values() if a and a != ASSUME_ROLE})
    return _policy({"Sid": "EuResidencyScannerReadOnly", "Effect": "Allow", "Action": actions,
                    "Resource": "*"})  # fmt: skip


def iam_policy() -> dict[str, Any]:
    """The deploying identity's policy: the reads, and ``--org``'s AssumeRole into the member
    role only (name the role of ``--role-name`` there instead when you use one)."""
    assume = {
        "Sid": "EuResidencyScannerMemberRole",
        "Effect": "Allow",
        "Action": [ASSUME_ROLE],
        "Resource": f"arn:aws:iam::*:role/{member_role()}",
    }
    return _policy(*read_policy()["Statement"], assume)


def member_role_trust() -> dict[str, Any]:
    """The trust policy of the member role: the management account's scanner identity only."""
    principal = "arn:aws:iam::MANAGEMENT_ACCOUNT_ID:role/SCANNER_ROLE_OR_USER"
    return {
        "role_name": member_role(),
        "trust_policy": _policy({"Effect": "Allow", "Principal": {"AWS": principal},
                                 "Action": ASSUME_ROLE,
                                 "Condition": {"StringEquals": {"sts:ExternalId": "EXTERNAL_ID"}}}),
        "permissions_policy": read_policy(),
        "note": "replace the placeholders; drop the ExternalId condition without --external-id",
    }  # fmt: skip


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}
