"""Load YAML (and JSON) files and validate them against JSON Schemas, with file and line in errors.

Every user-facing file (policy, targets) and every data file goes through here, so a typo'd key
gets ``policy.yaml:12: unknown key 'alowed_jurisdictions'`` instead of a traceback.
"""

from __future__ import annotations

import json
import os
import re
import stat
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from core.errors import ConfigError
from core.secrets import redact
from core.text import scrub


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping key and sequence item.

    Aliases (``*name``) are refused: none of our files needs them, and a few hundred bytes of
    nested aliases expand to millions of nodes (a "billion laughs" file)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", self.peek_event().start_mark
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    mapping = loader.construct_mapping(node, deep=True)
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return _Located(mapping, lines, node.start_mark.line + 1)


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    return _LocatedList(
        loader.construct_sequence(node, deep=True),
        [item.start_mark.line + 1 for item in node.value],
    )


class _Located(dict):
    def __init__(self, data: dict[str, Any], lines: dict[str, int], line: int) -> None:
        super().__init__(data)
        self.lines = lines
        self.line = line


class _LocatedList(list):
    def __init__(self, data: list[Any], lines: list[int]) -> None:
        super().__init__(data)
        self.lines = lines


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    """Keep dates as text: the schema validates them, so 2024-13-01 is a message, not a crash."""
    return str(loader.construct_scalar(node))


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def line_of(document: Any, path: list[str | int]) -> int | None:
    """The line of the deepest element of ``path`` that the document remembers."""
    node, line = document, getattr(document, "line", None)
    for step in path:
        if isinstance(node, _Located) and isinstance(step, str):
            line = node.lines.get(step, line)
            node = node.get(step)
        elif isinstance(node, _LocatedList) and isinstance(step, int) and step < len(node):
            line = node.lines[step]
            node = node[step]
        else:
            break
        if isinstance(node, _Located):
            line = line if line is not None else node.line
    return line


@cache
def load_schema(path: Path) -> dict[str, Any]:
    """A JSON Schema shipped with the package that owns it (read once per process)."""
    return json.loads(path.read_text(encoding="utf-8"))


def plain(value: Any) -> Any:
    """Strip the line bookkeeping so the data is ordinary dicts, lists and ISO date strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


SECRET_PREFIX = "^(env|file):"
_SHOWABLE = re.compile(r"[A-Za-z0-9_.:-]{0,32}")
# What each schema rule says about a bad value, without the value: a --policy pointing at a token
# file must not print the token.
_RULES = {
    "type": "is not of type {value}",
    "pattern": "does not match the expected form",
    "enum": "is not one of {value}",
    "const": "is not {value}",
    "format": "is not a valid {value}",
    "minimum": "is less than the minimum of {value}",
    "maximum": "is greater than the maximum of {value}",
    "exclusiveMinimum": "must be greater than {value}",
    "exclusiveMaximum": "must be less than {value}",
    "minLength": "is too short",
    "maxLength": "is too long",
    "minItems": "has too few items",
    "maxItems": "has too many items",
    "uniqueItems": "has repeated items",
}


def _shown(value: Any) -> str:
    """A bad value quoted only when it is short and of a harmless shape; otherwise a placeholder
    (a value of unknown shape may be a secret pasted into the wrong place)."""
    if value is None or isinstance(value, bool | float) or value in ([], {}):
        return repr(value)
    if isinstance(value, int) and abs(value) < 10**15:
        return repr(value)
    if isinstance(value, str) and _SHOWABLE.fullmatch(value) and redact(value) == value:
        return repr(value)
    return "the value (not shown)"


def _rule(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(repr(v) for v in value)
    return repr(value)


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "pattern" and str(error.schema.get("pattern")).startswith(SECRET_PREFIX):
        return "must be a secret reference such as env:NAME or file:PATH (value not shown)"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"unknown key {', '.join(repr(k) for k in extra)}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator in ("anyOf", "oneOf"):
        options = [
            ", ".join(repr(key) for key in sub["required"])
            for sub in error.validator_value
            if "required" in sub
        ]
        if len(options) == len(error.validator_value):
            return f"needs at least one of: {' | '.join(options)}"
    rule = _RULES.get(str(error.validator), "is not valid")
    return f"{_shown(error.instance)} {rule.format(value=_rule(error.validator_value))}"


def validate(document: Any, schema: dict[str, Any], where: str) -> None:
    """Raise ConfigError naming ``where`` and the line of the first schema violation."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(plain(document)), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    first = errors[0]
    path = list(first.absolute_path)
    if first.validator == "additionalProperties":
        extra = sorted(set(first.instance) - set(first.schema.get("properties", {})))
        path = [*path, *extra[:1]]
    line = line_of(document, path)
    location = f"{where}:{line}" if line else where
    dotted = ".".join(str(p) for p in first.absolute_path) or "(top level)"
    raise ConfigError(f"{location}: {dotted}: {_describe(first)}")


def load_json(path: Path, what: str) -> Any:
    """Parse a JSON file the user hands us (``what`` names it: "evidence file", "findings
    report"); every way it can be bad is a ConfigError naming the file."""
    text = read_text(path)
    try:
        return scrub(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not a valid {what}: nested too deeply") from None
    except ValueError:  # an integer longer than Python's digit limit
        raise ConfigError(f"{path}: not a valid {what}: a number is too long") from None


MAX_FILE_BYTES = 64 * 1024 * 1024


def read_text(path: Path) -> str:
    """A user-named file as UTF-8 text: regular files only (a FIFO or a device would block or
    never end), of a sane size; every failure is a ConfigError naming the file."""
    try:  # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ConfigError(f"{path}: not a regular file")
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def load_yaml(path: Path, schema: Path | None = None) -> Any:
    """Parse ``path`` (with line numbers) and validate it against the JSON Schema at ``schema``."""
    text = read_text(path)
    try:
        document = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML: nested too deeply") from None
    except ValueError:  # an integer longer than Python's digit limit
        raise ConfigError(f"{path}: not valid YAML: a number is too long") from None
    if document is None:
        document = _Located({}, {}, 1)
    if schema:
        validate(document, load_schema(schema), str(path))
    return document
