"""The `residency` command line: flags in, objects out; all the work happens elsewhere.

Exit codes: 0 clean; 1 violations at or above --fail-on; 2 could not start (usage, config,
auth); 3 scan incomplete (something could not be read). When several apply, 2 beats 3 beats 1.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from core.errors import ScannerError
from core.models import SEVERITIES
from core.secrets import redact
from core.text import inert
from scanner import __version__
from scanner.worker import resolve_broker, worker_command

EXIT_CODES = """\b
Exit codes:
  0  clean: no failing finding at or above --fail-on
  1  violations at or above --fail-on
  2  could not start (usage, config or policy error, authentication)
  3  scan incomplete (something could not be read)
  When several apply, 2 beats 3 beats 1."""

SEVERITY_CHOICE = click.Choice(SEVERITIES)
log = logging.getLogger("residency")


def friendly(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ScannerError into one line on stderr and its exit code, any other exception into one
    line and exit 2 (never 1, which means "violations"); tracebacks only with --debug."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool((click.get_current_context().find_root().obj or {}).get("debug"))
        try:
            return function(*args, **kwargs)
        except ScannerError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"residency: error: {inert(redact(str(exc)))}", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:  # `residency ... | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:  # a bug or an unforeseen input: still one line, and not "1"
            if debug:
                traceback.print_exc()
            detail = inert(redact(f"{type(exc).__name__}: {exc}"))
            click.echo(
                f"residency: internal error: {detail} (run with --debug for details)", err=True
            )
            sys.exit(2)
        except KeyboardInterrupt as exc:  # its text, if any, says which reports were written
            click.echo(f"residency: interrupted; {str(exc) or 'no report written'}", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            # Worker threads may be inside an API call with retries; exiting now (nothing was
            # written: reports are renamed into place only when complete) beats waiting.
            os._exit(130)

    return wrapper


def report_options(function: Callable[..., Any]) -> Callable[..., Any]:
    from reports.registry import FORMATS

    function = click.option(
        "--format",
        "formats",
        multiple=True,
        type=click.Choice(sorted(FORMATS)),
        default=("json",),
        show_default=True,
        help="Report format; repeat for several.",
    )(function)
    return click.option(
        "--output-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Folder for report files (written atomically).",
    )(function)


def evaluation_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--policy",
        "policy_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Policy YAML (default: EU + EEA allowed, nothing else).",
    )(function)
    function = click.option(
        "--fail-on",
        type=SEVERITY_CHOICE,
        default="low",
        show_default=True,
        help="Lowest severity of a failing finding that makes the exit code 1.",
    )(function)
    function = show_passes_option(function)
    return click.option(
        "--summary/--no-summary",
        default=None,
        help="Print the verdict and findings (default: only on a terminal).",
    )(function)


def show_passes_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--show-passes", is_flag=True, help="Also list passing findings (as does -v)."
    )(function)


def _print_version(ctx: click.Context) -> None:
    """``residency 0.1.0 (knowledge base 2026.11.28)``: the release date of its facts."""
    from core.knowledge import default_kb

    click.echo(f"residency {__version__} (knowledge base {default_kb().version})")
    ctx.exit()


@click.group(epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help="Show the version and the knowledge base's date, then exit.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("-v", "--verbose", count=True, help="More log output on stderr.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log line format on stderr.",
)
@click.option(
    "--group-access",
    is_flag=True,
    help="Make reports, evidence and the history group-readable (0640, folders 0750); "
    "the default is owner-only (0600/0700): they hold personal data.",
)
@click.pass_context
def main(
    ctx: click.Context, debug: bool, verbose: int, log_format: str, group_access: bool
) -> None:
    """Does our customer data stay in Europe? Scan AWS, Microsoft 365 and Slack for where
    personal data is stored and copied, and whether each transfer is covered (GDPR Ch. V)."""
    from reports.writer import allow_group_access
    from scanner.terminal import setup_logging

    ctx.obj = {"debug": debug, "verbose": verbose}
    setup_logging(log_format, verbose, debug)
    allow_group_access(group_access)


# ----------------------------------------------------------------------------- scan / collect


def _load_policy(path: Path | None) -> Any:
    from core.policy import Policy

    return Policy.load(path) if path else Policy()


def _target(provider: str, name: str | None, options: dict[str, Any]) -> Any:
    from connectors.base import Target
    from connectors.registry import validate_settings
    from core.errors import ConfigError

    settings = {k: v for k, v in options.items() if v is not None}
    try:
        validate_settings(provider, settings, f"residency scan {provider}")
    except ConfigError as exc:
        raise ConfigError(_option_names(str(exc))) from None
    return Target(name=name or provider, provider=provider, settings=settings)


def _option_names(message: str) -> str:
    """Say '--tenant-id is required', not "'tenant_id' is required": only in the messages
    that name missing settings, never in ones that quote a bad value."""
    message = message.replace("(top level): ", "")
    if "is required" not in message and "needs at least one of" not in message:
        return message
    message = message.replace(": needs at least one of:", ": needs at least one of")
    return re.sub(r"'(\w+)'", lambda m: "--" + m.group(1).replace("_", "-"), message)


def _finish(
    document: dict[str, Any],
    formats: tuple[str, ...],
    output_dir: Path,
    fail_on: str,
    summary: bool | None,
    show_passes: bool,
    demo: bool = False,
) -> None:
    from reports.writer import write_reports
    from scanner.scan import exit_code
    from scanner.terminal import console, print_summary

    paths = write_reports(document, list(formats), output_dir)
    show = summary if summary is not None else sys.stdout.isatty()
    if show:
        out = console()
        print_summary(document, out, show_passes or _verbose())
        out.print(f"\nReport: {', '.join(str(p) for p in paths)}", markup=False)
    for path in paths:
        log.info("wrote %s", path)
    code = exit_code(document, fail_on)
    sys.exit(0 if demo and code == 1 else code)


def _verbose() -> bool:
    return bool(click.get_current_context().find_root().obj.get("verbose"))


def _collect(targets: list[Any]) -> Any:
    from scanner.scan import collect_targets
    from scanner.terminal import ScanProgress, on_terminal

    debug = bool(click.get_current_context().find_root().obj.get("debug"))
    with ScanProgress(on_terminal(), [t.name for t in targets]) as progress:
        outcome = collect_targets(targets, progress, debug=debug, ledger=progress.ledger)
    if not outcome.collections:
        errors = "; ".join(f"{f['target']}: {f['error']}" for f in outcome.failures)
        raise ScannerError(f"no target could be scanned ({errors}); no report written")
    return outcome


class ProviderGroup(click.Group):
    """`scan <provider>` / `collect <provider>`: options come from each provider's cli_options."""

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action

    def list_commands(self, ctx: click.Context) -> list[str]:
        from connectors.registry import PROVIDERS

        return sorted(PROVIDERS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from connectors.registry import PROVIDERS, cli_options

        if name not in PROVIDERS:
            return None
        builders = {"scan": _scan_command, "collect": _collect_command, "doctor": _doctor_command}
        command = builders[self.action](name)
        command.params[:0] = cli_options(name)
        return command


def _scan_command(provider: str) -> click.Command:
    @click.command(name=provider, epilog=EXIT_CODES, help=f"Scan one {provider} target now.")
    @click.option("--name", "target_name", help="Name of the target in the report.")
    @click.option(
        "--evidence",
        "evidence_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also save the collected evidence to this file.",
    )
    @evaluation_options
    @report_options
    @friendly
    def command(
        target_name: str | None,
        evidence_path: Path | None,
        policy_path: Path | None,
        fail_on: str,
        summary: bool | None,
        show_passes: bool,
        formats: tuple[str, ...],
        output_dir: Path,
        **options: Any,
    ) -> None:
        from core.knowledge import default_kb
        from reports.writer import ensure_writable, write_atomic
        from scanner.scan import evaluate_outcome, evidence_document

        policy = _load_policy(policy_path)
        target = _target(provider, target_name, options)
        ensure_writable(output_dir)
        if evidence_path:  # before the scan spends its API calls, not after
            ensure_writable(evidence_path.parent, evidence_path)
        outcome = _collect([target])
        if evidence_path:
            write_atomic(evidence_path, json.dumps(evidence_document(outcome), indent=2))
        document = evaluate_outcome(outcome, policy, default_kb())
        _finish(document, formats, output_dir, fail_on, summary, show_passes)

    return command


def _collect_command(provider: str) -> click.Command:
    @click.command(name=provider, help=f"Collect evidence from one {provider} target.")
    @click.option("--name", "target_name", help="Name of the target in the evidence.")
    @click.option(
        "--output-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Folder for evidence.json.",
    )
    @friendly
    def command(target_name: str | None, output_dir: Path, **options: Any) -> None:
        from reports.writer import ensure_writable, write_atomic
        from scanner.scan import evidence_document

        target = _target(provider, target_name, options)
        ensure_writable(output_dir)
        outcome = _collect([target])
        path = write_atomic(
            output_dir / "evidence.json", json.dumps(evidence_document(outcome), indent=2)
        )
        click.echo(str(path))
        sys.exit(3 if outcome.failures or any(c.gaps for c in outcome.collections) else 0)

    return command


DOCTOR_EXIT_CODES = """\b
Exit codes:
  0  a scan would be complete
  2  could not start (usage, config, credentials)
  3  a scan would be incomplete: a permission is missing
  With --config: the worst code over all targets."""


def _doctor_command(provider: str) -> click.Command:
    @click.command(
        name=provider,
        epilog=DOCTOR_EXIT_CODES,
        help=f"Check one {provider} target's credentials and permissions.",
    )
    @click.option("--name", "target_name", help="Name of the target.")
    @friendly
    def command(target_name: str | None, **options: Any) -> None:
        from scanner.doctor import checkup, print_checkup
        from scanner.terminal import console

        result = checkup(_target(provider, target_name, options))
        print_checkup(result, console())
        sys.exit(result.exit_code)

    return command


@friendly
def _doctor_config(config_path: Path | None, only: tuple[str, ...]) -> None:
    """`residency doctor --config tenants.yaml`: one line per target of every client."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is not None:
        if config_path or only:
            raise click.UsageError("--config/--only check a targets file; drop the provider name")
        return
    if config_path is None:
        click.echo(ctx.get_help())
        sys.exit(2)
    from scanner.doctor import checkups, worst_exit_code
    from scanner.targets import load_targets
    from scanner.terminal import console

    config = load_targets(config_path, only)
    results = checkups([t for c in config.clients for t in c.targets], config.concurrency)
    out = console()
    for result in results:
        out.print(result.line(), markup=False)
    sys.exit(worst_exit_code(results))


CONFIG_EXIT_CODES = f"""{EXIT_CODES}
  With --config: the worst code over all clients; 2 also when another run
  holds the lock, the history database is unusable or a report could not
  be written (the other clients' reports are still written)."""


@friendly
def _scan_config(
    config_path: Path | None,
    only: tuple[str, ...],
    no_history: bool,
    processes: int | None,
    broker: str | None,
) -> None:
    """`residency scan --config tenants.yaml`: every client, quiet unless one needs attention."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is not None:
        if config_path or only or processes or broker:
            raise click.UsageError(
                "--config, --only, --processes and --broker scan a targets file; "
                "drop the provider name"
            )
        return
    if config_path is None:
        if only or processes or broker:
            raise click.UsageError("--only, --processes and --broker need --config")
        click.echo(ctx.get_help())
        sys.exit(2)
    from scanner.multiscan import run_targets_file
    from scanner.targets import load_targets
    from scanner.terminal import ScanProgress, on_terminal

    broker = resolve_broker(broker) if broker else None
    config = load_targets(config_path, only, check_secrets=broker is None)
    debug = bool(ctx.find_root().obj.get("debug"))
    with ScanProgress(on_terminal()) as progress:
        result = run_targets_file(
            config,
            progress,
            debug=debug,
            use_history=not no_history,
            processes=processes or os.cpu_count() or 1,
            broker=broker,
        )
    for alert in result.attention():
        click.echo(inert(alert.headline() + (f" (report: {alert.report})" if alert.report else "")))
    sys.exit(result.exit_code)


main.add_command(
    ProviderGroup(
        name="scan",
        action="scan",
        help="Scan a target now (scan PROVIDER ...), or every client of a targets file "
        "(scan --config tenants.yaml).",
        epilog=CONFIG_EXIT_CODES,
        invoke_without_command=True,
        callback=_scan_config,
        params=[
            click.Option(
                ["--config", "config_path"],
                type=click.Path(dir_okay=False, path_type=Path),
                help="Targets file (tenants.yaml): scan every client in it.",
            ),
            click.Option(
                ["--only"],
                multiple=True,
                metavar="NAME",
                help="With --config: scan only this client; repeat for several.",
            ),
            click.Option(
                ["--no-history"],
                is_flag=True,
                help="With --config: do not read or record the run history.",
            ),
            click.Option(
                ["--processes"],
                type=click.IntRange(min=1, max=256),
                help="With --config: collect in this many local processes "
                "[default: the number of cores].",
            ),
            click.Option(
                ["--broker"],
                metavar="URL",
                help="With --config: queue the clients for `residency worker` processes on "
                "any machine (redis://HOST:PORT/DB, or env:NAME holding it).",
            ),
        ],
    )
)
main.add_command(
    ProviderGroup(
        name="doctor",
        action="doctor",
        help="Check credentials and permissions before a scan (doctor PROVIDER ...), or for "
        "every client of a targets file (doctor --config tenants.yaml).",
        epilog=DOCTOR_EXIT_CODES,
        invoke_without_command=True,
        callback=_doctor_config,
        params=[
            click.Option(
                ["--config", "config_path"],
                type=click.Path(dir_okay=False, path_type=Path),
                help="Targets file (tenants.yaml): check every client in it.",
            ),
            click.Option(
                ["--only"],
                multiple=True,
                metavar="NAME",
                help="With --config: check only this client; repeat for several.",
            ),
        ],
    )
)
main.add_command(
    ProviderGroup(
        name="collect", action="collect", help="Save evidence only (evaluate it later offline)."
    )
)


@main.command(epilog=EXIT_CODES)
@click.argument("evidence", type=click.Path(dir_okay=False, path_type=Path))
@evaluation_options
@report_options
@friendly
def evaluate(
    evidence: Path,
    policy_path: Path | None,
    fail_on: str,
    summary: bool | None,
    show_passes: bool,
    formats: tuple[str, ...],
    output_dir: Path,
) -> None:
    """Re-run the checks on saved EVIDENCE (no cloud access)."""
    from core.errors import ConfigError
    from core.knowledge import default_kb
    from scanner.scan import evaluate_outcome, load_evidence

    policy = _load_policy(policy_path)
    outcome = load_evidence(evidence)
    try:
        document = evaluate_outcome(outcome, policy, default_kb())
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # Attributes are free-form per resource kind: one the checks cannot read (a date that
        # is not a date) means the file was not written by `residency collect`.
        raise ConfigError(
            f"{evidence}: malformed evidence: a resource attribute has the wrong form "
            f"({type(exc).__name__}); was it written by `residency collect`?"
        ) from None
    _finish(document, formats, output_dir, fail_on, summary, show_passes)


@main.command()
@click.argument("findings", type=click.Path(dir_okay=False, path_type=Path))
@report_options
@friendly
def report(findings: Path, formats: tuple[str, ...], output_dir: Path) -> None:
    """Render a saved FINDINGS report (report.json) into other formats."""
    from reports.load import load_report
    from reports.writer import write_reports

    document = load_report(findings)
    for path in write_reports(document, list(formats), output_dir):
        click.echo(str(path))


@main.command(name="history")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Targets file whose history to show.",
)
@click.option("--db", "url", help="History database: a SQLite path or a postgresql:// URL.")
@click.option("--target", "target", help="Only runs that scanned this target (client/provider).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@friendly
def history_command(
    config_path: Path | None, url: str | None, target: str | None, limit: int, as_json: bool
) -> None:
    """List recorded runs, latest first (exit 2 if the database is missing or unusable)."""
    from core.secrets import is_reference, resolve_secret
    from scanner.history import open_history

    timeout = 5.0
    if url is None:
        if config_path is None:
            raise click.UsageError("give --config tenants.yaml or --db URL")
        from scanner.targets import load_targets

        config = load_targets(config_path, check_secrets=False)  # history needs no credentials
        if not config.history.url:
            raise click.UsageError(f"{config_path}: history is disabled")
        url, timeout = config.history.url, config.history.timeout
    elif is_reference(url):  # env:NAME / file:PATH keep a PostgreSQL password off the command line
        url = resolve_secret(url, where="--db").reveal()
    with open_history(url, timeout, create=False) as store:
        runs = store.runs(limit, target)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in runs], indent=2))
        return
    click.echo(f"{'RUN':<32}  {'STARTED':<25}  EXIT  TARGETS  INCOMPLETE  FAILS")
    for r in runs:
        click.echo(
            f"{r.id:<32}  {r.started_at:<25}  {r.exit_code:<4}  {r.targets:<7}  "
            f"{r.incomplete:<10}  {r.fails}"
        )


# ----------------------------------------------------------------------------- kb / checks


@main.group()
def kb() -> None:
    """Look things up in the knowledge base (regions, geos, countries, adequacy)."""


@kb.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@friendly
def lookup(code: str, as_json: bool) -> None:
    """Resolve CODE such as aws:eu-west-2, m365:NAM, slack:frankfurt or country:CH.

    \b
    Exit codes:
      0  the knowledge base knows CODE (also a region whose country is open, e.g. entra:EU)
      2  CODE is not in the knowledge base (a line on stderr says so)"""
    from core.knowledge import default_kb, describe

    knowledge = default_kb()
    place = knowledge.resolve(code)
    if as_json:
        click.echo(json.dumps({"kb_version": knowledge.version, **place.to_dict()}, indent=2))
    else:
        click.echo(describe(place))
    if not place.known and not place.region:  # a typo'd code must not look like an answer
        click.echo(f"residency: error: {inert(code)} is not in the knowledge base", err=True)
        sys.exit(2)


@main.group()
def checks() -> None:
    """The checks this version runs."""


@checks.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@friendly
def list_checks(as_json: bool) -> None:
    """List every check with its severity, providers and GDPR articles."""
    from checks.engine import load_catalog

    catalog = load_catalog()
    if as_json:
        click.echo(json.dumps([meta.__dict__ for meta in catalog], indent=2))
        return
    for meta in catalog:
        articles = ", ".join(f"Art. {a}" for a in meta.articles)
        providers = ",".join(meta.providers)
        click.echo(f"{meta.id:<36} {meta.severity:<8} {providers:<10} {articles}")
        graded = f" (severity graded by consequence: {meta.grading})" if meta.grading else ""
        click.echo(f"    {meta.title}{graded}")


@main.command()
@click.argument("provider")
@friendly
def permissions(provider: str) -> None:
    """Print the least privileges PROVIDER's connector needs (aws, m365, slack)."""
    from connectors.registry import connector_class

    click.echo(json.dumps(connector_class(provider).permissions(), indent=2))


@main.command(epilog=EXIT_CODES)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Policy YAML (default: the sample company's policy).",
)
@click.option(
    "--fail-on", type=SEVERITY_CHOICE, default="low", show_default=True, help="See `scan`."
)
@click.option(
    "--summary/--no-summary", default=True, show_default=True, help="Print verdict and findings."
)
@show_passes_option
@report_options
@friendly
def demo(
    policy_path: Path | None,
    fail_on: str,
    summary: bool,
    show_passes: bool,
    formats: tuple[str, ...],
    output_dir: Path,
) -> None:
    """Scan the simulated company (local servers, no cloud account needed) and print a summary.

    Findings are expected here, so violations exit 0; 2 and 3 keep their meaning."""
    from reports.writer import ensure_writable
    from scanner.demo import run_demo
    from scanner.terminal import ScanProgress, on_terminal

    ensure_writable(output_dir)
    with ScanProgress(on_terminal()) as progress:
        document = run_demo(policy_path, progress, progress.ledger)
    _finish(document, formats, output_dir, fail_on, summary, show_passes, demo=True)


# ----------------------------------------------------------------------------- diff


@main.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
@friendly
def diff(old: Path, new: Path, output_format: str, output: Path | None) -> None:
    """List new, resolved and regressed findings between two reports (OLD.json NEW.json).

    \b
    Exit codes:
      0  nothing new and nothing regressed
      1  at least one new or regressed finding
      2  a file is missing, not JSON or not a findings report
      3  nothing new or regressed, but findings could not be assessed (a target
         of NEW was not read completely)
    When several apply, 1 beats 3."""
    from reports.diff import RENDERERS, compare
    from reports.load import load_report
    from reports.writer import write_atomic

    changes = compare(load_report(old), load_report(new))
    text = RENDERERS[output_format](changes)
    if output:
        click.echo(str(write_atomic(output, text)))
    else:
        click.echo(text, nl=False)
    counts = changes["counts"]
    sys.exit(1 if counts["new"] or counts["regressed"] else 3 if counts["unassessed"] else 0)


# ----------------------------------------------------------------------------- worker

worker_command.callback = friendly(worker_command.callback)
main.add_command(worker_command)


# ----------------------------------------------------------------------------- tia


@main.command(name="tia")
@click.argument("findings", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for the drafts (written atomically).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["md", "html"]),
    default="md",
    show_default=True,
    help="Markdown or self-contained HTML.",
)
@friendly
def tia(findings: Path, output_dir: Path, output_format: str) -> None:
    """Draft a transfer impact assessment per recipient and third country in FINDINGS
    (report.json), in the EDPB's six steps; what the scan cannot know is asked, not guessed."""
    from reports.load import load_report
    from reports.tia import draft_files
    from reports.writer import write_all_atomic

    files = draft_files(load_report(findings), output_format)
    if not files:
        click.echo("no transfer to a third country in the report: no draft written", err=True)
    for path in write_all_atomic([(output_dir / name, text) for name, text in files]):
        click.echo(str(path))
