"""`residency doctor aws`: who the credentials are, one cheap read per IAM action needed.

Every probe goes through the scan's own clients (read-only gate, call ledger). For each IAM
action of the allow-list it picks the operation with the fewest required parameters, asks for
the smallest page, and reads a real bucket where a bucket is needed (else a placeholder name).
An access-denied answer means the action is missing; a not-found or validation answer means
the request got past IAM, so the action is granted; throttling or an unreachable endpoint
cannot tell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from connectors.aws.allowlist import operations
from connectors.aws.connector import selected_services
from connectors.aws.context import AWS_ERRORS
from connectors.aws.errors import ACCESS_DENIED, THROTTLED, error_code, gap_message, start_error
from connectors.aws.session import AwsClients
from connectors.aws.settings import AwsSettings
from connectors.base import CallLedger, Diagnosis, PermissionCheck, Target

XML_CODE = re.compile(r"<Code>([^<]{1,100})</Code>")
PLACEHOLDER = "residency-doctor-probe"  # a resource name that does not exist
PAGE_MEMBERS = frozenset({"maxresults", "maxitems", "maxrecords", "limit"})
# The smallest page every service whose model declares no minimum accepts (EC2: 5, RDS: 20).
UNDECLARED_MIN_PAGE = 20
# Regions are discovered with account:ListRegions, then ec2:DescribeRegions: always needed.
ALWAYS = frozenset({"sts", "account", "ec2.DescribeRegions"})


def needed_operations(settings: AwsSettings) -> dict[str, list[str]]:
    """IAM action -> the allow-listed operations it authorises, for the selected services."""
    services = {s.name.partition("-")[0] for s in selected_services(settings.services)}
    needed: dict[str, list[str]] = {}
    for operation, action in operations().items():
        prefix = operation.split(".")[0]
        if action and (prefix in services or prefix in ALWAYS or operation in ALWAYS):
            needed.setdefault(action, []).append(operation)
    return needed


def diagnose(target: Target, ledger: CallLedger) -> Diagnosis:
    settings = AwsSettings.from_settings(target.settings, f"target {target.name}")
    try:
        clients = AwsClients(settings, ledger)
        identity = clients.client("sts").get_caller_identity()
    except AWS_ERRORS as exc:
        raise start_error(exc, f"aws target {target.name}") from None
    bucket, bucket_region = _a_bucket(clients)
    fill = _Filler(identity["Account"], bucket, bucket_region)
    probes = []
    notes = []
    for action, candidates in needed_operations(settings).items():
        if action == "sts:AssumeRole":
            if settings.org:
                notes.append("sts:AssumeRole is used per member account with --org; not probed")
            continue
        probes.append((action, min(candidates, key=fill.required_count)))
    with ThreadPoolExecutor(settings.workers, thread_name_prefix="aws-doctor") as pool:
        checks = list(pool.map(lambda p: _probe(clients, fill, *p), probes))
    if bucket is None:
        notes.append(f"no bucket to read: bucket-level actions were probed on {PLACEHOLDER!r}")
    return Diagnosis(
        target=target.name,
        provider="aws",
        kind="IAM actions",
        identity={
            "account": identity["Account"],
            "arn": identity["Arn"],
            "home region": clients.home_region,
        },
        checks=sorted(checks, key=lambda c: c.permission),
        notes=notes,
    )


def _a_bucket(clients: AwsClients) -> tuple[str | None, str | None]:
    """A real bucket and its region, so bucket-level probes meet a real bucket policy."""
    s3 = clients.client("s3")
    try:
        buckets = s3.list_buckets().get("Buckets") or []
        if not buckets:
            return None, None
        name = str(buckets[0]["Name"])
        return name, s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
    except AWS_ERRORS:
        return (str(buckets[0]["Name"]) if buckets else None), None  # their probes say why


@cache
def _input_shape(operation: str) -> Any:
    service, name = operation.split(".")
    model = _botocore().get_service_model(service).operation_model(name)
    return model.input_shape


@cache
def _botocore() -> Any:
    return botocore.session.get_session()


class _Filler:
    """Required parameters from the botocore model: the caller's account, a real bucket, the
    first value of an enum, else a placeholder; and the smallest page."""

    def __init__(self, account: str, bucket: str | None, bucket_region: str | None) -> None:
        self.named: dict[str, str] = {"AccountId": account, "Bucket": bucket or PLACEHOLDER}
        self.bucket_region = bucket_region

    def region(self, operation: str) -> str | None:
        """Bucket-level calls go to the bucket's region; others to the home region."""
        shape = _input_shape(operation)
        return self.bucket_region if shape and "Bucket" in shape.required_members else None

    @staticmethod
    def required_count(operation: str) -> int:
        shape = _input_shape(operation)
        return len(shape.required_members) if shape else 0

    def params(self, operation: str) -> dict[str, Any]:
        shape = _input_shape(operation)
        if shape is None:
            return {}
        params: dict[str, Any] = {}
        for name in shape.required_members:
            member = shape.members[name]
            params[name] = self.named.get(name) or (member.enum or [PLACEHOLDER])[0]
        for name, member in shape.members.items():
            if name.lower() in PAGE_MEMBERS and member.type_name == "integer":
                declared = member.metadata.get("min")
                params[name] = UNDECLARED_MIN_PAGE if declared is None else max(1, declared)
        return params


def _probe(clients: AwsClients, fill: _Filler, action: str, operation: str) -> PermissionCheck:
    service, name = operation.split(".")
    client = clients.client(service, fill.region(operation))
    call: Callable[..., Any] = getattr(client, xform_name(name))
    try:
        call(**fill.params(operation))
    except ClientError as exc:
        code = error_code(exc)
        if code in ACCESS_DENIED:
            return PermissionCheck(action, operation, False, _short(gap_message(exc)))
        if code in THROTTLED:
            return PermissionCheck(action, operation, None, _short(gap_message(exc)))
        return PermissionCheck(action, operation, True, f"answered {code}: past IAM")
    except (*AWS_ERRORS, ResponseParserError) as exc:
        return PermissionCheck(action, operation, None, _short(gap_message(exc)))
    return PermissionCheck(action, operation, True)


def _short(text: str, width: int = 120) -> str:
    """The error's code and message, clipped: some endpoints answer a whole XML or HTML page
    that botocore could not parse for the protocol it expected."""
    code = XML_CODE.search(text)
    line = code.group(1) if code else " ".join(text.split("\n", 1)[0].split())
    return line if len(line) <= width else line[: width - 1] + "…"
