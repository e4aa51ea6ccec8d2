"""AWS policy language evaluation (SCPs), done by us: AWS offers no effective-SCP API.

Pure functions (no SDK), used by the Organizations reader to flag documents it cannot judge and
by the guardrail check. Semantics: along root -> OUs -> account, an applicable Deny at any level
denies; every level needs an applicable Allow; a condition on a key we do not know (e.g. the
caller's principal ARN) makes the answer ``conditional`` rather than a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any, Literal

Verdict = Literal["allowed", "denied", "not-allowed", "conditional"]
OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "ArnEquals",
        "ArnNotEquals",
        "ArnLike",
        "ArnNotLike",
    }
)
SET_PREFIXES = ("ForAnyValue:", "ForAllValues:")
# condition keys (lower case prefixes) that single out principals or resources a Deny spares
EXEMPTING_KEYS = ("aws:principal", "aws:resourcetag/", "aws:requesttag/", "aws:sourceidentity")


def _base_operator(operator: str) -> str:
    """``ForAnyValue:StringNotEqualsIfExists`` -> ``StringNotEquals`` (IfExists cannot change
    an answer here: a key we do not know may be present on the request either way)."""
    for prefix in SET_PREFIXES:
        operator = operator.removeprefix(prefix)
    return operator.removesuffix("IfExists")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def unsupported_operators(document: dict[str, Any]) -> list[str]:
    """Condition operators this evaluator cannot judge (their statements become conditional)."""
    found = []
    for statement in statements(document):
        for operator in statement.get("Condition") or {}:
            if _base_operator(operator) not in OPERATORS:
                found.append(operator)
    return sorted(set(found))


def _matches(patterns: Iterable[str], value: str) -> bool:
    return any(fnmatchcase(value.lower(), str(p).lower()) for p in patterns)


def _condition(condition: dict[str, Any], context: dict[str, str]) -> bool | None:
    """True, False, or None when a key is unknown or an operator unsupported."""
    result: bool | None = True
    for raw_operator, block in condition.items():
        operator = _base_operator(raw_operator)
        if operator not in OPERATORS or not isinstance(block, dict):
            result = None
            continue
        for key, expected in block.items():
            value = context.get(key.lower())
            if value is None:
                # unmodelled (a principal's tags, a resource's tags, ...): even with IfExists
                # the key may well be present on the request, so the answer is unknown
                result = None
                continue
            values = [str(v) for v in _as_list(expected)]
            negated = "Not" in operator
            if operator.endswith(("Like",)) or operator.startswith("Arn"):
                hit = _matches(values, value)
            elif operator.endswith("IgnoreCase"):
                hit = value.lower() in {v.lower() for v in values}
            else:
                hit = value in values
            if hit == negated:
                return False
    return result


def applies(statement: dict[str, Any], action: str, context: dict[str, str]) -> bool | None:
    """Does ``statement`` cover ``action`` in ``context``? None: it depends on unknown keys."""
    if "Action" in statement and not _matches(_as_list(statement["Action"]), action):
        return False
    if "NotAction" in statement and _matches(_as_list(statement["NotAction"]), action):
        return False
    if "Action" not in statement and "NotAction" not in statement:
        return False
    condition = statement.get("Condition")
    answer = _condition(condition, context) if condition else True
    if answer is not False and not _all_resources(statement):
        return None  # covers some resources only: the data may go to the others
    return answer


def _all_resources(statement: dict[str, Any]) -> bool:
    """Does the statement cover every resource (``Resource: "*"``, no ``NotResource``)?"""
    if "NotResource" in statement:
        return False
    return "Resource" not in statement or "*" in _as_list(statement["Resource"])


def evaluate(
    chain: list[list[dict[str, Any]]],
    action: str,
    region: str,
    principal: str | None = None,
) -> Verdict:
    """The SCP verdict for ``action`` in ``region``; ``chain`` is the documents per level."""
    context = {"aws:requestedregion": region}
    if principal:
        context["aws:principalarn"] = principal
    maybe = False
    for level in chain:
        for document in level:
            for statement in statements(document):
                if statement.get("Effect") != "Deny":
                    continue
                hit = applies(statement, action, context)
                if hit:
                    return "denied"
                maybe = maybe or hit is None
    for level in chain:
        answers = [
            applies(s, action, context)
            for document in level
            for s in statements(document)
            if s.get("Effect") == "Allow"
        ]
        if True in answers:
            continue
        if None in answers:
            maybe = True
            continue
        return "not-allowed"
    return "conditional" if maybe else "allowed"


def principal_exemptions(document: dict[str, Any]) -> list[str]:
    """Who a Deny statement exempts through conditions on the principal or on tags: the
    ``aws:PrincipalARN`` patterns themselves, ``key=value`` for a negated condition on another
    such key (principals with that value escape), ``key!=value`` for a positive one."""
    found: list[str] = []
    for statement in statements(document):
        if statement.get("Effect") != "Deny":
            continue
        for operator, block in (statement.get("Condition") or {}).items():
            if not isinstance(block, dict):
                continue
            negated = "Not" in _base_operator(operator)
            for key, values in block.items():
                name = key.lower()
                if name == "aws:principalarn" and negated:
                    found.extend(str(v) for v in _as_list(values))
                elif name.startswith(EXEMPTING_KEYS) and name != "aws:principalarn":
                    sign = "=" if negated else "!="
                    found.extend(f"{key}{sign}{v}" for v in _as_list(values))
    return found
