"""The targets file (``tenants.yaml``): every client to scan, validated before anything runs.

Errors name the file and line. Provider blocks are checked against each connector's own settings
schema; secrets must be references (``env:NAME``, ``file:PATH``): a literal value is refused
without being echoed, and a reference to a missing variable or file, like a missing file named by
a setting its schema declares a ``filePath`` (a certificate), is reported up front so a nightly
run does not discover it half-way through. Relative paths are relative to the targets file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from connectors.base import Target
from connectors.registry import PROVIDERS, settings_schema_path, validate_settings
from core.errors import ConfigError, UsageError
from core.policy import Policy, load_policy_document, validate_policy
from core.secrets import REFERENCE, redact, resolve_secret
from core.yamlfile import line_of, load_schema, load_yaml, plain, validate
from scanner.history import HistoryError, parse_url

SCHEMA = Path(__file__).parent / "schemas" / "targets.schema.json"
DEFAULT_FORMATS = ("json",)
DEFAULT_HISTORY = "history.sqlite"
Path_ = list[str | int]


@dataclass(frozen=True)
class Client:
    """One customer: its own targets, policy, report folder and alert channels."""

    name: str
    targets: tuple[Target, ...]
    policy: Policy
    report_dir: Path
    formats: tuple[str, ...]
    fail_on: str
    notify: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class HistorySettings:
    url: str | None
    keep_days: int | None = None
    timeout: float = 5.0


@dataclass(frozen=True)
class TargetsFile:
    path: Path
    clients: tuple[Client, ...]
    report_root: Path
    lock_file: Path
    history: HistorySettings
    concurrency: int = 8
    rate_limits: dict[str, float] = field(default_factory=dict)
    notify: tuple[dict[str, Any], ...] = ()

    @property
    def target_count(self) -> int:
        return max(1, sum(len(c.targets) for c in self.clients))


def load_targets(path: Path, only: tuple[str, ...] = (), check_secrets: bool = True) -> TargetsFile:
    """Read ``path``; with ``only``, keep those clients (and check secrets of those only).

    ``check_secrets`` False: the clients' secrets and credential files are resolved where the
    scan runs (Celery workers, each from its own environment), so they are not looked up here."""
    document = load_yaml(path, None)
    _refuse_literal_secrets(document, path)
    validate(document, load_schema(SCHEMA), str(path))
    _check_unique_names(document, path)
    base_dir = path.parent
    data = plain(document)
    selected = _select(document, only)
    base_policy = load_policy_document(base_dir / data["policy"]) if "policy" in data else {}
    report_root = base_dir / data.get("reports", {}).get("dir", "reports")
    _check_references(document, path, [["notify"], ["history", "url"]])
    _check_formats(
        document, path, ["reports", "formats"], data.get("reports", {}).get("formats", [])
    )
    clients = tuple(
        _client(document, index, path, base_policy, report_root, data, check_secrets)
        for index in selected
    )
    _check_report_dirs(document, path, selected, clients)
    history = data.get("history", {})
    return TargetsFile(
        path=path,
        clients=clients,
        report_root=report_root,
        lock_file=base_dir / data.get("lock_file", str(report_root / ".residency.lock")),
        history=HistorySettings(
            url=_history_url(
                history, base_dir, report_root, _where(document, ["history", "url"], path)
            ),
            keep_days=history.get("keep_days"),
            timeout=float(history.get("timeout", 5.0)),
        ),
        concurrency=int(data.get("concurrency", 8)),
        rate_limits=dict(data.get("rate_limits", {})),
        notify=tuple(data.get("notify", ())),
    )


# ----------------------------------------------------------------------------- secrets


def secret_keys(schema: dict[str, Any]) -> set[str]:
    """Properties the schema marks as secret references (``"x-secret": true``)."""
    return _marked(schema, "x-secret")


def file_keys(schema: dict[str, Any]) -> set[str]:
    """Properties the schema marks as paths of files that must exist (``"x-file": true``)."""
    return _marked(schema, "x-file")


def _marked(schema: dict[str, Any], mark: str) -> set[str]:
    """Top-level properties carrying ``mark``, directly or through a local ``$ref``."""
    definitions = schema.get("$defs", {})

    def spec_of(spec: dict[str, Any]) -> dict[str, Any]:
        ref = spec.get("$ref", "")
        return {**definitions.get(ref.removeprefix("#/$defs/"), {}), **spec} if ref else spec

    return {k for k, v in schema.get("properties", {}).items() if spec_of(v).get(mark) is True}


@cache
def _provider_schema(provider: str) -> dict[str, Any]:
    return json.loads(settings_schema_path(provider).read_text(encoding="utf-8"))


def _secret_places(document: Any) -> list[Path_]:
    """Paths of every secret-bearing value: provider secret settings, webhook URLs, passwords."""
    places: list[Path_] = []
    notify_secrets = {"url", "password"}

    def channels(prefix: Path_, value: Any) -> None:
        if isinstance(value, list):
            for i, channel in enumerate(value):
                if isinstance(channel, dict):
                    places.extend([*prefix, i, k] for k in notify_secrets if k in channel)

    if not isinstance(document, dict):
        return places
    channels(["notify"], document.get("notify"))
    for i, client in enumerate(document.get("clients") or []):
        if not isinstance(client, dict):
            continue
        channels(["clients", i, "notify"], client.get("notify"))
        for provider in PROVIDERS:
            settings = client.get(provider)
            if isinstance(settings, dict):
                keys = secret_keys(_provider_schema(provider)) & set(settings)
                places.extend(["clients", i, provider, k] for k in sorted(keys))
    return places


def _get(document: Any, path: Path_) -> Any:
    for step in path:
        document = document[step]
    return document


def _where(document: Any, path: Path_, file: Path) -> str:
    line = line_of(document, path)
    dotted = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")
    return f"{file}:{line}: {dotted}" if line else f"{file}: {dotted}"


def _refuse_literal_secrets(document: Any, file: Path) -> None:
    """Before schema validation, whose messages would quote the value."""
    for path in _secret_places(document):
        value = _get(document, path)
        if not isinstance(value, str) or not REFERENCE.match(value):
            raise ConfigError(
                f"{_where(document, path, file)}: a literal secret is not allowed here; "
                "write a reference such as env:NAME or file:PATH (value not shown)"
            )
    for path, value in _strings(document, []):
        if redact(value) != value or ("://" in value and "@" in value.split("://", 1)[1]):
            raise ConfigError(
                f"{_where(document, path, file)}: looks like a credential written into the file; "
                "use a reference such as env:NAME or file:PATH (value not shown)"
            )


def _strings(value: Any, path: Path_) -> list[tuple[Path_, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _strings(v, [*path, k])]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in _strings(v, [*path, i])]
    return []


def _check_references(document: Any, file: Path, prefixes: list[Path_]) -> None:
    """Resolve (and forget) every reference under ``prefixes`` so a missing one fails now."""
    for path in [*_secret_places(document), ["history", "url"]]:
        if not any(path[: len(p)] == p for p in prefixes):
            continue
        try:
            value = _get(document, path)
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(value, str) and REFERENCE.match(value):
            resolve_secret(
                _absolute_reference(value, file.parent), where=_where(document, path, file)
            )


def _absolute_reference(reference: str, base_dir: Path) -> str:
    """``file:relative`` is relative to the targets file, not to cron's working directory."""
    kind, _, name = reference.partition(":")
    if kind == "file" and not Path(name).expanduser().is_absolute():
        return f"file:{base_dir / name}"
    return reference


