"""The read-only allow-list of AWS operations and the IAM policy derived from it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from core.yamlfile import load_yaml, plain, validate

HERE = Path(__file__).parent


@cache
def operations() -> dict[str, str | None]:
    """``{"s3.ListBuckets": "s3:ListAllMyBuckets", ...}`` keyed by botocore service.Operation."""
    document = load_yaml(HERE / "allowlist.yaml")
    validate(document, json.loads((HERE / "allowlist.schema.json").read_text()), "allowlist.yaml")
    return dict(plain(document)["operations"])


def iam_policy() -> dict[str, Any]:
    actions = sorted({a for a in operations().values() if a})
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EuResidencyScannerReadOnly",
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            }
        ],
    }
