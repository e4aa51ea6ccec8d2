"""Text that came from a cloud or a file, made safe to encode, store and print.

Two steps, used at two boundaries:

* :func:`clean` at the connector and loader boundary: a lone UTF-16 surrogate (JSON may carry
  ``"\\ud800"``) cannot be encoded as UTF-8, so it would crash every report but JSON. It becomes
  U+FFFD, everything else is kept.
* :func:`inert` before anything reaches a terminal or a chat message: control characters (escape
  sequences that recolour a row or set the window title, newlines that fake a line) become spaces.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (the same object when it has none)."""
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) else text


def scrub(value: Any) -> Any:
    """:func:`clean` every string inside ``value`` (dicts, lists, tuples, dataclasses in place)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            setattr(value, item.name, scrub(getattr(value, item.name)))
    return value


def inert(text: str) -> str:
    """One printable line: surrogates cleaned, control and other non-printable characters
    (ESC, BEL, CR, LF, bidi overrides...) replaced by a space."""
    return "".join(c if c.isprintable() else " " for c in clean(text))
