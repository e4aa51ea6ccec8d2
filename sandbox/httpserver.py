"""A loopback HTTP server in a background thread, the base of the sandbox's Graph and Slack APIs.

The simulated company's APIs are real HTTP servers on 127.0.0.1 so that the real SDKs (with their
auth, retry and paging middleware) talk to them exactly as they would to the cloud.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Faults:
    """Planned misbehaviour: throttle a route N times, or add latency to every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._throttle: Counter[str] = Counter()
        self.retry_after = 1
        self.latency_s = 0.0

    def throttle(self, route: str, times: int = 1, retry_after: int = 1) -> None:
        with self._lock:
            self._throttle[route] += times
            self.retry_after = retry_after

    def take_throttle(self, route: str) -> bool:
        with self._lock:
            if self._throttle[route] > 0:
                self._throttle[route] -= 1
                return True
            return False

    def clear(self) -> None:
        with self._lock:
            self._throttle.clear()
            self.latency_s = 0.0


class JsonHandler(BaseHTTPRequestHandler):
    """Handler helpers: JSON replies, quiet logs, per-request counting and injected latency."""

    server: LocalServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def note_request(self, route: str) -> None:
        self.server.requests[route] += 1
        if self.server.faults.latency_s:
            time.sleep(self.server.faults.latency_s)


class LocalServer(ThreadingHTTPServer):
    """``with LocalServer(Handler) as srv: srv.url`` serves on an ephemeral 127.0.0.1 port."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, handler: type[JsonHandler], port: int = 0, certfile: str | None = None
    ) -> None:
        """``certfile``: a PEM with key and certificate; the server then speaks https."""
        super().__init__(("127.0.0.1", port), handler)
        self.scheme = "https" if certfile else "http"
        if certfile:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certfile)
            self.socket = context.wrap_socket(self.socket, server_side=True)
        self.faults = Faults()
        self.requests: Counter[str] = Counter()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def start(self) -> LocalServer:
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
