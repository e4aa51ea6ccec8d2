"""Public grants on AWS data stores: a bucket policy or ACL open to anyone, a snapshot, AMI or
RDS snapshot shared with ``all``, a key or role anyone may use. Each hands the data to the
world: a disclosure to unknown recipients in every country (Art. 5(1)(f), 32, 44).

Block Public Access neutralising the grant passes (it is named); a grant narrowed to a network
(source VPC, endpoint or IP range) is manual: who sends requests from there is not in the API.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.aws_access_common import (
    NETWORK_KEYS,
    describe,
    grants,
    held,
    narrowed,
    read_access,
    verdict,
)
from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    found = grants(ctx, public=True)
    categories = held(ctx)
    account = ctx.collection.identity.get("account_id")
    if not found and read_access(ctx):
        yield Verdict(
            f"aws:public-access:{account}",
            f"account {account} public access",
            "pass",
            "no bucket, snapshot, AMI, key or role the scan read grants access to anyone",
        )
    for flow in found:
        what = describe(flow)
        blocked = flow.attributes.get("blocked_by")
        network = narrowed(flow, NETWORK_KEYS)
        if blocked:
            yield verdict(
                categories, flow, "pass", f"{what} grants public access, but {blocked} stops it"
            )
        elif network:
            yield verdict(
                categories,
                flow,
                "manual",
                f"{what} grants access to anyone sending requests from {', '.join(network)}: "
                "confirm that only your own systems can",
            )
        else:
            yield verdict(
                categories,
                flow,
                "fail",
                f"anyone can read {what}: the data is disclosed to the world, in every country",
            )
