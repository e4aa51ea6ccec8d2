"""ECR repositories and the registry's replication rules (``destinations[].region``)."""

from __future__ import annotations

from connectors.aws.context import AwsScan
from connectors.aws.services.inventory import list_assets

SERVICE = "ecr"


def repositories(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="describe_repositories",
        key="repositories",
        kind="ecr.repository",
        categories=["container_images"],
        page_size=1000,
        identify=lambda r: (r["repositoryArn"], r["repositoryName"]),
    )


def registry(scan: AwsScan, region: str) -> None:
    answer = scan.client(SERVICE, region).describe_registry()
    source = scan.arn(SERVICE, region, "registry")
    rules = (answer.get("replicationConfiguration") or {}).get("rules") or []
    for number, rule in enumerate(rules):
        for destination in rule.get("destinations") or []:
            target_region = destination.get("region")
            target_account = destination.get("registryId")
            if target_region == region and target_account in (None, scan.account_id):
                continue
            scan.flow(
                id=f"{source}/replication/{number}/{target_account}/{target_region}",
                kind="replication",
                source=source,
                region=target_region,
                destination_name=f"registry {target_account} ({target_region})",
                path="ecr_replication",
                destination_account=target_account,
                repository_filters=rule.get("repositoryFilters") or [],
            )


READERS = (repositories, registry)
