"""Who else can use what the account shares through AWS RAM: every resource of a resource share
reaches every principal of that share (accounts, the organisation or an OU, services).

A separate reader (``--services ram-access``). Calls per region: GetResourceShareAssociations
for principals and for resources (associated only), paginated; RAM answers for the shares the
account owns.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.grants import grant_flows
from core.aws_grants import Grant, recipient_of

SERVICE = "ram-access"
CLIENT = "ram"
ACTION = "ram:shared"


def resource_shares(scan: AwsScan, region: str) -> None:
    client = scan.client(CLIENT, region)
    principals = _by_share(client, "PRINCIPAL")
    for share, resources in _by_share(client, "RESOURCE").items():
        grants = [principal_grant(p, share) for p in principals.get(share, [])]
        for resource in resources:
            grant_flows(
                scan,
                source=resource,
                name=resource.split(":")[-1].rsplit("/", 1)[-1],
                region=region,
                resource_kind=f"ram.{resource.split(':')[2]}",
                grants=[g for g in grants if g.account != scan.account_id],
                resource_share=share,
            )


READERS = (resource_shares,)


def _by_share(client: Any, kind: str) -> dict[str, list[str]]:
    """Share ARN -> its associated principals or resources."""
    found: dict[str, list[str]] = {}
    for entry in paginate(
        client, "get_resource_share_associations", "resourceShareAssociations", 500,
        associationType=kind, associationStatus="ASSOCIATED",
    ):  # fmt: skip
        found.setdefault(entry["resourceShareArn"], []).append(entry["associatedEntity"])
    return found


def principal_grant(principal: str, share: str) -> Grant:
    """An account id, an organisation or OU ARN (the organisation is the recipient), an IAM
    principal's ARN or a service principal."""
    via = f"RAM share {share.rsplit('/', 1)[-1]}"
    if ":organizations:" in principal:
        org = next((p for p in principal.split("/") if p.startswith("o-")), principal)
        return Grant("organization", org, via, (ACTION,))
    kind = "Service" if principal.endswith(".amazonaws.com") else "AWS"
    return recipient_of(kind, principal, via, [ACTION])
