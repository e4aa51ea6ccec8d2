"""botocore sessions and clients shared by every scan of the process that may share them.

Building a botocore session (its event handlers) and a client (its class, endpoint rules and
service model) costs tens of milliseconds of CPU, more than the calls a small account needs.
So the process keeps them: one data loader for every session (it only reads the SDK's packaged
model files), one session per credential source, one client per (session, service, region,
endpoint, client settings). Two scans share a session only when they would have built the same
one: the same explicit keys, or the same profile and region with the same ``AWS_*`` environment
and the same shared config and credentials files (path, size, modification time). A session that
found no credentials is not kept.

A shared client is used through a :class:`ScopedClient`: each of its operations, and each page
of its paginators, runs with the scan that asked for the client as the current one, and the
client's hooks check the read-only allow-list, the deadline and the call ledger of that scan.
A call outside a scoped client has no scan and is refused before it is signed or sent.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import botocore.loaders
import botocore.session

from core.errors import ReadOnlyViolation

SESSIONS_KEPT = 32  # credential sources: targets with their own profile, assumed roles
CLIENTS_KEPT = 256  # (session, service, region, endpoint, settings)
CONFIG_FILES = {
    "AWS_CONFIG_FILE": "~/.aws/config",
    "AWS_SHARED_CREDENTIALS_FILE": "~/.aws/credentials",
}

_LOADER = botocore.loaders.create_loader()


class Scan(Protocol):
    """What the shared clients' hooks ask of the scan making a call."""

    def before_call(self, operation: str) -> None: ...

    def before_send(self) -> None: ...


_CURRENT: contextvars.ContextVar[Scan | None] = contextvars.ContextVar("aws_scan", default=None)


def _current() -> Scan:
    scan = _CURRENT.get()
    if scan is None:
        raise ReadOnlyViolation("aws: a call outside a scan's clients is refused")
    return scan


def _before_call(model: Any, **_: Any) -> None:
    _current().before_call(f"{model.service_model.service_name}.{model.name}")


def _before_send(**_: Any) -> None:
    """Every attempt, retries included."""
    _current().before_send()


class _Kept:
    """A bounded map, least recently used first out, safe across threads; each key is built
    once at a time (other keys are not held up meanwhile)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._building: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _kept(self, key: str) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            return None

    def get_or_build(self, key: str, build: Callable[[], Any], keep: Callable[[Any], bool]) -> Any:
        if (value := self._kept(key)) is not None:
            return value
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            if (value := self._kept(key)) is not None:
                return value
            value = build()
            kept = keep(value)
            with self._lock:
                self._building.pop(key, None)
                if kept:
                    self._values[key] = value
                    while len(self._values) > self.size:
                        self._values.popitem(last=False)
            return value


_SESSIONS = _Kept(SESSIONS_KEPT)
_CLIENTS = _Kept(CLIENTS_KEPT)


_CREATING: weakref.WeakKeyDictionary[botocore.session.Session, threading.Lock] = (
    weakref.WeakKeyDictionary()
)
_CREATING_GUARD = threading.Lock()


def _creation_lock(made: botocore.session.Session) -> threading.Lock:
    """A session's own lock: botocore sessions are not safe for concurrent create_client."""
    with _CREATING_GUARD:
        return _CREATING.setdefault(made, threading.Lock())


def _fingerprint(*parts: Any) -> str:
    """A digest (no key material is kept in the clear as a cache key)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _environment() -> tuple[Any, ...]:
    variables = sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))
    files = []
    for variable, default in CONFIG_FILES.items():
        path = Path(os.environ.get(variable) or default).expanduser()
        try:
            stat = path.stat()
        except OSError:
            files.append((str(path), None))
        else:
            files.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(variables), tuple(files)


def session(
    profile: str | None, region: str, credentials: dict[str, str] | None
) -> tuple[str, botocore.session.Session]:
    """``(key, session)`` for a profile (None: the default chain) or explicit keys."""
    keys = credentials or {}
    explicit = (keys.get("AccessKeyId"), keys.get("SecretAccessKey"), keys.get("SessionToken"))
    key = _fingerprint(profile, region, explicit, _environment())

    def build() -> botocore.session.Session:
        made = botocore.session.Session(profile=profile)
        made.register_component("data_loader", _LOADER)
        made.set_config_variable("region", region)
        if credentials:
            made.set_credentials(*explicit)
        return made

    return key, _SESSIONS.get_or_build(key, build, lambda s: s.get_credentials() is not None)


def client(
    session_key: str,
    made: botocore.session.Session,
    service: str,
    region: str,
    endpoint_url: str | None,
    config: Any,
    attach: Callable[[Any], None],
) -> Any:
    """The shared client, with the scan-dispatching hooks and ``attach``'s own on a new one."""
    key = _fingerprint(session_key, service, region, endpoint_url, repr(config.__dict__))

    def build() -> Any:
        with _creation_lock(made):
            made_client = made.create_client(
                service, region_name=region, endpoint_url=endpoint_url, config=config
            )
        events = made_client.meta.events
        events.register("before-call", _before_call)
        events.register("before-send", _before_send)
        attach(made_client)
        return made_client

    return _CLIENTS.get_or_build(key, build, lambda _: True)


class ScopedClient:
    """A shared client as one scan uses it (attributes other than operations pass through)."""

    def __init__(self, client: Any, scan: Scan) -> None:
        self._client = client
        self._scan = scan

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name in self._client.meta.method_to_api_mapping:
            return functools.partial(self.scoped, attribute)
        return attribute

    def scoped(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``operation(*args, **kwargs)`` with this client's scan current."""
        token = _CURRENT.set(self._scan)
        try:
            return operation(*args, **kwargs)
        finally:
            _CURRENT.reset(token)

    def get_paginator(self, operation: str) -> ScopedPaginator:
        return ScopedPaginator(self._client.get_paginator(operation), self)


class ScopedPaginator:
    def __init__(self, paginator: Any, client: ScopedClient) -> None:
        self._paginator = paginator
        self._client = client

    def paginate(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """The pages, each fetched with the scan current."""
        pages: Iterable[dict[str, Any]] = self._paginator.paginate(**kwargs)
        iterator = iter(pages)
        sentinel: dict[str, Any] = {}
        while (page := self._client.scoped(next, iterator, sentinel)) is not sentinel:
            yield page