# ----------------------------------------------------------------------------- clients


def _check_unique_names(document: Any, file: Path) -> None:
    seen: dict[str, int] = {}
    for i, client in enumerate(document["clients"]):
        name = str(client["name"])
        key = name.casefold()
        if key in seen:
            raise ConfigError(
                f"{_where(document, ['clients', i, 'name'], file)}: duplicate client name "
                f"{name!r} (first used at line {seen[key]})"
            )
        seen[key] = line_of(document, ["clients", i, "name"]) or 0


def _select(document: Any, only: tuple[str, ...]) -> list[int]:
    names = [str(c["name"]) for c in document["clients"]]
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise UsageError(
                f"--only: no client named {', '.join(unknown)} (known: {', '.join(names)})"
            )
        return [i for i, name in enumerate(names) if name in only]
    return [i for i, c in enumerate(document["clients"]) if c.get("enabled", True)]


def _client(
    document: Any,
    index: int,
    file: Path,
    base_policy: dict[str, Any],
    report_root: Path,
    data: dict[str, Any],
    check_secrets: bool = True,
) -> Client:
    raw = document["clients"][index]
    entry = plain(raw)
    name = entry["name"]
    base_dir = file.parent
    targets = []
    for provider in PROVIDERS:
        if provider not in entry:
            continue
        try:
            validate_settings(provider, raw[provider], str(file))
        except ConfigError as exc:
            raise ConfigError(f"{exc} (client {name!r}, {provider} settings)") from None
        secrets = secret_keys(_provider_schema(provider))
        settings = {
            k: _absolute_reference(v, base_dir) if k in secrets else v
            for k, v in entry[provider].items()
        }
        for key in file_keys(_provider_schema(provider)) & settings.keys():
            where = _where(document, ["clients", index, provider, key], file)
            settings[key] = (
                _existing_file(settings[key], base_dir, where)
                if check_secrets
                else str(base_dir / Path(settings[key]).expanduser())
            )
        targets.append(Target(name=f"{name}/{provider}", provider=provider, settings=settings))
    if check_secrets:
        _check_references(document, file, [["clients", index]])
    reports = entry.get("reports", {})
    _check_formats(
        document, file, ["clients", index, "reports", "formats"], reports.get("formats", [])
    )
    formats = tuple(reports.get("formats") or data.get("reports", {}).get("formats") or ())
    return Client(
        name=name,
        targets=tuple(targets),
        policy=_client_policy(document, index, file, base_policy, data),
        report_dir=base_dir / reports["dir"] if "dir" in reports else report_root / name,
        formats=formats or DEFAULT_FORMATS,
        fail_on=entry.get("fail_on", data.get("fail_on", "low")),
        notify=tuple(entry.get("notify", ())),
    )


