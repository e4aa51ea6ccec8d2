"""Benchmark: scan a simulated Microsoft 365 tenant through the local Graph server.

Prints API calls (against the field guide's minimum), wall time and peak memory. Defaults are
the issue's tenant (50,000 users, 5,000 groups, 2,000 sites, 300 apps, 50 ms per call); pass
smaller sizes to run it quickly, e.g. ``python bench/m365_scan.py --users 2000 --latency 0.01``.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.base import Target
from connectors.m365.connector import M365Connector
from connectors.m365.settings import MICROSOFT_TENANTS as MICROSOFT
from sandbox.graph import GraphServer, load_dataset, service_for

PAGE = 999
GEOS = ("EUR", "EUR", "EUR", "NAM", None)


def tenant(
    users: int, groups: int, sites: int, apps: int, publishers: int, guest_domains: int
) -> dict[str, Any]:
    """The demo tenant's shape (resource apps, discovery docs) scaled up to the given sizes."""
    data = load_dataset()
    tid = data["tenant_id"]
    data.update(max_page_size=PAGE, empty_page_routes=[], denied=[], malformed=[])
    domains = [f"guest{i}.example" for i in range(guest_domains)]
    owners = [f"00000000-0000-4000-8000-{i:012d}" for i in range(publishers)]
    data["tenants"] += [
        {
            "id": f"10000000-0000-4000-8000-{i:012d}",
            "domains": [d],
            "region_scope": "NA" if i % 2 else "EU",
        }
        for i, d in enumerate(domains)
    ]
    data["tenants"] += [{"id": o, "domains": [], "region_scope": "EU"} for o in owners]
    data["users"] = [
        {
            "id": f"u-{i}",
            "displayName": f"User {i}",
            "userPrincipalName": f"user{i}@contoso.nl",
            "mail": f"user{i}@contoso.nl",
            "userType": "Member",
            "preferredDataLocation": GEOS[i % len(GEOS)],
            "externalUserState": None,
        }
        for i in range(users)
    ]
    for i in range(0, users, 100):  # 1% guests
        user = data["users"][i]
        user.update(userType="Guest", mail=f"guest{i}@{domains[i % len(domains)]}")
    data["groups"] = [
        {
            "id": f"g-{i}",
            "displayName": f"Group {i}",
            "groupTypes": ["Unified"],
            "preferredDataLocation": GEOS[i % len(GEOS)],
        }
        for i in range(groups)
    ]
    roots = [s for s in data["sites"] if "root" in s["siteCollection"]]
    data["sites"] = roots + [
        {
            "id": f"site-{i}",
            "webUrl": f"https://helpdesknoord.sharepoint.com/sites/s{i}",
            "isPersonalSite": False,
            "siteCollection": {"dataLocationCode": GEOS[i % 4]},
        }
        for i in range(sites - len(roots))
    ]
    resources = [s for s in data["servicePrincipals"] if s["appRoles"]]
    graph_sp = resources[0]
    data["servicePrincipals"] = resources + [
        {
            "id": f"sp-{i}",
            "appId": f"app-{i}",
            "displayName": f"App {i}",
            "appOwnerOrganizationId": owners[i % len(owners)] if i % 3 else tid,
            "servicePrincipalType": "Application",
            "verifiedPublisher": {},
        }
        for i in range(apps)
    ]
    data["appRoleAssignedTo"] = {
        graph_sp["id"]: [
            {
                "id": f"a-{i}",
                "appRoleId": graph_sp["appRoles"][i % 5]["id"],
                "principalId": f"sp-{i}",
                "principalType": "ServicePrincipal",
                "resourceId": graph_sp["id"],
            }
            for i in range(apps)
        ]
    }
    data["oauth2PermissionGrants"] = [
        {
            "id": f"gr-{i}",
            "clientId": f"sp-{i}",
            "consentType": "AllPrincipals",
            "resourceId": graph_sp["id"],
            "scope": "User.Read Mail.Read",
        }
        for i in range(0, apps, 2)
    ]
    return data


def minimum_calls(data: dict[str, Any]) -> int:
    """Field guide 6.2 for a Multi-Geo tenant (no token call: a pre-obtained token is used);
    P + D are the distinct third-party publishers and guest domains actually present."""
    pages = lambda n: max(1, math.ceil(n / PAGE))  # noqa: E731
    assigned = data["appRoleAssignedTo"]
    publishers = len(
        {
            s["appOwnerOrganizationId"]
            for s in data["servicePrincipals"]
            if s["appOwnerOrganizationId"] not in (data["tenant_id"], *MICROSOFT)
        }
    )
    guest_domains = len(
        {u["mail"].split("@")[1] for u in data["users"] if u["userType"] == "Guest"}
    )
    return (
        1
        + 1
        + pages(len(data["users"]))
        + 1
        + pages(len(data["groups"]))
        + pages(len(data["sites"]))
        + pages(len(data["servicePrincipals"]))
        + 3
        + sum(pages(len(v)) for v in assigned.values())
        + (3 - len(assigned))
        + pages(len(data["oauth2PermissionGrants"]))
        + 1
        + len(data["partners"])
        + publishers
        + guest_domains
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--groups", type=int, default=5_000)
    parser.add_argument("--sites", type=int, default=2_000)
    parser.add_argument("--apps", type=int, default=300)
    parser.add_argument("--publishers", type=int, default=40)
    parser.add_argument("--guest-domains", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per call")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    data = tenant(
        args.users, args.groups, args.sites, args.apps, args.publishers, args.guest_domains
    )
    server = GraphServer(data).start()
    server.faults.latency_s = args.latency
    service = service_for(server)
    os.environ.update(service.env)
    settings = {**service.settings, "max_concurrency": args.concurrency}
    try:
        tracemalloc.start()
        started = time.perf_counter()
        collection = M365Connector(Target("bench", "m365", settings)).collect()
        wall = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        server.stop()

    calls = sum(collection.calls.values())
    minimum = minimum_calls(data)
    chain = 2 + math.ceil(args.users / PAGE) + 1  # discovery, org, users pages, guest lookups
    budget = 3 * chain * args.latency
    print(
        f"tenant: {args.users} users, {args.groups} groups, {args.sites} sites, "
        f"{args.apps} apps; latency {args.latency * 1000:.0f} ms; concurrency {args.concurrency}"
    )
    print(f"calls: {calls} (field-guide minimum {minimum}, +{100 * (calls / minimum - 1):.1f}%)")
    for operation, count in collection.calls.items():
        print(f"  {operation}: {count}")
    print(f"wall time: {wall:.2f} s (target < 3 x {chain} serial calls x latency = {budget:.2f} s)")
    print(
        f"peak memory: {peak / 2**20:.1f} MiB traced (scanner and in-process server), "
        f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    print(
        f"assets: {len(collection.assets)}, flows: {len(collection.flows)}, "
        f"gaps: {len(collection.gaps)}"
    )


if __name__ == "__main__":
    main()
