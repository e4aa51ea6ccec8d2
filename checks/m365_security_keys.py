"""Art. 32(1)(a): who holds the keys to the tenant's data at rest (Customer Key, DKE).

Graph shows only the licences; whether a data-encryption policy is assigned is an Exchange
Online PowerShell read, so the verdict is always ``manual`` with the licence as the lead.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for asset in ctx.collection.assets:
        if asset.provider != "m365" or asset.kind != "encryption_keys":
            continue
        attrs = asset.attributes
        customer_key, dke = attrs.get("customer_key_licensed"), attrs.get("double_key_licensed")
        if customer_key is None and dke is None:
            message = (
                "the licences could not be read, so Customer Key and Double Key Encryption are "
                "unknown; check Purview > Customer Key and the sensitivity labels by hand"
            )
        elif customer_key or dke:
            names = [n for n, on in (("Customer Key", customer_key), ("DKE", dke)) if on]
            message = (
                f"licensed for {' and '.join(names)}: confirm a data-encryption policy is "
                "assigned (Get-M365DataAtRestEncryptionPolicy, Get-DataEncryptionPolicy) or DKE "
                "labels are published, and that the Azure Key Vault / DKE key service is in the EU"
            )
        else:
            message = (
                "no Customer Key or Double Key Encryption licence: data at rest is protected by "
                "Microsoft-managed service encryption only; record in the TIA whether that "
                "suffices for the data in this tenant"
            )
        yield Verdict(
            asset.id, asset.name, "manual", f"{asset.name}: {message}", evidence=dict(attrs)
        )
