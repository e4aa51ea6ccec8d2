"""Art. 32(1)(d), 33: a logging CloudTrail trail records every scanned region of every account.

Without a trail only 90 days of management events remain (event history); a breach found later
cannot be reconstructed. A multi-region trail covers every region of its account, an
organisation trail every account of the organisation. Trails whose status could not be read
make the verdict manual, never pass. Runs only when the scan read CloudTrail.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from core.models import Asset

LISTING = ("DescribeTrails", "trails")  # the API call, or the reader when its answer was malformed


def trails(ctx: CheckContext) -> list[Asset]:
    return [
        a for a in ctx.collection.assets if a.kind == "cloudtrail.trail" and a.provider == "aws"
    ]


def read_cloudtrail(ctx: CheckContext) -> bool:
    services = ctx.collection.identity.get("services")
    return services is None or "cloudtrail" in services


def _logging(trail: Asset, by_id: dict[str, Asset]) -> bool | None:
    """An organisation trail seen from a member logs as its owner's scan says (None: unknown)."""
    owner = (
        by_id.get(str(trail.attributes.get("trail")))
        if trail.attributes.get("managed_by")
        else trail
    )
    return owner.attributes.get("is_logging") if owner else None


def _covers(trail: Asset, account: str, regions: list[str]) -> set[str]:
    attrs = trail.attributes
    if attrs.get("account") != account and not attrs.get("organization"):
        return set()
    if attrs.get("multi_region"):
        return set(regions)
    return {str(attrs.get("home_region") or attrs.get("region"))}


def _unlisted(ctx: CheckContext, account: str) -> list[str]:
    """Regions where the account's trails could not be listed (a cloudtrail reader gap). A
    multi-region trail is read in its home region only, so one such region hides trails that
    may cover every region."""
    prefix = f"account {account}:"
    return sorted(
        str(g.region or "every region")
        for g in ctx.collection.gaps
        if g.provider == "aws"
        and g.service == "cloudtrail"
        and g.operation in LISTING
        and g.message.startswith(prefix)
    )


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    if not read_cloudtrail(ctx):
        return
    identity = ctx.collection.identity
    regions = list(identity.get("regions") or [])
    accounts = identity.get("scanned_accounts") or [identity.get("account_id")]
    found = trails(ctx)
    by_id = {t.id: t for t in found}
    for account in accounts:
        covered: set[str] = set()
        unsure: set[str] = set()
        for trail in found:
            logging = _logging(trail, by_id)
            reach = _covers(trail, account, regions)
            if logging:
                covered |= reach
            elif logging is None:
                unsure |= reach
        missing = sorted(set(regions) - covered)
        names = sorted({t.name for t in found if _covers(t, account, regions)})
        evidence = {"regions": regions, "uncovered": missing, "trails": names}
        resource = f"cloudtrail:{ctx.collection.target}:{account}"
        if not regions:  # nothing known to cover is not "every region covered"
            yield Verdict(
                resource, f"account {account}", "manual",
                f"account {account}: no scanned region is known; confirm a logging trail "
                "records every region in use", evidence=evidence,
            )  # fmt: skip
        elif not missing:
            yield Verdict(
                resource, f"account {account}", "pass",
                f"account {account}: a logging trail ({', '.join(names)}) records every scanned "
                f"region ({len(regions)})", evidence=evidence,
            )  # fmt: skip
        elif unlisted := _unlisted(ctx, account):
            evidence["unlisted_regions"] = unlisted
            yield Verdict(
                resource, f"account {account}", "manual",
                f"account {account}: trails could not be listed in {', '.join(unlisted)}; "
                f"confirm a logging trail records {', '.join(missing)}", evidence=evidence,
            )  # fmt: skip
        elif set(missing) <= unsure:
            yield Verdict(
                resource, f"account {account}", "manual",
                f"account {account}: the status of trail(s) {', '.join(names)} could not be read; "
                f"confirm they log in {', '.join(missing)}", evidence=evidence,
            )  # fmt: skip
        else:
            why = "no trail" if not names else f"no logging trail (found: {', '.join(names)})"
            yield Verdict(
                resource, f"account {account}", "fail",
                f"account {account}: {why} records activity in {', '.join(missing)}; only the "
                f"90-day event history of management events remains there", evidence=evidence,
            )  # fmt: skip
