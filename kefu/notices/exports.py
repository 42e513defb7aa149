"""The lobby version of a notice: a printable A4 PDF (the writing department's name as letterhead, the title,
the text, the date). The CJK font is reportlab's built-in STSong-Light, as the other PDFs of the
project use (an embedded TrueType font is on the roadmap)."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.html import escape

from kefu.notices.models import Notice

FONT = "STSong-Light"


def notice_pdf(*, notice: Notice) -> bytes:
    """One A4 page (more if the text is long) for the lobby notice board."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    letterhead = ParagraphStyle("letterhead", fontName=FONT, fontSize=14, alignment=TA_CENTER, leading=20)
    title = ParagraphStyle("title", fontName=FONT, fontSize=26, alignment=TA_CENTER, leading=36)
    body = ParagraphStyle("body", fontName=FONT, fontSize=16, leading=28, wordWrap="CJK", firstLineIndent=32)
    signed = ParagraphStyle("signed", fontName=FONT, fontSize=14, alignment=TA_RIGHT, leading=24)
    center = notice.department.name if notice.department is not None else ""  # the center that wrote it
    day = timezone.localtime(notice.send_at or notice.created_at).date()
    story = [Paragraph(escape(center), letterhead), HRFlowable(width="100%", thickness=1.2, spaceAfter=10 * mm),
             Paragraph(escape(notice.title), title), Spacer(1, 8 * mm)]
    story += [Paragraph(escape(line), body) for line in notice.body.splitlines() if line.strip()]
    story += [Spacer(1, 12 * mm), Paragraph(escape(center), signed),
              Paragraph(f"{day.year}年{day.month}月{day.day}日", signed)]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=notice.title, leftMargin=25 * mm, rightMargin=25 * mm,
                      topMargin=25 * mm, bottomMargin=25 * mm).build(story)
    return buffer.getvalue()
