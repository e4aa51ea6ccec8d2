"""Who else can read a resource: AWS resource policies, ACLs and sharing attributes as grants.

Pure functions (no SDK), beside the SCP evaluator whose matching they reuse; the AWS connector
turns each grant into a flow and the access checks judge it. Semantics, as careful as the SCP
evaluator's: a Deny wins over any Allow it covers; ``NotPrincipal`` in an Allow grants everyone
but the named principals (public); wildcards match actions and principals; a condition key the
evaluator models narrows the recipient (``aws:PrincipalOrgID``, ``aws:PrincipalAccount``,
``aws:SourceVpc``, ``aws:SourceIp``...) and is recorded as such; any other condition makes the
grant ``conditional``, which a check must never call a pass. Principals of the resource's own
account are not grants to another party and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from core.aws_policy import _as_list, _base_operator, _matches, statements

Recipient = Literal["public", "account", "organization", "service", "federated", "canonical_user"]
GrantVerdict = Literal["allowed", "conditional"]
# condition keys that narrow who may read (recorded and, for org and account, used)
ORG_KEYS = frozenset({"aws:principalorgid", "aws:sourceorgid"})
ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount", "kms:calleraccount"})
NETWORK_KEYS = frozenset({"aws:sourcevpc", "aws:sourcevpce", "aws:sourceip"})
NARROWING_KEYS = ORG_KEYS | ACCOUNT_KEYS | NETWORK_KEYS | {"aws:sourcearn", "kms:viaservice"}
# condition keys that do not change who may read (transport, a shared secret with the recipient)
NEUTRAL_KEYS = frozenset(
    {"aws:securetransport", "sts:externalid", "s3:x-amz-server-side-encryption"}
)
POSITIVE = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike", "IpAddress"})
NEGATED = frozenset(
    {"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike", "NotIpAddress"}
)
ACCOUNT_ID = re.compile(r"^\d{12}$")
# S3 ACL grantee groups: anyone, and anyone with any AWS account
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}
ACL_READS = frozenset({"READ", "FULL_CONTROL"})


@dataclass(frozen=True)
class Grant:
    """One recipient's read access. ``principal`` is as the document names it; ``account``
    the 12-digit account (for ``account``), ``service`` the service principal, ``narrowed_by``
    modelled condition keys (lower case) with their values, ``unmodelled`` what made the
    grant conditional."""

    recipient: Recipient
    principal: str
    via: str
    actions: tuple[str, ...] = ()
    account: str | None = None
    service: str | None = None
    narrowed_by: dict[str, list[str]] = field(default_factory=dict)
    unmodelled: tuple[str, ...] = ()

    @property
    def verdict(self) -> GrantVerdict:
        return "conditional" if self.unmodelled else "allowed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "principal": self.principal,
            "via": self.via,
            "actions": list(self.actions),
            "account": self.account,
            "service": self.service,
            "narrowed_by": self.narrowed_by,
            "unmodelled": list(self.unmodelled),
            "verdict": self.verdict,
        }


def principal_account(principal: str) -> str | None:
    """``123456789012`` or ``arn:aws:iam::123456789012:root|role/x|user/y`` -> the account."""
    if ACCOUNT_ID.match(principal):
        return principal
    parts = principal.split(":")
    return parts[4] if len(parts) > 5 and ACCOUNT_ID.match(parts[4]) else None


def recipient_of(kind: str, principal: str, via: str, actions: Sequence[str]) -> Grant:
    """The grant for one principal of a ``Principal`` block entry (``AWS``, ``Service``...)."""
    if principal == "*" or (
        kind == "AWS" and principal_account(principal) is None and "*" in principal
    ):
        return Grant("public", principal, via, tuple(actions))
    if kind == "Service":
        return Grant("service", principal, via, tuple(actions), service=principal)
    if kind == "Federated":  # an identity provider; one registered in the owner's IAM is its own
        return Grant(
            "federated", principal, via, tuple(actions), account=principal_account(principal)
        )
    if kind == "CanonicalUser":
        return Grant("canonical_user", principal, via, tuple(actions))
    return Grant("account", principal, via, tuple(actions), account=principal_account(principal))


def _principals(block: Any) -> list[tuple[str, str]]:
    """``(kind, principal)`` pairs of a Principal/NotPrincipal value."""
    if block == "*":
        return [("AWS", "*")]
    if not isinstance(block, dict):
        return []
    return [(kind, str(p)) for kind, values in block.items() for p in _as_list(values)]


def _covered(statement: dict[str, Any], actions: Sequence[str]) -> list[str]:
    if "Action" in statement:
        return [a for a in actions if _matches(_as_list(statement["Action"]), a)]
    if "NotAction" in statement:
        return [a for a in actions if not _matches(_as_list(statement["NotAction"]), a)]
    return []


def _conditions(
    statement: dict[str, Any],
) -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """(positive narrowing keys, unmodelled clauses, negated narrowing keys) of a statement."""
    narrowing: dict[str, list[str]] = {}
    negated: dict[str, list[str]] = {}
    unmodelled: list[str] = []
    for raw, block in (statement.get("Condition") or {}).items():
        operator = _base_operator(str(raw))
        if not isinstance(block, dict):
            unmodelled.append(str(raw))
            continue
        for key, values in block.items():
            name = str(key).lower()
            if name in NEUTRAL_KEYS:
                continue
            listed = [str(v) for v in _as_list(values)]
            if operator != raw:
                # IfExists lets requests without the key through (anonymous ones have no
                # aws:PrincipalOrgID); ForAnyValue/ForAllValues are set tests: unmodelled
                unmodelled.append(f"{raw} {key}")
            elif name in NARROWING_KEYS and operator in POSITIVE:
                narrowing.setdefault(name, []).extend(listed)
            elif name in NARROWING_KEYS and operator in NEGATED:
                negated.setdefault(name, []).extend(listed)
            else:
                unmodelled.append(f"{raw} {key}")
    return narrowing, unmodelled, negated


def _refine(grant: Grant, narrowing: dict[str, list[str]]) -> list[Grant]:
    """Apply narrowing keys: public limited to an organisation or to accounts becomes a grant to
    those; other keys are recorded."""
    merged = {**grant.narrowed_by, **narrowing}
    grant = replace(grant, narrowed_by=merged)
    if grant.recipient != "public":
        return [grant]
    orgs = [v for k in ORG_KEYS for v in merged.get(k, [])]
    accounts = [v for k in ACCOUNT_KEYS for v in merged.get(k, [])]
    if accounts:
        return [replace(grant, recipient="account", account=a, principal=a) for a in accounts]
    if orgs:
        return [replace(grant, recipient="organization", principal=o) for o in orgs]
    return [grant]


def _whole_resource(statement: dict[str, Any], resource: str | None) -> bool:
    if "NotResource" in statement:
        return False
    if "Resource" not in statement or resource is None:
        return True
    return _matches(_as_list(statement["Resource"]), resource)


def _names(block: Any, grant: Grant) -> bool:
    """Does a Principal block name the grant's recipient (or everyone)?"""
    return any(
        p in ("*", grant.principal) or (grant.account and principal_account(p) == grant.account)
        for _, p in _principals(block)
    )


