"""The evidence and findings vocabulary shared by connectors, checks and reports.

Connectors produce a :class:`Collection` (assets, flows, gaps, call counts); checks turn it into
:class:`Finding` objects. Everything here is plain data that round-trips through JSON, so evidence
can be saved by ``residency collect`` and re-evaluated offline by ``residency evaluate``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

Status = Literal["pass", "fail", "warn", "manual", "error", "muted"]
Severity = Literal["critical", "high", "medium", "low", "info"]

STATUSES: tuple[Status, ...] = ("pass", "fail", "warn", "manual", "error", "muted")
# Worst first: the order tables and summaries list findings in.
STATUS_ORDER: dict[str, int] = {
    status: rank for rank, status in enumerate(("fail", "error", "warn", "manual", "muted", "pass"))
}
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(reversed(SEVERITIES))}


@dataclass
class Asset:
    """A place where personal data is stored, e.g. a bucket, a SharePoint geo, a Slack workspace.

    ``location`` is the provider-native code, namespaced for the knowledge base
    (``aws:eu-west-1``, ``m365:EUR``, ``slack:frankfurt``, ``country:US``) or ``None`` when the
    connector could not learn it (a check then reports ``error``, never ``pass``).
    """

    id: str
    provider: str
    kind: str
    name: str
    location: str | None
    data_categories: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Flow:
    """Personal data leaving an asset: replication, backup copy, app access, external sharing.

    ``destination`` is a namespaced location code like ``Asset.location``; ``party`` names a vendor
    in the vendor register when the recipient is another organisation.
    """

    id: str
    provider: str
    kind: str
    source: str
    destination: str | None
    destination_name: str = ""
    party: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


OPEN_STATUSES: frozenset[str] = frozenset({"fail", "warn", "error"})  # what needs attention


class GapReason(StrEnum):
    """Why something could not be read: one vocabulary for every provider."""

    ACCESS_DENIED = "access_denied"  # the identity lacks a permission (403, AccessDenied)
    MISSING_SCOPE = "missing_scope"  # a token lacks an OAuth scope (Slack)
    NOT_AVAILABLE = "not_available"  # the plan, licence or token type does not offer it
    NOT_FOUND = "not_found"  # the endpoint or resource does not exist here
    THROTTLED = "throttled"  # still rate limited after the retry budget
    MALFORMED_RESPONSE = "malformed_response"  # an answer we cannot parse (HTML error page...)
    UNREACHABLE = "unreachable"  # connection refused or reset, DNS, TLS
    TIMEOUT = "timeout"  # no answer within the time bound
    CREDENTIALS_REJECTED = "credentials_rejected"  # expired, revoked or wrong credentials
    REGION_DISABLED = "region_disabled"  # an opt-in region that is not enabled
    NO_TOKEN = "no_token"  # no token of the kind this call needs was configured
    WRONG_TOKEN_TYPE = "wrong_token_type"  # a token of another kind than the call accepts
    UNSUPPORTED_CONTENT = "unsupported_content"  # readable, but holds what we cannot judge
    API_ERROR = "api_error"  # any other error the API answered (its code is in the message)
    INTERNAL_ERROR = "internal_error"  # an unexpected failure inside the scanner


@dataclass
class Gap:
    """Something a connector could not read, so that an incomplete scan is never called clean."""

    provider: str
    service: str
    operation: str
    reason: GapReason
    message: str
    resource: str | None = None
    region: str | None = None


@dataclass
class Collection:
    """Everything one connector learned about one target in one run."""

    target: str
    provider: str
    started_at: str
    finished_at: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    assets: list[Asset] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.gaps

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Collection:
        data = dict(data)
        data["assets"] = [Asset(**a) for a in data.get("assets", [])]
        data["flows"] = [Flow(**f) for f in data.get("flows", [])]
        data["gaps"] = [
            Gap(**{**g, "reason": GapReason(g["reason"])}) for g in data.get("gaps", [])
        ]
        return cls(**data)


@dataclass
class Finding:
    """One check's verdict on one resource of one target."""

    id: str
    check_id: str
    title: str
    target: str
    provider: str
    resource: str
    resource_name: str
    status: Status
    severity: Severity
    message: str
    articles: list[str]
    remediation: str
    location: str | None = None
    country: str | None = None
    jurisdiction: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    waiver: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(**data)


def finding_id(check_id: str, target: str, resource: str) -> str:
    """A stable id, equal across runs for the same check, target and resource (used by diffs)."""
    digest = hashlib.sha256(f"{check_id}\x00{target}\x00{resource}".encode()).hexdigest()
    return digest[:16]
