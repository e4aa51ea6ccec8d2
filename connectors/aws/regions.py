"""Which regions can hold this account's data: Account Management's list, else EC2's.

A DISABLED opt-in region holds no resources; ENABLING and DISABLING ones may. A region code
newer than the pinned botocore is kept: the knowledge base reports it as unknown, never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from botocore.loaders import create_loader

from connectors.aws.context import AWS_ERRORS, AwsScan, paginate
from core.models import GapReason

SCANNED_STATUSES = ["ENABLED_BY_DEFAULT", "ENABLED", "ENABLING", "DISABLING"]
OPT_IN_STATUSES = frozenset(SCANNED_STATUSES[1:])  # regions that can be disabled mid-scan


@cache
def partition_region_pattern(partition: str) -> re.Pattern[str] | None:
    """The partition's ``regionRegex`` from botocore's bundled partitions.json."""
    for entry in create_loader().load_data("partitions")["partitions"]:
        if entry["id"] == partition:
            return re.compile(entry["regionRegex"])
    return None


def discover(scan: AwsScan, requested: Sequence[str]) -> list[str]:
    """``--regions`` when given; else account.ListRegions; else ec2.DescribeRegions; else home."""
    if requested:
        scan.recorder.read(f"regions ({scan.account_id}): {len(requested)} requested")
        return list(dict.fromkeys(requested))
    try:
        listed = paginate(
            scan.client("account"),
            "list_regions",
            "Regions",
            page_size=50,
            RegionOptStatusContains=SCANNED_STATUSES,
        )
        regions = [r["RegionName"] for r in listed if r.get("RegionOptStatus") in SCANNED_STATUSES]
        scan.opt_in_regions = {
            r["RegionName"] for r in listed if r.get("RegionOptStatus") in OPT_IN_STATUSES
        }
        source = "account.ListRegions"
    except AWS_ERRORS as account_error:
        try:
            regions = _ec2_regions(scan)
            source = "ec2.DescribeRegions"
        except AWS_ERRORS as ec2_error:
            scan.failed("account", "ListRegions", account_error)
            scan.failed("ec2", "DescribeRegions", ec2_error, region=scan.home_region)
            regions = [scan.home_region]
            source = "home region only"
    if not regions:  # an account always has regions: an empty answer must not scan nothing
        scan.record(
            "account" if source == "account.ListRegions" else "ec2",
            source.split(".")[1],
            GapReason.MALFORMED_RESPONSE,
            "the region listing was empty; only the home region was scanned",
        )
        regions, source = [scan.home_region], "home region only"
    regions = sorted(dict.fromkeys(regions))
    scan.recorder.read(f"regions ({scan.account_id}): {len(regions)} from {source}")
    return regions


def _ec2_regions(scan: AwsScan) -> list[str]:
    """Enabled regions of this partition (moto also returns other partitions' regions)."""
    answer = scan.client("ec2").describe_regions()
    pattern = partition_region_pattern(scan.partition)
    return [
        r["RegionName"]
        for r in answer.get("Regions", [])
        if r.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
        and (pattern is None or pattern.match(r["RegionName"]))
    ]
