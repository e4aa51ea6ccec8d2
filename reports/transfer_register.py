"""The transfer register (CSV) a DPO files with the Art. 30 records: one row per place and flow.

The rows come from :mod:`reports.register`. The file starts with a UTF-8 byte order mark so that
Excel reads names like "Zürich" as UTF-8 (LibreOffice and Python's ``utf-8-sig`` skip it).
Spreadsheet programs execute cells starting with = + - @ (CSV injection), so every cell that
starts with one of them is prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from core.text import inert
from reports.register import COLUMNS, register

BOM = "\ufeff"
# OWASP CSV injection: a cell a spreadsheet would evaluate starts with one of these, possibly
# after leading whitespace (" =1+1" is still a formula in some spreadsheets); "|" and "%"
# start DDE and macro expressions in older ones.
FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r", "\n")


def render(document: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in register(document):
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return BOM + buffer.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else inert(str(value))  # no ESC or BEL for a terminal to act on
    return "'" + text if text.lstrip(" \t\r\n").startswith(FORMULA_START) else text
