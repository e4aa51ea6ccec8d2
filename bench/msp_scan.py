"""Benchmark: a managed-service provider's nightly run over many simulated clients.

Each client has a Microsoft 365 tenant, a Slack workspace and an AWS account, all served by
local sandbox servers that add ``--latency`` seconds to every request (AWS through a small
delaying proxy in front of moto). The run goes through the real scheduler path
(targets file -> ``run_targets_file``: lock, history, per-client reports). Prints wall time,
API calls, peak memory, and the issue's target: wall time within 1.5x of
calls x latency / concurrency. Figures are printed, never asserted: the exit code is 1 only
when a client failed.

    python bench/msp_scan.py                      # 200 clients, 50 ms, concurrency 32
    python bench/msp_scan.py --clients 20         # quick
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.aws import SANDBOX_CREDENTIALS, start_aws
from sandbox.graph import start_graph
from sandbox.httpserver import JsonHandler, LocalServer
from sandbox.slack import start_slack

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class DelayingProxy(JsonHandler):
    """Forwards every request to moto after the server's injected latency."""

    server: ProxyServer

    def forward(self) -> None:
        self.note_request(self.command)
        body = self.read_body()
        upstream = http.client.HTTPConnection(self.server.upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = self.headers.get("Host", self.server.upstream)
        upstream.request(self.command, self.path, body or None, headers)
        response = upstream.getresponse()
        payload = response.read()
        upstream.close()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = forward


class ProxyServer(LocalServer):
    def __init__(self, upstream_url: str) -> None:
        super().__init__(DelayingProxy)
        self.upstream = urlsplit(upstream_url).netloc


def client_entry(index: int, settings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    slack = {**settings["slack"], "max_retries": 1}
    aws = {**settings["aws"], "max_attempts": 2, "services": ["s3"], "workers": 4}
    return {"name": f"client-{index:04d}", "m365": settings["m365"], "slack": slack, "aws": aws}


def serve(connection: Connection, latency: float) -> None:
    """In a child process (like a real cloud, the servers do not share the scanner's CPU):
    start the sandboxes, send their settings and env, serve until told to stop, send counts."""
    os.environ.update(SANDBOX_CREDENTIALS)
    services = {"m365": start_graph(), "slack": start_slack(), "aws": start_aws()}
    proxy = ProxyServer(services["aws"].url).start()
    servers = [proxy, services["m365"].stop.__self__, services["slack"].stop.__self__]
    for server in servers:
        server.faults.latency_s = latency
    settings = {name: dict(service.settings) for name, service in services.items()}
    settings["aws"] = {"endpoint_url": proxy.url}
    env = {k: v for service in services.values() for k, v in service.env.items()}
    connection.send((settings, env))
    connection.recv()
    connection.send(sum(sum(s.requests.values()) for s in servers))
    proxy.stop()
    for service in services.values():
        service.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=32, help="targets at once")
    args = parser.parse_args()

    from scanner.multiscan import run_targets_file
    from scanner.targets import load_targets

    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=serve, args=(theirs, args.latency), daemon=True
    )
    child.start()
    settings, env = ours.recv()
    os.environ.update(SANDBOX_CREDENTIALS)
    os.environ.update(env)
    with tempfile.TemporaryDirectory(prefix="msp-bench-") as tmp:
        path = Path(tmp) / "tenants.yaml"
        document = {
            "reports": {"dir": "reports"},
            "concurrency": args.concurrency,
            "clients": [client_entry(i, settings) for i in range(args.clients)],
        }
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        config = load_targets(path)
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = run_targets_file(config)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        calls = 0
        for client in result.clients:
            report = Path(tmp) / "reports" / client.client / "latest" / "report.json"
            calls += json.loads(report.read_text())["summary"]["api_calls"]
    ours.send("stop")
    served = ours.recv()
    child.join(10)

    failed = [c.client for c in result.clients if c.error]
    incomplete = sum(len(c.incomplete) for c in result.clients)
    ideal = calls * args.latency / args.concurrency
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"clients           {args.clients} ({args.clients * 3} targets), "
        f"concurrency {args.concurrency}, latency {args.latency * 1000:.0f} ms"
    )
    print(f"wall time         {wall:.1f} s (scanner CPU {cpu:.1f} s)")
    print(f"API calls         {calls} (served: {served})")
    print(f"peak memory       {peak_mb:.0f} MiB (scanner max RSS)")
    print(f"incomplete        {incomplete} target(s); failed clients: {len(failed)}")
    if ideal:
        ratio = wall / ideal
        verdict = "met" if ratio <= 1.5 else "MISSED"
        print(f"ideal             {ideal:.1f} s = calls x latency / concurrency")
        print(f"ratio             {ratio:.2f} (target <= 1.5: {verdict})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
