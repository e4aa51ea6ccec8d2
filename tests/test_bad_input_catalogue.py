"""The bad-input catalogue: every hostile input or fault found so far, one row each.

A row gives the command line, the files it needs, the exit code the README gives that outcome,
a pattern for the first line on stderr, what must and must not exist afterwards and which
strings (secrets) must appear nowhere: not on stdout or stderr, not in any file written. Every
row is also checked for what no bad input may cause: a traceback, a leftover temp file, a hang.

A new bad input is one new row.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reports.registry import FORMATS, renderer
from tests.conftest import run_cli
from tests.test_cli import EMPTY_EVIDENCE

TOKEN = "xoxb-1111-2222-CATALOGUESECRET"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCATALOGKEY"
AWS_KEY_ID = "AKIAIOSFODNN7CATALOG"
DEEP = "[" * 5000 + "]" * 5000
HUGE = "1" * 5000
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)
EVIDENCE = EMPTY_EVIDENCE
COLLECTION = {
    "target": "acme",
    "provider": "aws",
    "started_at": "2026-11-28T10:00:00+00:00",
    "finished_at": "2026-11-28T10:00:01+00:00",
    "identity": {"account_id": "123456789012"},
    "assets": [],
    "flows": [],
    "gaps": [],
    "read": [],
    "calls": {},
}
ASSET = {
    "id": "aws:s3:::b",
    "provider": "aws",
    "kind": "s3.bucket",
    "name": "b",
    "location": "aws:us-east-1",
    "data_categories": ["unclassified"],
    "attributes": {},
}
TENANTS = (
    "version: 1\nclients:\n  - name: acme\n    aws: {{profile: audit, regions: [eu-west-1]}}\n{}"
)


def evidence(**collection: object) -> str:
    import json

    return json.dumps({**EVIDENCE, "collections": [{**COLLECTION, **collection}]})


def evidence_with(**top: object) -> str:
    import json

    return json.dumps({**EVIDENCE, **top})


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]  # "{tmp}" is the test's folder
    first_line: str  # regex for the first line on stderr
    exit_code: int = 2
    files: dict[str, str | bytes | None] = field(default_factory=dict)  # None: a FIFO
    env: dict[str, str] = field(default_factory=dict)
    must_exist: tuple[str, ...] = ()
    must_not_exist: tuple[str, ...] = ("out",)
    secrets: tuple[str, ...] = ()
    subprocess: bool = False  # rows that would hang in-process if the fix broke


CASES = [
    # --------------------------------------------------------------- tracebacks (were exit 1)
    Case(
        "policy-nested-deeply",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/p.yaml", "--output-dir", "{tmp}/out"),
        r"p\.yaml: not valid YAML: nested too deeply",
        files={"e.json": evidence(), "p.yaml": "version: 1\nx: " + DEEP},
    ),
    Case(
        "evidence-nested-deeply",
        ("evaluate", "{tmp}/e.json", "--output-dir", "{tmp}/out"),
        r"e\.json: not a valid evidence file: nested too deeply",
        files={"e.json": DEEP},
    ),
    Case(
        "report-nested-deeply",
        ("report", "{tmp}/r.json", "--output-dir", "{tmp}/out"),
        r"r\.json: not a valid findings report: nested too deeply",
        files={"r.json": DEEP},
    ),
    Case(
        "diff-nested-deeply",
        ("diff", "{tmp}/r.json", "{tmp}/r.json"),
        r"r\.json: not a valid findings report: nested too deeply",
        files={"r.json": DEEP},
        must_not_exist=(),
    ),
    Case(
        "policy-huge-integer",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/p.yaml", "--output-dir", "{tmp}/out"),
        r"p\.yaml: not valid YAML: a number is too long",
        files={"e.json": evidence(), "p.yaml": f"version: {HUGE}\n"},
    ),
    Case(
        "evidence-huge-integer",
        ("evaluate", "{tmp}/e.json", "--output-dir", "{tmp}/out"),
        r"e\.json: not a valid evidence file: a number is too long",
        files={"e.json": '{"evidence_version": "1.0", "started_at": ' + HUGE + "}"},
    ),
    Case(
        "report-huge-integer",
        ("report", "{tmp}/r.json", "--output-dir", "{tmp}/out"),
        r"r\.json: not a valid findings report: a number is too long",
        files={"r.json": '{"summary": ' + HUGE + "}"},
    ),
    Case(
        "evidence-location-is-a-number",
        ("evaluate", "{tmp}/e.json", "--output-dir", "{tmp}/out"),
        r"e\.json: malformed evidence: collections\.0\.assets\.0\.location: 7 is not of type",
        files={"e.json": evidence(assets=[{**ASSET, "location": 7}])},
    ),
    Case(
        "evidence-identity-null",
        ("evaluate", "{tmp}/e.json", "--output-dir", "{tmp}/out"),
        r"e\.json: malformed evidence: collections\.0\.identity: None is not of type 'object'",
        files={"e.json": evidence(identity=None)},
    ),
    Case(
        "evidence-date-not-a-date",
        ("evaluate", "{tmp}/e.json", "--output-dir", "{tmp}/out"),
        r"e\.json: malformed evidence: collections\.0\.started_at: 'yesterday' is not a valid",
        files={"e.json": evidence(started_at="yesterday")},
    ),
    Case(
        "evidence-unknown-provider",
        ("evaluate", "{tmp}/e.json", "--output-dir", "{tmp}/out"),
        r"e\.json: malformed evidence: collections\.0\.provider: 'gcp' is not one of",
        files={"e.json": evidence(provider="gcp")},
    ),
    Case(
        "evidence-failures-wrong-type",
        ("evaluate", "{tmp}/e.json", "--output-dir", "{tmp}/out"),
        r"e\.json: malformed evidence: failures: ",
        files={"e.json": evidence_with(failures={"a": 1})},
    ),
    Case(
        "report-wrong-types",
        ("report", "{tmp}/r.json", "--output-dir", "{tmp}/out"),
        r"r\.json: not a findings report: ",
        files={"r.json": '{"findings": 5, "summary": null}'},
    ),
    Case(
        "binary-secret-file",
        ("scan", "slack", "--token", "file:{tmp}/t.bin", "--output-dir", "{tmp}/out"),
        r"secret file .*t\.bin is not UTF-8 text \(value not shown\)",
        files={"t.bin": b"\xff\xfe\x00binary-token"},
        must_not_exist=("out/report.json",),
    ),
    Case(
        "keep-days-overflow",
        ("scan", "--config", "{tmp}/t.yaml"),
        r"t\.yaml:\d+: history\.keep_days: 99999999999 is greater than the maximum",
        files={"t.yaml": TENANTS.format("history: {keep_days: 99999999999}\n")},
        must_not_exist=("reports",),
    ),
    # --------------------------------------------------------------- leaks
    Case(
        "policy-is-a-token-file",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/token.txt", "--output-dir", "{tmp}/out"),
        r"token\.txt: \(top level\): the value \(not shown\) is not of type 'object'",
        files={"e.json": evidence(), "token.txt": TOKEN + "\n"},
        secrets=(TOKEN, "CATALOGUESECRET"),
    ),
    Case(
        "policy-is-a-dotenv-file",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/.env", "--output-dir", "{tmp}/out"),
        r"\.env: \(top level\): the value \(not shown\) is not of type 'object'",
        files={"e.json": evidence(), ".env": f"SLACK_TOKEN={TOKEN}\nAWS_SECRET={AWS_SECRET}\n"},
        secrets=("CATALOGUESECRET", AWS_SECRET),
    ),
    Case(
        "tenants-policy-is-a-token-file",
        ("scan", "--config", "{tmp}/t.yaml"),
        r"token\.txt: \(top level\): the value \(not shown\) is not of type 'object'",
        files={"t.yaml": TENANTS.format("policy: token.txt\n"), "token.txt": TOKEN},
        secrets=("CATALOGUESECRET",),
        must_not_exist=("reports",),
    ),
    Case(
        "aws-secret-in-region",
        ("scan", "aws", "--region", AWS_KEY_ID, "--output-dir", "{tmp}/out"),
        r"region: the value \(not shown\) does not match the expected form",
        secrets=(AWS_KEY_ID,),
    ),
    Case(
        "aws-secret-in-regions",
        ("scan", "aws", "--regions", f"eu-west-1,{AWS_SECRET}", "--output-dir", "{tmp}/out"),
        r"regions\.1: the value \(not shown\) does not match the expected form",
        secrets=(AWS_SECRET,),
    ),
    Case(
        "aws-secret-in-profile",
        (
            "scan",
            "aws",
            "--profile",
            AWS_SECRET,
            "--regions",
            "eu-west-1",
            "--output-dir",
            "{tmp}/out",
        ),
        r"no target could be scanned .*profile \(\*\*\*\) could not be found",
        env={"AWS_CONFIG_FILE": "{tmp}/none", "AWS_SHARED_CREDENTIALS_FILE": "{tmp}/none"},
        secrets=(AWS_SECRET,),
        must_not_exist=("out/report.json",),
    ),
    Case(
        "hard-wrapped-token-file",
        ("scan", "slack", "--token", "file:{tmp}/t.txt", "--output-dir", "{tmp}/out"),
        r"secret file .*t\.txt holds whitespace, a line break or a control character",
        files={"t.txt": "xoxb-1111-2222-\nCATALOGUESECRET\n"},
        secrets=("CATALOGUESECRET",),
        must_not_exist=("out/report.json",),
    ),
    Case(
        "token-env-with-a-newline",
        ("scan", "slack", "--token", "env:CATALOGUE_TOKEN", "--output-dir", "{tmp}/out"),
        r"environment variable CATALOGUE_TOKEN holds whitespace",
        env={"CATALOGUE_TOKEN": "xoxb-1111\nCATALOGUESECRET"},
        secrets=("CATALOGUESECRET",),
        must_not_exist=("out/report.json",),
    ),
    Case(
        "history-url-wrong-scheme",
        ("history", "--db", "mysql://scanner:CATALOGUEPW@db.example/h"),
        r"history database: unsupported URL \(not shown\)",
        secrets=("CATALOGUEPW",),
        must_not_exist=("mysql:",),
    ),
    Case(
        "history-url-sqlalchemy-postgres",
        ("history", "--db", "postgresql+psycopg://scanner:CATALOGUEPW@127.0.0.1:9/h"),
        r"history database postgresql://scanner@127\.0\.0\.1:9/h: cannot connect",
        secrets=("CATALOGUEPW",),
        must_not_exist=("postgresql+psycopg:",),
    ),
    Case(
        "tenants-history-url-with-a-literal-password",
        ("scan", "--config", "{tmp}/t.yaml"),
        r"t\.yaml:\d+: history\.url: looks like a credential written into the file",
        files={"t.yaml": TENANTS.format("history: {url: 'mysql://u:CATALOGUEPW@db/h'}\n")},
        secrets=("CATALOGUEPW",),
        must_not_exist=("reports", "mysql:"),
    ),
    Case(
        "tenants-history-url-wrong-scheme",
        ("scan", "--config", "{tmp}/t.yaml"),
        r"t\.yaml:\d+: history\.url: history database: unsupported URL \(not shown\)",
        files={"t.yaml": TENANTS.format("history: {url: 'mysql://db.example/h'}\n")},
        must_not_exist=("reports", "mysql:"),
    ),
    # --------------------------------------------------------------- hangs
    Case(
        "evidence-is-a-fifo",
        ("evaluate", "{tmp}/e.json", "--output-dir", "{tmp}/out"),
        r"e\.json: not a regular file",
        files={"e.json": None},
        subprocess=True,
    ),
    Case(
        "policy-is-a-fifo",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/p.yaml", "--output-dir", "{tmp}/out"),
        r"p\.yaml: not a regular file",
        files={"e.json": evidence(), "p.yaml": None},
        subprocess=True,
    ),
    Case(
        "evidence-output-is-a-fifo",
        (
            "scan",
            "aws",
            "--regions",
            "eu-west-1",
            "--evidence",
            "{tmp}/ev.json",
            "--output-dir",
            "{tmp}/out",
        ),
        r"cannot write .*ev\.json: not a regular file",
        files={"ev.json": None},
        must_not_exist=("out/report.json",),
        subprocess=True,
    ),
    Case(
        "rate-limit-a-call-per-decades",
        ("scan", "--config", "{tmp}/t.yaml"),
        r"t\.yaml:\d+: rate_limits\.aws: 1e-09 is less than the minimum of 0\.01",
        files={"t.yaml": TENANTS.format("rate_limits: {aws: 1.0e-9}\n")},
        must_not_exist=("reports",),
    ),
    # --------------------------------------------------------------- wrong or unclear outcomes
    Case(
        "regions-empty",
        ("scan", "aws", "--regions", "", "--output-dir", "{tmp}/out"),
        r"regions: \[\] has too few items",
    ),
    Case(
        "regions-only-commas",
        ("scan", "aws", "--regions", ",,", "--output-dir", "{tmp}/out"),
        r"regions: \[\] has too few items",
    ),
    Case(
        "adequacy-uk-is-not-iso",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/p.yaml", "--output-dir", "{tmp}/out"),
        r"p\.yaml:2: adequacy_countries\.0: 'UK': not an ISO 3166-1 country code",
        files={"e.json": evidence(), "p.yaml": "version: 1\nadequacy_countries: [UK]\n"},
    ),
    Case(
        "adequacy-xx-has-no-decision",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/p.yaml", "--output-dir", "{tmp}/out"),
        r"p\.yaml:2: adequacy_countries\.0: 'XX': not an ISO 3166-1 country code",
        files={"e.json": evidence(), "p.yaml": "version: 1\nadequacy_countries: [XX]\n"},
    ),
    Case(
        "adequacy-country-without-decision",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/p.yaml", "--output-dir", "{tmp}/out"),
        r"adequacy_countries\.0: 'CN': no EU adequacy decision covers this country",
        files={"e.json": evidence(), "p.yaml": "version: 1\nadequacy_countries: [CN]\n"},
    ),
    Case(
        "unwritable-evidence-path",
        (
            "scan",
            "aws",
            "--regions",
            "eu-west-1",
            "--evidence",
            "{tmp}/afile/ev.json",
            "--output-dir",
            "{tmp}/out",
        ),
        r"cannot write reports to .*afile: ",
        files={"afile": "not a folder"},
        must_not_exist=("out/report.json",),
    ),
    Case(
        "two-clients-one-report-folder",
        ("scan", "--config", "{tmp}/t.yaml"),
        r"t\.yaml:\d+: clients\[1\]\.reports\.dir: report folder .* is also acme's",
        files={
            "t.yaml": TENANTS.format("")
            + "  - name: beta\n    aws: {profile: b, regions: [eu-west-1]}\n"
            "    reports: {dir: reports/acme}\n"
        },
        must_not_exist=("reports",),
    ),
    Case(
        "policy-alias-bomb",
        ("evaluate", "{tmp}/e.json", "--policy", "{tmp}/p.yaml", "--output-dir", "{tmp}/out"),
        r"p\.yaml:\d+: not valid YAML: aliases \(\*name\) are not allowed",
        files={"e.json": evidence(), "p.yaml": ALIAS_BOMB},
    ),
    Case(
        "tenants-alias-bomb",
        ("scan", "--config", "{tmp}/t.yaml"),
        r"t\.yaml:\d+: not valid YAML: aliases \(\*name\) are not allowed",
        files={"t.yaml": ALIAS_BOMB},
    ),
    Case(
        "slack-api-url-in-clear",
        (
            "scan",
            "slack",
            "--token",
            "env:CATALOGUE_TOKEN",
            "--api-url",
            "http://slack.example/api/",
            "--output-dir",
            "{tmp}/out",
        ),
        r"api_url must be an https URL \(plain http only to a loopback address",
        env={"CATALOGUE_TOKEN": TOKEN},
        secrets=(TOKEN,),
        must_not_exist=("out/report.json",),
    ),
    Case(
        "lone-surrogate-in-a-cloud-name",
        (
            "evaluate",
            "{tmp}/e.json",
            *(f"--format={name}" for name in sorted(FORMATS)),
            "--output-dir",
            "{tmp}/out",
        ),
        r"^$",
        exit_code=1,
        files={"e.json": evidence(assets=[{**ASSET, "name": "bad\ud800name"}])},
        must_exist=tuple(f"out/report.{renderer(name)[1]}" for name in FORMATS),
        must_not_exist=(),
    ),
]


def _materialise(case: Case, tmp: Path) -> tuple[list[str], dict[str, str]]:
    for name, content in case.files.items():
        path = tmp / name
        if content is None:
            os.mkfifo(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
    args = [a.replace("{tmp}", str(tmp)) for a in case.args]
    env = {k: v.replace("{tmp}", str(tmp)) for k, v in case.env.items()}
    return args, env


def _run(case: Case, args: list[str], env: dict[str, str], tmp: Path) -> tuple[int, str, str]:
    if case.subprocess:
        done = subprocess.run(
            [sys.executable, "-m", "scanner", *args],
            capture_output=True,
            text=True,
            timeout=120,  # a hang fails the row instead of the whole run
            env={**os.environ, **env},
            cwd=tmp,
        )
        return done.returncode, done.stdout, done.stderr
    result = run_cli(*args)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args, env = _materialise(case, tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, stdout, stderr = _run(case, args, env, tmp_path)

    assert code == case.exit_code, stderr
    first = stderr.splitlines()[0] if stderr else ""
    assert re.search(case.first_line, first), first
    if code == 2:
        assert first.startswith("residency: error: ") and len(stderr.splitlines()) == 1, stderr
    assert "Traceback" not in stderr + stdout
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    for name in case.must_exist:
        assert (tmp_path / name).exists(), name
    for name in case.must_not_exist:
        assert not (tmp_path / name).exists(), name
    written = [
        p.read_bytes().decode("utf-8", "replace")
        for p in tmp_path.rglob("*")
        if p.is_file() and p.relative_to(tmp_path).as_posix() not in case.files
    ]
    for secret in case.secrets:
        assert secret not in stdout + stderr, secret
        assert not [text for text in written if secret in text], secret
