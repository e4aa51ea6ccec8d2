"""Every bench in bench/ runs at a tiny size, as a user runs it (``python bench/NAME.py``), so a
change to the document, the template, the sandbox or the scanner that breaks a bench fails here.

Each test asserts the bench finished and printed its figures; timings are never asserted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reports.html import decode_payload

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"\d+(?:\.\d+)?"


def run_bench(name: str, *args: str) -> str:
    """The bench's stdout; it must exit 0 (benches never exit non-zero over a timing)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / name), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a timing assertion
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr, completed.stderr[-3000:]
    return completed.stdout


def figure(pattern: str, output: str) -> re.Match[str]:
    match = re.search(pattern, output, re.MULTILINE)
    assert match, f"no line matching {pattern!r} in:\n{output}"
    return match


def test_render_html_bench_renders_the_product_document(tmp_path: Path) -> None:
    out = tmp_path / "bench.html"
    output = run_bench("render_html.py", "200", "--out", str(out))
    line = figure(rf"^200 findings: rendered in {NUMBER} s, ({NUMBER}) MB -> (.+)$", output)
    figure(r"^target: under 10 s and under 25 MB: (met|MISSED)$", output)
    assert Path(line.group(2)) == out
    assert float(line.group(1)) == pytest.approx(out.stat().st_size / 1e6, abs=0.01)
    page = out.read_text(encoding="utf-8")
    # the header comes from the real policy file (adequacy countries included), not a stub
    assert "adequacy accepted: CH, GB" in page
    blob = figure(r'data-page-size="\d+">([A-Za-z0-9+/=]+)</script>', page).group(1)
    payload = decode_payload(blob)
    assert len(payload["rows"]) == 200
    assert len(payload["targets"]) == 20


@pytest.mark.parametrize(
    ("args", "seeded"),
    [
        (["--buckets", "4", "--regions", "2"], 4),
        (["--mode", "full", "--resources", "16", "--regions", "2"], 16),
    ],
    ids=["s3", "full"],
)
def test_aws_scan_bench_scans_the_seeded_account(args: list[str], seeded: int) -> None:
    output = run_bench("aws_scan.py", *args, "--workers", "2")
    figure(rf"^seeded {seeded} resources over 2 regions in {NUMBER} s$", output)
    figure(rf"^wall time +{NUMBER} s", output)
    calls = figure(r"^API calls +(\d+) \(minimal plan (\d+); (within|OVER) plan\)$", output)
    assert int(calls.group(1)) > 0
    figure(rf"^calls/resource +{NUMBER}$", output)
    figure(r"^peak memory +\d+ MB", output)
    figure(r"^complete +True \(exit [01]\)$", output)
    figure(r"^  s3\.ListBuckets +1$", output)


def test_m365_scan_bench_collects_the_scaled_tenant() -> None:
    sizes = ["--users", "500", "--groups", "20", "--sites", "10", "--apps", "10"]
    output = run_bench(
        "m365_scan.py", *sizes, "--publishers", "3", "--guest-domains", "2", "--latency", "0"
    )
    figure(r"^tenant: 500 users, 20 groups, 10 sites, 10 apps; latency 0 ms", output)
    calls = figure(rf"^calls: (\d+) \(field-guide minimum (\d+), \+?-?{NUMBER}%\)$", output)
    assert int(calls.group(1)) >= int(calls.group(2)) > 0
    figure(r"^  users\.list: 1$", output)
    figure(rf"^wall time: {NUMBER} s", output)
    figure(rf"^peak memory: {NUMBER} MiB traced", output)
    assets = figure(r"^assets: (\d+), flows: (\d+), gaps: 0$", output)
    assert int(assets.group(1)) > 0


def test_msp_scan_bench_runs_every_client() -> None:
    output = run_bench(
        "msp_scan.py", "--clients", "2", "--latency", "0.001", "--concurrency", "2",
        "--processes", "2",
    )  # fmt: skip
    figure(r"^clients +2 \(6 targets\), concurrency 2, latency 1 ms, 2 process\(es\)$", output)
    figure(rf"^wall time +{NUMBER} s, scanner CPU {NUMBER} s$", output)
    figure(rf"^CPU per call +{NUMBER} ms$", output)
    calls = figure(r"^API calls +(\d+) per run \(served: (\d+) over 1 run\(s\)\)$", output)
    assert int(calls.group(1)) > 0
    figure(r"^peak memory +\d+ MiB", output)
    figure(r"^incomplete +0 target\(s\); failed clients: 0$", output)
    figure(rf"^ratio +{NUMBER} \(target <= 1\.5: (met|MISSED)\)$", output)