def _apply_deny(grant: Grant, deny: dict[str, Any], resource: str | None) -> list[Grant]:
    covered = set(_covered(deny, grant.actions))
    spared = deny.get("NotPrincipal")
    if not covered or (spared is None and not _names(deny.get("Principal"), grant)):
        return [grant]
    if spared is not None and _names(spared, grant):
        return [grant]
    narrowing, unmodelled, negated = _conditions(deny)
    sid = str(deny.get("Sid") or "(no Sid)")
    if deny.get("Condition") and not (narrowing or unmodelled or negated):
        return [grant]  # only on keys that do not change who may read (e.g. plain HTTP)
    if narrowing or unmodelled:
        # denies only some requests we cannot tell apart: the grant stands, conditionally
        why = f"Deny {sid} under {', '.join([*narrowing, *unmodelled])}"
        return [replace(grant, unmodelled=(*grant.unmodelled, why))]
    if spared is not None and grant.recipient == "public":
        # "deny everyone but these": only the accounts it spares remain
        accounts = {principal_account(p) for _, p in _principals(spared)} - {None}
        if not accounts:
            return []
        negated = {"aws:principalaccount": sorted(str(a) for a in accounts)}
    if negated:
        # "deny unless the caller is in org X / account Y / network Z": only those remain
        return _refine(grant, negated)
    if not _whole_resource(deny, resource):
        why = f"Deny {sid} on part of the resource"
        return [replace(grant, unmodelled=(*grant.unmodelled, why))]
    rest = tuple(a for a in grant.actions if a not in covered)
    return [replace(grant, actions=rest)] if rest else []


