"""The scheduling examples in docs/examples parse: targets file, crontab, systemd units,
Kubernetes CronJob and GitHub Actions workflow."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.errors import ConfigError
from scanner.cli import main
from scanner.targets import load_targets
from tests.conftest import require_system_tool

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
CRON_FIELD = r"(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*"
CRON = re.compile(rf"^{CRON_FIELD}(\s+{CRON_FIELD}){{4}}$")


def assert_cli_parses(argv: list[str]) -> None:
    """The arguments after the program name are accepted by `residency` (parsing only)."""
    ctx = main.make_context("residency", list(argv))
    name = next(a for a in argv if not a.startswith("-") and main.get_command(ctx, a))
    command = main.get_command(ctx, name)
    assert command is not None
    command.make_context(name, argv[argv.index(name) + 1 :], parent=ctx)


def test_the_example_targets_file_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("RESIDENCY_TEAMS_WEBHOOK", "RESIDENCY_SMTP_PASSWORD", "ACME_SLACK_TOKEN",
                 "ACME_SLACK_WEBHOOK", "BETA_GRAPH_SECRET"):  # fmt: skip
        monkeypatch.setenv(name, "example")
    # the example's certificate lives on the scan host: point it at one made here
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    tenants, certificate = tmp_path / "examples" / "tenants.yaml", tmp_path / "acme-graph.pem"
    text = tenants.read_text().replace("/etc/residency/acme-graph.pem", str(certificate))
    tenants.write_text(text)
    with pytest.raises(ConfigError, match=f"tenants.yaml:31: .*file {certificate} not found"):
        load_targets(tenants)  # before anything runs
    certificate.write_text("PEM")
    config = load_targets(tenants)
    assert [c.name for c in config.clients] == ["acme", "beta"]
    acme, beta = config.clients
    assert [t.provider for t in acme.targets] == ["aws", "m365", "slack"]
    assert acme.policy.adequacy_countries == frozenset({"CH", "GB"})
    assert [w.owner for w in acme.policy.waivers] == ["dpo@acme.example"]
    assert "aws:eu-west-1" in beta.policy.forbidden_locations
    assert config.rate_limits == {"m365": 20, "slack": 2}


def test_crontab_line() -> None:
    lines = [
        line for line in (EXAMPLES / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]  # fmt: skip
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert CRON.match(" ".join(fields[:5])), fields[:5]
    argv = shlex.split(fields[5])
    assert argv[0].endswith("/residency")
    assert_cli_parses(argv[1:])


def test_systemd_units() -> None:
    service = configparser.ConfigParser(strict=True, interpolation=None)
    service.optionxform = str  # type: ignore[assignment,method-assign]
    service.read(EXAMPLES / "residency-scan.service")
    assert service["Service"]["Type"] == "oneshot"
    assert_cli_parses(shlex.split(service["Service"]["ExecStart"])[1:])
    timer = configparser.ConfigParser(strict=True, interpolation=None)
    timer.read(EXAMPLES / "residency-scan.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    require_system_tool(analyze is not None, "systemd-analyze (Debian package systemd)")
    assert analyze is not None
    # verify needs an executable ExecStart: point it at this venv's residency
    real = str(Path(sys.executable).with_name("residency"))
    text = (EXAMPLES / "residency-scan.service").read_text()
    (tmp_path / "residency-scan.service").write_text(
        text.replace("/opt/residency/bin/residency", real)
    )
    shutil.copy(EXAMPLES / "residency-scan.timer", tmp_path)
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "residency-scan.service"),
         str(tmp_path / "residency-scan.timer")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")


def test_kubernetes_cronjob() -> None:
    doc = yaml.safe_load((EXAMPLES / "kubernetes-cronjob.yaml").read_text())
    assert (doc["apiVersion"], doc["kind"]) == ("batch/v1", "CronJob")
    assert CRON.match(doc["spec"]["schedule"])
    assert doc["spec"]["concurrencyPolicy"] == "Forbid"
    pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    assert_cli_parses(container["args"])
    mounted = {m["name"] for m in container["volumeMounts"]}
    assert mounted == {v["name"] for v in pod["volumes"]}


def test_worker_systemd_unit(tmp_path: Path) -> None:
    unit = configparser.ConfigParser(strict=True, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(EXAMPLES / "residency-worker.service")
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert "worker" in argv and "--broker" in argv
    assert argv[argv.index("--broker") + 1].startswith("env:")  # no password in the unit
    assert_cli_parses(argv[1:])
    analyze = shutil.which("systemd-analyze")
    require_system_tool(analyze is not None, "systemd-analyze (Debian package systemd)")
    real = str(Path(sys.executable).with_name("residency"))
    text = (EXAMPLES / "residency-worker.service").read_text()
    (tmp_path / "residency-worker.service").write_text(
        text.replace("/opt/residency/bin/residency", real).replace(
            "EnvironmentFile=", "EnvironmentFile=-"
        )
    )
    result = subprocess.run(
        [str(analyze), "verify", str(tmp_path / "residency-worker.service")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")


def test_kubernetes_worker_deployment() -> None:
    doc = yaml.safe_load((EXAMPLES / "kubernetes-workers.yaml").read_text())
    assert (doc["apiVersion"], doc["kind"]) == ("apps/v1", "Deployment")
    pod = doc["spec"]["template"]["spec"]
    assert (
        doc["spec"]["selector"]["matchLabels"].items()
        <= doc["spec"]["template"]["metadata"]["labels"].items()
    )
    (container,) = pod["containers"]
    args = container["args"]
    assert "worker" in args and args[args.index("--broker") + 1] == "env:REDIS_URL"
    assert "REDIS_URL" in {e["name"] for e in container["env"]}
    assert_cli_parses(args)


def test_github_actions_workflow() -> None:
    doc = yaml.safe_load((EXAMPLES / "github-actions-residency.yml").read_text())
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert CRON.match(triggers["schedule"][0]["cron"])
    assert doc["permissions"]["id-token"] == "write"
    steps = doc["jobs"]["scan"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert "aws-actions/configure-aws-credentials@v4" in uses
    aws = steps[uses.index("aws-actions/configure-aws-credentials@v4")]["with"]
    assert aws["role-to-assume"].startswith("arn:aws:iam::")
    entra = next(s for s in steps if "AzureADTokenExchange" in s.get("run", ""))
    assert "AZURE_FEDERATED_TOKEN_FILE" in entra["run"]
    scan = next(s for s in steps if s.get("id") == "scan")
    assert_cli_parses(shlex.split(scan["run"])[1:])
