"""The settlement statement of a signed (or draft) monthly scorecard: xlsx and PDF (Chinese by
default). Text cells are written as strings, never as formulas."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kefu.core.spreadsheet import append_row
from kefu.vendors.choices import ScorecardStatus
from kefu.vendors.models import Scorecard


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _rows(card: Scorecard) -> list[list[str]]:
    rows = [[_("Item"), _("Value"), _("Weight"), _("Score"), _("How it was computed")]]
    for line in card.lines.order_by("sequence"):
        rows.append([_text(line.name), "—" if line.value is None else f"{line.value}%", str(line.weight),
                     str(line.score), _text(line.explanation)])
    return rows


def _summary(card: Scorecard) -> list[tuple[str, str]]:
    signed = (f"{card.signed_by.staff.display_name if getattr(card.signed_by, 'staff', None) else card.signed_by} "
              f"{card.signed_at:%Y-%m-%d}") if card.status == ScorecardStatus.SIGNED and card.signed_by else _("not signed off")
    return [(_("Score"), f"{card.total} / {_('pass mark')} {card.contract.pass_mark}"),
            (_("Monthly fee (¥)"), str(card.fee)), (_("Penalties (¥)"), str(card.penalties)),
            (_("Deduction below the pass mark (¥)"), str(card.shortfall)), (_("Payable (¥)"), str(card.payable)),
            (_("Signed off"), signed)]


def statement_xlsx(*, card: Scorecard, language: str = "zh-hans") -> bytes:
    with translation.override(language):
        wb = Workbook()
        ws = wb.active
        ws.title = _("Statement")[:31]
        append_row(ws, [_text(_("Vendor settlement statement")), _text(card.vendor.name), f"{card.month:%Y-%m}"])
        ws["A1"].font = Font(bold=True, size=14)
        append_row(ws, [_("Contract"), _text(card.contract.number)])
        append_row(ws, [])
        for row in _rows(card):
            append_row(ws, row)
        append_row(ws, [])
        for label, value in _summary(card):
            append_row(ws, [label, _text(value)])
        for column, width in zip("ABCDE", (28, 12, 10, 10, 50), strict=True):
            ws.column_dimensions[column].width = width
        buffer = BytesIO()
        wb.save(buffer)
        return buffer.getvalue()


def statement_pdf(*, card: Scorecard, language: str = "zh-hans") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    with translation.override(language):
        styles = getSampleStyleSheet()
        for name in ("Title", "BodyText"):
            styles[name].fontName = "STSong-Light"
        styles["BodyText"].wordWrap = "CJK"
        story = [Paragraph(_("Vendor settlement statement"), styles["Title"]),
                 Paragraph(escape(f"{card.vendor.name} · {card.month:%Y-%m} · {_('Contract')} {card.contract.number}"),
                           styles["BodyText"]), Spacer(1, 4 * mm)]
        body = [[Paragraph(escape(cell), styles["BodyText"]) for cell in row] for row in _rows(card)]
        table = Table(body, colWidths=[45 * mm, 20 * mm, 15 * mm, 15 * mm, 75 * mm], repeatRows=1)
        style = [("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]
        table.setStyle(TableStyle(style))
        summary = Table([[label, value] for label, value in _summary(card)], colWidths=[60 * mm, 60 * mm])
        summary.setStyle(TableStyle(style[:2]))
        story += [table, Spacer(1, 4 * mm), summary]
        buffer = BytesIO()
        SimpleDocTemplate(buffer, pagesize=A4, title=_("Vendor settlement statement")).build(story)
        return buffer.getvalue()
