"""The standards board as the evidence file of the complaint-handling standard (GB/T 19012 /
ISO 10002: for each promise, the rule, the measurement and the follow-up): an xlsx workbook
(openpyxl; a summary sheet and one sheet of records per standard; text cells stored as text,
never as formulas) and a PDF (reportlab with the STSong-Light CID font, as the reports app)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kefu.core.spreadsheet import append_row
from kefu.standards.choices import Status

CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "pdf": "application/pdf"}
PDF_RECORDS = 60  # per standard in the PDF; the workbook has them all


def _value(row: dict) -> str:
    if row["value"] is None:
        return "—"
    return f"{row['value'] * 100:.1f}%" if row["unit"] == "rate" else str(row["value"])


def _target(row: dict) -> str:
    return f"{row['target'] * 100:.1f}%" if row["unit"] == "rate" else f"{row['target']:g}"


def _rule(row: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in row["rule"].items())


def _cell(value) -> object:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        return value
    return str(value)


def summary_header() -> list[str]:
    return [_("Code"), pgettext("service standard", "Standard"), _("Rule"), _("Target"), _("Value"), _("Numerator"), _("Denominator"),
            _("Status"), _("Definition"), _("Source"), _("Note")]


def summary_rows(rows: list[dict]) -> list[list]:
    statuses = dict(Status.choices)
    return [[r["code"], r["name"], _rule(r), _target(r), _value(r), r["numerator"], r["denominator"],
             str(statuses.get(r["status"], r["status"])), r["definition"], r["source"], r["detail"]] for r in rows]


def records_header(row: dict) -> list[str]:
    return [_("Record"), *row.get("columns", []), _("Counts in the numerator")]


def records_rows(row: dict) -> list[list]:
    return [[r["label"], *[_cell(c) for c in r["cells"]], _cell(bool(r["counted"]))] for r in row.get("records", [])]


def board_xlsx(*, rows: list[dict], title: str, subtitle: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Summary")[:31]

    def put(ws, values):
        append_row(ws, [_cell(v) for v in values])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # user text is never a formula, even when it starts with "="

    put(sheet, [title])
    put(sheet, [subtitle])
    sheet["A1"].font = Font(bold=True, size=13)
    put(sheet, summary_header())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for values in summary_rows(rows):
        put(sheet, values)
    for column, width in zip("ABCDEFGHIJK", (22, 34, 30, 10, 10, 10, 10, 10, 60, 40, 40), strict=False):
        sheet.column_dimensions[column].width = width
    used = {sheet.title}
    for row in rows:
        name = row["code"][:31]
        ws = workbook.create_sheet(name if name not in used else name[:28] + "-2")
        used.add(ws.title)
        put(ws, [row["name"]])
        ws["A1"].font = Font(bold=True)
        put(ws, [row["definition"]])
        put(ws, records_header(row))
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for values in records_rows(row):
            put(ws, values)
        ws.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def board_pdf(*, rows: list[dict], title: str, subtitle: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from kefu.reports.exports import FONT, _register_font

    _register_font()
    title_style = ParagraphStyle("t", fontName=FONT, fontSize=15, leading=20, spaceAfter=4)
    heading = ParagraphStyle("h", fontName=FONT, fontSize=11, leading=15, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("b", fontName=FONT, fontSize=7.5, leading=10)
    small = ParagraphStyle("s", fontName=FONT, fontSize=6.5, leading=8.5, textColor=colors.grey)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    grid = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")), ("VALIGN", (0, 0), (-1, -1), "TOP")]

    def para(value, style=body):
        return Paragraph(escape(str(_cell(value))), style)

    story = [Paragraph(escape(title), title_style), Paragraph(escape(subtitle), body),
             Paragraph(escape(_("Generated %(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")}),
                       small)]
    header = summary_header()[:8] + [_("Definition")]
    data = [[para(h) for h in header]]
    for values in summary_rows(rows):
        data.append([para(v) for v in values[:9]])
    widths = [26 * mm, 40 * mm, 36 * mm, 16 * mm, 16 * mm, 16 * mm, 18 * mm, 16 * mm, doc.width - 184 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(grid))
    story.append(table)
    for row in rows:
        if not row.get("records"):
            continue
        story.append(Paragraph(escape(f"{row['name']} · {_value(row)} ({row['numerator']}/{row['denominator']})"),
                               heading))
        lines = [records_header(row)] + records_rows(row)[:PDF_RECORDS]
        data = [[para(v) for v in line] for line in lines]
        table = Table(data, colWidths=[doc.width / len(lines[0])] * len(lines[0]), repeatRows=1)
        table.setStyle(TableStyle(grid))
        story.append(table)
        if len(row["records"]) > PDF_RECORDS:
            story.append(Paragraph(escape(_("%(n)s more in the workbook.") % {"n": len(row["records"]) - PDF_RECORDS}),
                                   small))
    doc.build(story)
    return buffer.getvalue()
