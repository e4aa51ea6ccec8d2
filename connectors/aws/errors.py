"""Classify botocore errors into gap reasons and into 'cannot start' errors with clear words."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from core.errors import AuthError
from core.models import GapReason

ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AllAccessDisabled",
    "403",
}
THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "429",
}
BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "UnrecognizedClientException",
    "AuthFailure",
}
REGION_OFF = {"OptInRequired", "InvalidRegion"}
# AWS answers this both for rejected credentials and in an opt-in region being disabled
UNRECOGNIZED = "UnrecognizedClientException"


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


def gap_reason(exc: Exception, opt_in_region: bool = False) -> GapReason:
    """A short machine-readable reason for a recorded gap; ``opt_in_region``: the call went to
    an opt-in region, which may have been disabled during the scan."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code == UNRECOGNIZED:
            return GapReason.REGION_DISABLED if opt_in_region else GapReason.CREDENTIALS_REJECTED
        if code in BAD_CREDENTIALS:
            return GapReason.CREDENTIALS_REJECTED
        if code in ACCESS_DENIED:
            return GapReason.ACCESS_DENIED
        if code in THROTTLED:
            return GapReason.THROTTLED
        if code in REGION_OFF:
            return GapReason.REGION_DISABLED
        return GapReason.API_ERROR
    if isinstance(exc, EndpointConnectionError):
        return GapReason.UNREACHABLE
    return GapReason.INTERNAL_ERROR


def gap_message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        message = exc.response.get("Error", {}).get("Message") or ""
        return f"{error_code(exc)}: {message}".rstrip(": ")
    return str(exc)


def start_error(exc: Exception, where: str) -> AuthError:
    """Why a whole AWS target cannot be scanned, in one line."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AuthError(
            f"{where}: no AWS credentials found (set a profile with --profile, "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a role)"
        )
    if isinstance(exc, ProfileNotFound):
        return AuthError(f"{where}: {exc}")
    if isinstance(exc, NoRegionError):
        return AuthError(f"{where}: no AWS region configured")
    if isinstance(exc, EndpointConnectionError):
        return AuthError(f"{where}: cannot reach the AWS endpoint ({exc})")
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in BAD_CREDENTIALS:
            return AuthError(f"{where}: AWS rejected the credentials ({gap_message(exc)})")
        return AuthError(f"{where}: {gap_message(exc)}")
    if isinstance(exc, BotoCoreError):
        return AuthError(f"{where}: {exc}")
    raise exc
