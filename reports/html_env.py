"""Jinja2 (autoescaped) and the page shell shared by the HTML report and the HTML diff."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def csp(script: str, style: str) -> str:
    """Only this page's own script and style run; no fetch, frame, form, font or remote image."""
    return (
        "default-src 'none'; "
        f"script-src '{_sha256(script)}'; style-src '{_sha256(style)}'; "
        "img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def page(template: str, title: str, parts: tuple[str, ...] = (), **context: Any) -> str:
    """Render ``template`` inside the shared layout with the shared script and style, plus the
    script and style of each named part (``register`` -> register.js, register.css)."""
    script = "".join(asset(f"{name}.js") for name in ("report", *parts))
    style = "".join(asset(f"{name}.css") for name in ("report", *parts))
    return (
        environment()
        .get_template(template)
        .render(title=title, script=script, style=style, csp=csp(script, style), **context)
    )


def render_template(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
