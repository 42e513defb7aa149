"""Spreadsheet cells that are safe to open: every xlsx and CSV export writes its rows through here.

Two dangers of user text in a spreadsheet (OWASP "CSV injection"):

- a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is taken by Excel, WPS
  and LibreOffice as a formula (`=HYPERLINK(...)`, `@SUM(...)`, DDE): such text is written as
  text — in xlsx a string cell with Excel's "quote prefix" flag (what typing `'` before it does;
  the value itself is unchanged), in CSV with a leading `'` as OWASP recommends;
- a control character (NUL, \\x01-\\x08, \\x0b, \\x0c, \\x0e-\\x1f) is not allowed in xlsx at all:
  openpyxl raises on it, and one such record used to fail the whole export for every user. They
  are dropped on output (tab, line feed and carriage return stay).

Numbers, dates and None pass unchanged (a negative number is a number, not text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(text: str) -> str:
    """The text without the control characters a spreadsheet (or a page) cannot hold."""
    return CONTROL_CHARACTERS.sub("", text)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def csv_value(value: Any) -> Any:
    """A value for csv.writer: text cleaned, and prefixed with `'` when it would start a formula."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return f"'{text}" if looks_like_formula(text) else text


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(v) for v in values]


def xlsx_value(sheet: Any, value: Any) -> Any:
    """A value for openpyxl's `sheet.append` (normal or write-only sheets): text is cleaned; text
    that would start a formula becomes a string cell with the quote-prefix flag."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if not looks_like_formula(text):
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)  # a plain Cell bound to the sheet; fine for both modes
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    cell.quotePrefix = True
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """`sheet.append(xlsx_row(sheet, row))`: the row with every text cell made safe."""
    return [xlsx_value(sheet, v) for v in values]


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row of user-facing values to an openpyxl sheet, every text cell made safe."""
    sheet.append(xlsx_row(sheet, values))
