"""The encryption-at-rest attributes every data asset carries, in one shape for the checks.

- ``encrypted``: True, False, or None when the scan could not tell;
- ``encryption``: the scheme as the service names it (``SSE-S3``, ``SSE-KMS``, ``KMS``,
  ``AWS owned key``, ``service managed``, ``none``), or None;
- ``kms_key_id``: the KMS key as the API gave it (an ARN, a key id or an alias), or None.
  The KMS location check joins it with the KMS reader's keys.
"""

from __future__ import annotations

from typing import Any


def at_rest(encrypted: bool | None, key: str | None, scheme: str | None) -> dict[str, Any]:
    return {"encrypted": encrypted, "encryption": scheme, "kms_key_id": key or None}


def flagged(item: dict[str, Any], flag: str, key: str = "KmsKeyId") -> dict[str, Any]:
    """Services that answer with a boolean (``StorageEncrypted``, ``Encrypted``) and a key id."""
    value = item.get(flag)
    encrypted = value if isinstance(value, bool) else None
    scheme = ("KMS" if encrypted else "none") if encrypted is not None else None
    return at_rest(encrypted, item.get(key) if encrypted else None, scheme)
