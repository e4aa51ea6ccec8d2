"""The targets file: valid clients load with their own policy and folders; bad input is one
clear line naming file and line, and a secret value is never echoed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import ConfigError, UsageError
from scanner.targets import load_targets

Write = Callable[..., Path]

GOOD = """
version: 1
policy: base-policy.yaml
reports: {dir: out}
concurrency: 4
rate_limits: {slack: 5}
history: {keep_days: 30}
notify:
  - {type: slack, url: env:TEST_HOOK}
clients:
  - name: acme
    aws: {profile: acme-audit, regions: [eu-west-1]}
    slack: {token: env:TEST_SLACK_TOKEN, declared_region: frankfurt}
    policy: {adequacy_countries: [GB], waivers: [{check: storage-outside-allowed, resource: "x*",
             reason: migration, owner: dpo@acme.example, expires: 2030-01-01}]}
  - name: beta
    m365: {tenant_id: beta.onmicrosoft.com, auth: client_secret, client_id: abc,
           client_secret: file:secrets/beta.txt}
    policy: beta-policy.yaml
    reports: {dir: /srv/beta-reports, formats: [json]}
    fail_on: high
  - name: parked
    enabled: false
    aws: {profile: parked}
"""


@pytest.fixture
def good(write_tenants: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEST_HOOK", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("TEST_SLACK_TOKEN", "xoxb-test")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "beta.txt").write_text("s3cr3t\n")
    (tmp_path / "base-policy.yaml").write_text(
        "version: 1\nallowed_jurisdictions: [eu, eea]\nwaivers:\n"
        "  - {check: '*', resource: base-*, reason: r, owner: o, expires: 2030-01-01}\n"
    )
    (tmp_path / "beta-policy.yaml").write_text("forbidden_locations: ['aws:eu-central-1']\n")
    return write_tenants(GOOD)


def test_a_valid_file_gives_isolated_clients(good: Path, tmp_path: Path) -> None:
    config = load_targets(good)
    assert [c.name for c in config.clients] == ["acme", "beta"]  # parked is disabled
    acme, beta = config.clients
    assert [(t.name, t.provider) for t in acme.targets] == [
        ("acme/aws", "aws"),
        ("acme/slack", "slack"),
    ]
    assert acme.targets[0].settings == {"profile": "acme-audit", "regions": ["eu-west-1"]}
    # file: references are relative to the targets file, not to cron's working directory
    assert beta.targets[0].settings["client_secret"] == f"file:{tmp_path / 'secrets/beta.txt'}"
    assert acme.report_dir == tmp_path / "out" / "acme"
    assert beta.report_dir == Path("/srv/beta-reports")
    assert (acme.fail_on, beta.fail_on) == ("low", "high")
    assert config.concurrency == 4 and config.rate_limits == {"slack": 5}
    assert config.history.url == str(tmp_path / "out" / "history.sqlite")
    assert config.history.keep_days == 30
    assert config.lock_file == tmp_path / "out" / ".residency.lock"


def test_policy_overrides_merge_over_the_base_per_client(good: Path) -> None:
    acme, beta = load_targets(good).clients
    assert acme.policy.adequacy_countries == frozenset({"GB"})
    assert [w.resource for w in acme.policy.waivers] == ["base-*", "x*"]  # waivers add up
    assert beta.policy.adequacy_countries == frozenset()
    assert beta.policy.forbidden_locations == frozenset({"aws:eu-central-1"})
    assert [w.resource for w in beta.policy.waivers] == ["base-*"]
    assert acme.policy is not beta.policy


def test_only_selects_clients_and_rejects_unknown_names(good: Path) -> None:
    assert [c.name for c in load_targets(good, ("beta", "parked")).clients] == ["beta", "parked"]
    with pytest.raises(UsageError, match=r"no client named nobody \(known: acme, beta, parked\)"):
        load_targets(good, ("nobody",))


def error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_targets(path)
    return str(info.value)


def test_duplicate_client_name(write_tenants: Write) -> None:
    path = write_tenants(
        """
        clients:
          - name: acme
            aws: {profile: a}
          - name: ACME
            aws: {profile: b}
        """
    )
    assert (
        error(path)
        == f"{path}:4: clients[1].name: duplicate client name 'ACME' (first used at line 2)"
    )


def test_unknown_key_at_top_level_and_in_a_client(write_tenants: Write) -> None:
    path = write_tenants("clients:\n  - name: a\n    aws: {}\nretention: 3\n")
    assert error(path) == f"{path}:4: (top level): unknown key 'retention'"
    path = write_tenants("clients:\n  - name: a\n    aws: {}\n    polcy: x.yaml\n")
    assert error(path) == f"{path}:4: clients.0: unknown key 'polcy'"


def test_unknown_provider_setting_names_the_client(write_tenants: Write) -> None:
    path = write_tenants("clients:\n  - name: a\n    aws:\n      profile: x\n      rgion: eu\n")
    message = error(path)
    assert message.startswith(f"{path}:5: ")
    assert "unknown key 'rgion'" in message and "(client 'a', aws settings)" in message


def test_a_literal_secret_is_refused_without_echoing_it(write_tenants: Write) -> None:
    path = write_tenants(
        "clients:\n  - name: a\n    slack:\n      declared_region: frankfurt\n"
        "      token: xoxb-1111-2222-abcdefSECRET\n"
    )
    message = error(path)
    assert message.startswith(f"{path}:5: clients[0].slack.token: a literal secret is not allowed")
    assert "SECRET" not in message and "xoxb" not in message
    path = write_tenants(
        "clients:\n  - name: a\n    aws: {}\n    notify:\n"
        "      - {type: teams, url: 'https://example.webhook.office.com/abc'}\n"
    )
    assert error(path).startswith(f"{path}:5: clients[0].notify[0].url: a literal secret")


def test_a_credential_anywhere_else_is_refused(write_tenants: Write) -> None:
    path = write_tenants(
        "history:\n  url: postgresql://scanner:hunter2@db.internal/residency\n"
        "clients:\n  - name: a\n    aws: {}\n"
    )
    message = error(path)
    assert message.startswith(f"{path}:2: history.url: looks like a credential")
    assert "hunter2" not in message


def test_a_missing_environment_variable_fails_before_scanning(
    write_tenants: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    path = write_tenants(
        "clients:\n  - name: a\n    aws: {}\n  - name: b\n    slack:\n"
        "      token: env:NOT_SET_ANYWHERE\n"
    )
    assert error(path) == (
        f"{path}:6: clients[1].slack.token: "
        "environment variable NOT_SET_ANYWHERE is not set or empty"
    )
    # a client left out with --only is not checked
    assert [c.name for c in load_targets(path, ("a",)).clients] == ["a"]


def test_an_inline_policy_error_points_into_the_targets_file(write_tenants: Write) -> None:
    path = write_tenants(
        "clients:\n  - name: a\n    aws: {}\n    policy:\n      allowed_jurisdictions: [eu]\n"
        "      adequacy: [GB]\n"
    )
    assert error(path) == f"{path}:6: (top level): unknown key 'adequacy'"


VENDOR = "{id: %s, name: %s, kind: processor, dpa_signed: %s, review_date: %s}"


@pytest.mark.parametrize("where", ["inline", "file"])
def test_the_tenants_file_checks_the_vendor_register_like_policy(
    write_tenants: Write, tmp_path: Path, where: str
) -> None:
    """One policy loading path: duplicate vendors and impossible dates fail in a tenants file as
    they do with --policy, with the line of the offending entry."""
    duplicate = "\n".join(
        [
            "vendors:",
            "  - " + VENDOR % ("zen", "Zendesk", "2024-01-01", "2025-01-01"),
            "  - " + VENDOR % ("zen2", "zendesk", "2024-01-01", "2025-01-01"),
        ]
    )
    if where == "file":
        (tmp_path / "p.yaml").write_text(duplicate + "\n")
        path = write_tenants("clients:\n  - name: a\n    aws: {}\n    policy: p.yaml\n")
        assert (
            error(path)
            == f"{tmp_path / 'p.yaml'}:3: vendors.1.id: duplicate vendor 'zen2' (also vendors.0)"
        )
    else:
        block = "\n".join("      " + line for line in duplicate.splitlines())
        path = write_tenants(f"clients:\n  - name: a\n    aws: {{}}\n    policy:\n{block}\n")
        assert error(path) == f"{path}:7: vendors.1.id: duplicate vendor 'zen2' (also vendors.0)"
    backwards = "vendors:\n  - " + VENDOR % ("x", "X", "2024-01-01", "2023-01-01") + "\n"
    path = write_tenants(
        "clients:\n  - name: a\n    aws: {}\n    policy:\n"
        + "".join("      " + line + "\n" for line in backwards.splitlines())
    )
    assert "review date 2023-01-01 is before the DPA signing date 2024-01-01" in error(path)


def test_an_unknown_report_format(write_tenants: Write) -> None:
    path = write_tenants("reports: {formats: [pdf]}\nclients:\n  - name: a\n    aws: {}\n")
    assert error(path).startswith(
        f"{path}:1: reports.formats: unknown report format 'pdf' (known: "
    )
    path = write_tenants("clients:\n  - name: a\n    aws: {}\n    reports: {formats: [json, x]}\n")
    assert error(path).startswith(
        f"{path}:4: clients[0].reports.formats: unknown report format 'x'"
    )


def test_a_client_without_any_provider(write_tenants: Write) -> None:
    path = write_tenants("clients:\n  - name: a\n    description: nothing to scan\n")
    assert error(path).startswith(f"{path}:2: clients.0: ")


def test_a_missing_certificate_file_fails_before_scanning(
    write_tenants: Write, tmp_path: Path
) -> None:
    text = (
        "clients:\n  - name: a\n    m365:\n      tenant_id: contoso.example\n"
        "      client_id: app\n      certificate_path: certs/a.pem\n"
        "  - name: b\n    m365:\n      tenant_id: fabrikam.example\n      client_id: app\n"
        "      auth: workload_identity\n      federated_token_file: /no/such/token\n"
    )
    path = write_tenants(text)
    assert error(path) == (
        f"{path}:6: clients[0].m365.certificate_path: file {tmp_path / 'certs/a.pem'} not found"
    )
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "a.pem").write_text("PEM")
    assert error(path) == (
        f"{path}:12: clients[1].m365.federated_token_file: file /no/such/token not found"
    )
    (a,) = load_targets(path, ("a",)).clients
    # relative to the targets file, not to cron's working directory
    assert a.targets[0].settings["certificate_path"] == str(tmp_path / "certs" / "a.pem")
