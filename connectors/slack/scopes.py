"""Which OAuth scopes let an app read message or file content (field guide 2.2).

Scope names come from admin.apps lists, integration-log ``scope`` strings or audit logs; the
classification is recorded on each app so that checks never need to know scope names.
"""

from __future__ import annotations

# Legacy broad scopes: a classic app with ``read``/``client``/``bot`` sees everything its user
# or bot user can see.
_LEGACY = frozenset({"read", "client", "bot"})
_FILES = frozenset(
    {"files:read", "remote_files:read", "canvases:read", "bookmarks:read", "lists:read"}
)
_COMPLIANCE = frozenset({"discovery:read"})


def parse_scopes(value: object) -> list[str]:
    """Integration logs give ``"a,b"``; admin lists give ``[{"name": "a"}, ...]``."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        names = (item.get("name") if isinstance(item, dict) else item for item in value)
        return [str(name) for name in names if name]
    return []


def content_access(scopes: list[str]) -> dict[str, list[str]]:
    """Content-granting scopes by kind: messages, search, files, legacy, compliance."""
    found: dict[str, list[str]] = {}
    for scope in sorted(set(scopes)):
        kind = (
            "messages"
            if scope.endswith(":history")
            else "search"
            if scope.startswith("search:read")
            else "files"
            if scope in _FILES
            else "legacy"
            if scope in _LEGACY
            else "compliance"
            if scope in _COMPLIANCE
            else None
        )
        if kind:
            found.setdefault(kind, []).append(scope)
    return found
