"""OpenSearch (and legacy Elasticsearch) domains: ListDomainNames returns both engine types."""

from __future__ import annotations

from connectors.aws.context import AwsScan

SERVICE = "opensearch"


def domains(scan: AwsScan, region: str) -> None:
    found = scan.client(SERVICE, region).list_domain_names().get("DomainNames") or []
    for domain in found:
        name = domain["DomainName"]
        scan.asset(
            id=scan.arn("es", region, f"domain/{name}"),
            kind="opensearch.domain",
            name=name,
            region=region,
            categories=["search_index"],
            engine=domain.get("EngineType"),
        )
    if found:
        scan.recorder.read(f"opensearch.domain ({scan.account_id}, {region}): {len(found)}")


READERS = (domains,)
