"""The terminal: verdict first, what needs attention grouped worst first, live progress on a
terminal only, colour only where wanted, cloud names inert."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from scanner.terminal import ScanProgress, inert, print_summary

ROOT = Path(__file__).resolve().parents[1]
SGR_COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;[0-9;]+)m")


def finding(
    status: str,
    severity: str,
    name: str,
    check: str = "storage-outside-allowed",
    target: str = "acme-aws",
) -> Any:
    return {
        "check_id": check,
        "title": f"title of {check}",
        "target": target,
        "status": status,
        "severity": severity,
        "resource_name": name,
        "message": f"{name} is {status}",
        "location": "aws:us-east-1",
        "country": "US",
        "jurisdiction": "third_country",
    }


def document(*findings: Any) -> dict[str, Any]:
    by_status = dict.fromkeys(("pass", "fail", "warn", "manual", "error", "muted"), 0)
    for f in findings:
        by_status[f["status"]] += 1
    return {
        "summary": {
            "verdict": "fail" if by_status["fail"] else "pass",
            "targets": 1,
            "api_calls": 7,
            "by_status": by_status,
            "by_severity": {"critical": 0, "high": by_status["fail"], "medium": 0},
        },
        "targets": [{"name": "acme-aws", "error": None, "coverage": {"gaps": []}}],
        "findings": list(findings),
    }


def render(doc: dict[str, Any], show_passes: bool = False, **console: Any) -> str:
    out = io.StringIO()
    print_summary(doc, Console(file=out, soft_wrap=True, highlight=False, **console), show_passes)
    return out.getvalue()


def test_verdict_and_counts_come_first_and_passes_only_on_request() -> None:
    doc = document(
        finding("pass", "high", "eu-bucket"),
        finding("warn", "medium", "odd-bucket", check="aws-s3-tls-only"),
        finding("fail", "critical", "us-bucket"),
    )
    text = render(doc)
    lines = text.splitlines()
    assert lines[0].startswith("Verdict: FAIL") and "1 fail, 1 warn, 1 pass" in lines[0]
    assert "eu-bucket" not in text and "1 passing or muted finding(s) hidden" in text
    # the group holding the failure comes before the group holding only a warning
    assert text.index("us-bucket") < text.index("odd-bucket")
    assert "eu-bucket" in render(doc, show_passes=True)


def test_worst_first_inside_a_check() -> None:
    text = render(
        document(
            finding("warn", "high", "a-warned"),
            finding("fail", "medium", "b-medium"),
            finding("fail", "critical", "c-critical"),
        )
    )
    assert text.index("c-critical") < text.index("b-medium") < text.index("a-warned")


def test_the_worst_target_comes_first() -> None:
    text = render(
        document(
            finding("warn", "critical", "a-warned", target="a-target"),
            finding("fail", "low", "z-failed", target="z-target"),
        )
    )
    assert text.index("z-target") < text.index("a-target")


def test_cloud_names_stay_inert() -> None:
    evil = "\x1b[2J\x1b]0;owned\x07bucket[bold red]x[/]\x9b31m"
    text = render(document(finding("fail", "high", evil)), force_terminal=True)
    assert "\x1b[2J" not in text and "\x07" not in text and "\x9b" not in text
    assert "]0;owned" in text  # the payload is shown as text, its escape byte is gone
    assert "bucket[bold red]x[/]" in text  # markup in a name is printed, never interpreted
    assert inert("tab\tand\nnewline\rcr\x85") == "tab and newline cr "  # one printable line
    two_lines = render(document(finding("fail", "high", "first\nsecond")))
    assert "first second" in two_lines  # a name cannot start a line of its own


def test_colour_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = document(finding("fail", "high", "us-bucket"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert SGR_COLOUR.search(render(doc, force_terminal=True))
    assert not SGR_COLOUR.search(render(doc))  # not a terminal: plain text
    monkeypatch.setenv("NO_COLOR", "1")
    assert not SGR_COLOUR.search(render(doc, force_terminal=True))


def test_progress_counts_targets_and_calls_and_is_silent_off_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with ScanProgress(enabled=False, targets=["a", "b"]) as progress:
        ledger = progress.ledger("a")
        ledger.count("s3.ListBuckets")
        ledger.count("s3.GetBucketLocation")
        progress("a", "listing buckets\x1b[2J")
        (stage,) = [t.fields["stage"] for t in progress._live.tasks if t.fields["target"] == "a"]
        assert stage == "listing buckets [2J"  # the escape byte is gone
        progress("a", "finished")
        tasks = {t.fields["target"]: t for t in progress._live.tasks}
    assert ledger.total == 2
    assert tasks["a"].fields["calls"] == "2 API calls" and tasks["a"].finished
    assert tasks["b"].fields["calls"] == "" and not tasks["b"].finished
    assert tasks["scan"].fields["stage"] == "1/2 targets done"
    assert tasks["scan"].fields["calls"] == "2 API calls"
    assert tasks["a"].fields["stage"] == "done"
    assert capsys.readouterr().err == ""


def run_on_a_pty(*args: str, env: dict[str, str]) -> str:
    """Run `residency ARGS` with stdout and stderr on a pseudo-terminal; all it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        cwd=ROOT,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=30) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_demo_on_a_terminal(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
        "COLUMNS": "160",
        "LINES": "50",
    }
    env.pop("NO_COLOR", None)
    output = run_on_a_pty("demo", "--output-dir", str(tmp_path), env=env)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)
    assert "targets done" in plain and "API calls" in plain  # the live display ran
    summary = plain[plain.index("Verdict: FAIL") :]
    assert re.search(r"Verdict: FAIL\s+\d+ fail", summary)
    assert summary.index("Verdict") < summary.index("FAIL   ") < summary.index("Report:")
    assert "kn-crm-exports-legacy-us" in summary
    assert not re.search(r"^\s*PASS ", summary, re.MULTILINE)
    assert SGR_COLOUR.search(output)


def test_version_names_the_knowledge_base_release() -> None:
    from core.knowledge import default_kb
    from scanner import __version__
    from tests.conftest import run_cli

    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"residency {__version__} (knowledge base {default_kb().version})\n"