def _check_report_dirs(
    document: Any, file: Path, selected: list[int], clients: tuple[Client, ...]
) -> None:
    """Two clients in one report folder would share one ``latest`` and each other's runs."""
    seen: dict[Path, str] = {}
    for index, client in zip(selected, clients, strict=True):
        folder = client.report_dir.resolve()
        if folder in seen:
            where = _where(document, ["clients", index, "reports", "dir"], file)
            raise ConfigError(
                f"{where}: report folder {client.report_dir} is also {seen[folder]}'s; "
                "each client needs its own"
            )
        seen[folder] = client.name


def _existing_file(value: str, base_dir: Path, where: str) -> str:
    path = base_dir / Path(value).expanduser()
    if not path.is_file():
        raise ConfigError(f"{where}: file {path} not found")
    return str(path)


def _check_formats(document: Any, file: Path, path: Path_, formats: list[str]) -> None:
    from reports.registry import FORMATS

    for name in formats:
        if name not in FORMATS:
            raise ConfigError(
                f"{_where(document, path, file)}: unknown report format {name!r} "
                f"(known: {', '.join(sorted(FORMATS))})"
            )


def _history_url(
    history: dict[str, Any], base_dir: Path, report_root: Path, where: str
) -> str | None:
    if history.get("enabled") is False:
        return None
    url = history.get("url")
    if url is None:
        return str(report_root / DEFAULT_HISTORY)
    if REFERENCE.match(url):
        url = resolve_secret(_absolute_reference(url, base_dir)).reveal()
    try:
        kind, _ = parse_url(url)
    except HistoryError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return url if kind == "postgresql" or "://" in url else str(base_dir / url)


# ----------------------------------------------------------------------------- policy


def _client_policy(
    document: Any, index: int, file: Path, base: dict[str, Any], data: dict[str, Any]
) -> Policy:
    override = document["clients"][index].get("policy")
    name = document["clients"][index]["name"]
    base_source = str(file.parent / data["policy"]) if "policy" in data else "built-in default"
    if override is None:
        overlay: dict[str, Any] = {}
        source = base_source
    elif isinstance(override, str):
        overlay = load_policy_document(file.parent / override)
        source = f"{base_source} + {file.parent / override}"
    else:
        validate_policy(override, str(file))
        overlay = plain(override)
        source = f"{base_source} + {file}: client {name} policy"
    if not base and not overlay:
        return Policy()
    return Policy.from_document(merge_policies(base, overlay), source)


def merge_policies(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Overlay keys replace the base's; vendors merge by id and waivers add up."""
    merged = dict(base)
    for key, value in overlay.items():
        if key == "waivers":
            merged[key] = [*base.get(key, []), *value]
        elif key == "vendors":
            vendors = {v["id"]: v for v in base.get(key, [])}
            vendors.update({v["id"]: v for v in value})
            merged[key] = list(vendors.values())
        else:
            merged[key] = value
    return merged
