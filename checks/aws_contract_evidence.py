"""The AWS GDPR DPA as evidence: it applies through the Service Terms, whatever Artifact lists.

AWS Artifact lists only agreements an account accepted there (BAA, NDA...); the GDPR DPA is
incorporated in the Service Terms, so an empty list never means "no DPA".
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    collection = ctx.collection
    read = [note for note in collection.read if note.startswith("artifact:")]
    if not read:
        return
    agreements = [a for a in collection.assets if a.kind == "artifact.agreement"]
    active = [a.name for a in agreements if a.attributes.get("state") == "ACTIVE"]
    facts = ctx.kb.processor("aws") or {}
    dpa = facts.get("dpa") or {}
    listed = (
        f"Artifact lists {len(active)} active agreement(s): {', '.join(active)}"
        if active
        else ("Artifact lists no accepted agreement, which is expected")
    )
    yield Verdict(
        f"contracts:{collection.target}",
        f"AWS contracts ({collection.identity.get('account_id', collection.target)})",
        "pass",
        f"the AWS GDPR Data Processing Addendum applies through the AWS Service Terms; {listed}; "
        f"{read[0]}",
        evidence={"dpa": dpa, "agreements": [a.attributes | {"name": a.name} for a in agreements]},
    )
