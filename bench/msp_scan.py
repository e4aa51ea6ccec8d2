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
    python bench/msp_scan.py --processes 1        # the single-process (threads) engine
    python bench/msp_scan.py --broker redis://127.0.0.1:6379/0   # 1 vs 2 Celery workers

CPU is the scanner's own: this process plus its collector processes or workers (the sandbox
servers run in a separate process and are not counted).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import resource
import subprocess
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
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="local collector processes"
    )
    parser.add_argument("--broker", help="Celery broker URL: run with 1, then 2 workers")
    args = parser.parse_args()

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
        # distinct objects per client: the targets file refuses YAML aliases
        path.write_text(yaml.safe_dump(json.loads(json.dumps(document))), encoding="utf-8")
        config = load_targets(path)
        runs = []
        for workers in (1, 2) if args.broker else (0,):
            runs.append(timed_run(config, args, workers))
        calls = 0
        result = runs[-1][0]
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
    engine = f"celery via {args.broker}" if args.broker else f"{args.processes} process(es)"
    print(
        f"clients           {args.clients} ({args.clients * 3} targets), "
        f"concurrency {args.concurrency}, latency {args.latency * 1000:.0f} ms, {engine}"
    )
    print(f"API calls         {calls} per run (served: {served} over {len(runs)} run(s))")
    print(f"peak memory       {peak_mb:.0f} MiB (scanner max RSS, run process)")
    print(f"incomplete        {incomplete} target(s); failed clients: {len(failed)}")
    if ideal:
        print(f"ideal             {ideal:.1f} s = calls x latency / concurrency")
    for _, wall, cpu, workers in runs:
        label = f"{workers} worker(s)" if workers else "wall time"
        print(f"{label:<17} {wall:.1f} s, scanner CPU {cpu:.1f} s")
        print(f"CPU per call      {cpu / max(calls, 1) * 1000:.1f} ms")
        if ideal:
            ratio = wall / ideal
            verdict = "met" if ratio <= 1.5 else "MISSED"
            print(f"ratio             {ratio:.2f} (target <= 1.5: {verdict})")
    if len(runs) == 2:
        print(f"2 vs 1 workers    {runs[0][1] / runs[1][1]:.2f}x faster")
    return 1 if failed else 0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(config: Any, args: argparse.Namespace, workers: int) -> tuple[Any, float, float, int]:
    """One run: (result, wall seconds, scanner CPU seconds, workers). Collector processes are
    joined by the run, and workers stopped before the sandbox, so children's CPU is ours."""
    from scanner.multiscan import run_targets_file

    command = [sys.executable, "-m", "scanner", "worker", "--broker", str(args.broker)]
    threads = ["--concurrency", str(max(1, args.concurrency // max(workers, 1)))]
    started_workers = [
        subprocess.Popen([*command, *threads], stderr=subprocess.DEVNULL) for _ in range(workers)
    ]
    cpu_started = time.process_time() + children_cpu()
    started = time.perf_counter()
    result = run_targets_file(config, processes=args.processes, broker=args.broker)
    wall = time.perf_counter() - started
    for worker in started_workers:
        worker.terminate()
        worker.wait(30)
    cpu = time.process_time() + children_cpu() - cpu_started
    return result, wall, cpu, workers


if __name__ == "__main__":
    sys.exit(main())