def policy_grants(
    document: dict[str, Any] | None,
    actions: Sequence[str],
    owner: str,
    resource: str | None = None,
) -> list[Grant]:
    """The grants of a resource policy (bucket, access point, key, trust policy) for
    ``actions``, to principals outside ``owner``'s account. ``resource`` (e.g.
    ``arn:aws:s3:::bucket/*``) tells a Deny on the whole resource from one on a part of it."""
    grants: list[Grant] = []
    for statement in statements(document or {}):
        if statement.get("Effect") != "Allow":
            continue
        covered = _covered(statement, actions)
        if not covered:
            continue
        sid = str(statement.get("Sid") or "(no Sid)")
        narrowing, unmodelled, negated = _conditions(statement)
        unmodelled += [f"{k} (negated)" for k in negated]
        if "NotPrincipal" in statement:
            found = [replace(recipient_of("AWS", "*", sid, covered), unmodelled=("NotPrincipal",))]
        else:
            found = [
                recipient_of(kind, p, sid, covered)
                for kind, p in _principals(statement.get("Principal"))
            ]
        for grant in found:
            if unmodelled:
                grant = replace(grant, unmodelled=(*grant.unmodelled, *unmodelled))
            grants.extend(_refine(grant, narrowing))
    for deny in statements(document or {}):
        if deny.get("Effect") == "Deny":
            grants = [g for grant in grants for g in _apply_deny(grant, deny, resource)]
    return [g for g in grants if g.account != owner]


def acl_grants(grants: Iterable[dict[str, Any]], owner_id: str | None) -> list[Grant]:
    """S3 ACL grants that let someone other than the owner read: the AllUsers and
    AuthenticatedUsers groups are public, another canonical user an account we cannot name."""
    found: list[Grant] = []
    for entry in grants:
        if entry.get("Permission") not in ACL_READS:
            continue
        grantee = entry.get("Grantee") or {}
        via = f"ACL {entry['Permission']}"
        group = PUBLIC_GROUPS.get(str(grantee.get("URI") or ""))
        if group:
            found.append(Grant("public", group, via, (f"s3:{entry['Permission']}",)))
        elif grantee.get("Type") == "CanonicalUser" and grantee.get("ID") != owner_id:
            found.append(
                Grant("canonical_user", str(grantee.get("ID")), via, (f"s3:{entry['Permission']}",))
            )
    return found


def shared_with(values: Iterable[str], via: str, action: str, owner: str) -> list[Grant]:
    """Sharing attributes (EBS snapshot createVolumePermission, AMI launchPermission, RDS
    snapshot ``restore``): ``all`` is public, otherwise account ids."""
    found: list[Grant] = []
    for value in values:
        if value.lower() == "all":
            found.append(Grant("public", "all", via, (action,)))
        elif value != owner:
            found.append(Grant("account", value, via, (action,), account=principal_account(value)))
    return found


def kms_grant(grant: dict[str, Any], actions: Sequence[str], owner: str) -> Grant | None:
    """A KMS grant (ListGrants) whose operations include one of ``actions`` (``Decrypt``...)
    and whose grantee is outside ``owner``'s account; constraints make it conditional."""
    operations = [f"kms:{o}" for o in grant.get("Operations") or [] if f"kms:{o}" in actions]
    grantee = str(grant.get("GranteePrincipal") or "")
    if not operations or not grantee:
        return None
    via = f"grant {grant.get('Name') or grant.get('GrantId')}"
    kind = "Service" if grantee.endswith(".amazonaws.com") else "AWS"
    found = recipient_of(kind, grantee, via, operations)
    if grant.get("Constraints"):
        found = replace(found, unmodelled=(f"grant constraints {sorted(grant['Constraints'])}",))
    return None if found.account == owner else found
