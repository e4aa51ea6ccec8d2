"""Classify botocore errors into gap reasons and into 'cannot start' errors with clear words."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointProviderError,
    HTTPClientError,
    NoAuthTokenError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    TokenRetrievalError,
    UnknownEndpointError,
)
from botocore.parsers import ResponseParserError

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
# What one API call may raise: an error AWS answered, a transport or SDK failure, or a body
# that does not parse (an HTML error page from a proxy or an outage answers 5xx that way).
AWS_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
TIMEOUTS = (ReadTimeoutError, ConnectTimeoutError)
UNREACHABLE = (ConnectionError, HTTPClientError)  # refused, reset, DNS, TLS, proxy
NO_ENDPOINT = (UnknownEndpointError, EndpointProviderError)  # not offered in this partition
# the SDK could not (re)fetch credentials mid-scan (expired SSO token, refused refresh)
CREDENTIALS_LOST = (NoCredentialsError, CredentialRetrievalError, NoAuthTokenError,
                    TokenRetrievalError)  # fmt: skip
MESSAGE_LIMIT = 300  # an unparseable body is quoted in the exception; keep its start only


class DeadlineExceeded(BotoCoreError):
    """Raised instead of sending a request once the target's ``--timeout`` has passed."""

    fmt = "not sent: the scan's deadline of {seconds:g}s has passed"


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
        if code.isdigit():  # botocore names an error by its status when the body is not AWS's
            return GapReason.MALFORMED_RESPONSE
        return GapReason.API_ERROR
    if isinstance(exc, (*TIMEOUTS, DeadlineExceeded)):
        return GapReason.TIMEOUT
    if isinstance(exc, UNREACHABLE):
        return GapReason.UNREACHABLE
    if isinstance(exc, ResponseParserError):
        return GapReason.MALFORMED_RESPONSE
    if isinstance(exc, NO_ENDPOINT):
        return GapReason.NOT_FOUND
    if isinstance(exc, CREDENTIALS_LOST):
        return GapReason.CREDENTIALS_REJECTED
    return GapReason.INTERNAL_ERROR


def gap_message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        message = exc.response.get("Error", {}).get("Message") or ""
        code = error_code(exc)
        if code.isdigit():  # the message is the raw body, often an HTML error page
            message = "answer is not an AWS error: " + " ".join(message.split())
            return f"HTTP {code}: {message}"[:MESSAGE_LIMIT]
        return f"{code}: {message}".rstrip(": ")
    if isinstance(exc, ResponseParserError):  # the message quotes the body after its first line
        return f"unparseable answer: {str(exc).splitlines()[0][:MESSAGE_LIMIT]}"
    return str(exc)[:MESSAGE_LIMIT]


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
    if isinstance(exc, (*TIMEOUTS, *UNREACHABLE, DeadlineExceeded, ResponseParserError)):
        return AuthError(f"{where}: cannot reach the AWS endpoint ({gap_message(exc)})")
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in BAD_CREDENTIALS:
            return AuthError(f"{where}: AWS rejected the credentials ({gap_message(exc)})")
        return AuthError(f"{where}: {gap_message(exc)}")
    if isinstance(exc, BotoCoreError):
        return AuthError(f"{where}: {exc}")
    raise exc
