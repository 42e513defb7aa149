"""Safe spreadsheet cells: text that would start a formula is written as text, control characters
are dropped, other values pass unchanged (OWASP CSV injection)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from kefu.core.spreadsheet import append_row, clean_text, csv_row

DANGEROUS = ["=1+1", "+86 138", "-2+3", "@SUM(A1:A2)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","点我")']


def _read(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]


@pytest.mark.parametrize("write_only", [True, False], ids=["write_only", "normal"])
def test_formula_like_text_is_stored_as_quoted_text(write_only):
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    append_row(sheet, DANGEROUS)
    append_row(sheet, ["普通文本", 42, -7, Decimal("1.5"), date(2026, 1, 2), None, "a\x00b\x1fc\x0bd"])
    cells = list(_read(workbook).iter_rows())
    assert [c.value for c in cells[0]] == [v.replace("\r", "\n") for v in DANGEROUS]  # XML reads CR as LF
    assert [c.data_type for c in cells[0]] == ["s"] * len(DANGEROUS)
    assert [c.quotePrefix for c in cells[0]] == [True] * len(DANGEROUS)
    assert [c.value for c in cells[1]][:3] == ["普通文本", 42, -7]
    assert [c.value for c in cells[1]][3] == 1.5
    assert cells[1][4].value.date() == date(2026, 1, 2)
    assert cells[1][5].value is None
    assert cells[1][6].value == "abcd"
    assert [c.quotePrefix for c in cells[1]] == [False] * 7


def test_csv_cells_get_a_leading_quote():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row([*DANGEROUS, "ok", 5, "x\x00y"]))
    row = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert row == [f"'{v}" for v in DANGEROUS] + ["ok", "5", "xy"]


def test_clean_text_keeps_tab_and_line_breaks():
    assert clean_text("a\tb\nc\rd\x00e\x07f\x1b") == "a\tb\nc\rdef"
