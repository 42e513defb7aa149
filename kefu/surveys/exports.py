"""Exports of a campaign's results: an xlsx workbook and a printable PDF analysis report (Chinese
by default). Both read `selectors.campaign_results`, so they show exactly the page's numbers."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from kefu.core.spreadsheet import append_row
from kefu.surveys import selectors
from kefu.surveys.models import Campaign


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def results_xlsx(*, campaign: Campaign) -> bytes:
    """Sheets: summary (per item and overall, with counts) and free-text answers."""
    results = selectors.campaign_results(campaign=campaign)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")[:31]
    append_row(ws, [campaign.name])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, [pgettext("survey campaign", "Period"), f"{campaign.starts_on} – {campaign.ends_on}"])
    append_row(ws, [_("Population"), results["population"]])
    append_row(ws, [_("Responses"), results["responses"]])
    append_row(ws, [_("Response rate"), float(results["response_rate"]["rate"] or 0)])
    ws.cell(row=ws.max_row, column=2).number_format = "0.00%"
    append_row(ws, [])
    header = [_("Item code"), _("Service item"), _("Satisfaction rate"), _("Satisfied answers"), _("Valid answers"),
              _("Response rate"), _("Respondents"), _("Population"), _("Target"), _("Previous campaign")]
    append_row(ws, header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    rows = [*results["items"], {"code": "overall", "name": _("Overall"), **results["overall"],
                                "response_rate": results["response_rate"]}]
    for item in rows:
        append_row(ws, [item["code"], item["name"], float(item["rate"]) if item["rate"] is not None else None,
                        item["numerator"], item["denominator"],
                        float(item["response_rate"]["rate"]) if item["response_rate"]["rate"] is not None else None,
                        item["response_rate"]["numerator"], item["response_rate"]["denominator"], float(item["target"]),
                        float(item["previous_rate"]) if item["previous_rate"] is not None else None])
        for col in (3, 6, 9, 10):
            ws.cell(row=ws.max_row, column=col).number_format = "0.00%"
    if results["general"]:
        append_row(ws, [])
        append_row(ws, [_("Questions not tied to a service item"), _("Question"), _("Satisfaction rate"),
                        _("Satisfied answers"), _("Answers")])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for question in results["general"]:
            append_row(ws, [f"q{question['question_id']}", question["text"],
                            float(question["rate"]) if question["rate"] is not None else None,
                            question["numerator"], question["denominator"]])
            ws.cell(row=ws.max_row, column=3).number_format = "0.00%"
    for col, width in zip("ABCDEFGHIJ", (18, 16, 12, 12, 12, 12, 12, 12, 10, 14), strict=True):  # type: ignore[assignment]  # values of several types in one dict or variable
        ws.column_dimensions[col].width = width

    texts = wb.create_sheet(_("Comments")[:31])
    append_row(texts, [_("Submitted at"), _("Unit"), _("Question"), _("Answer")])
    for answer in selectors.text_answers(campaign=campaign)[:10_000]:
        asset = answer.response.invitation.asset
        append_row(texts, [answer.response.submitted_at.replace(tzinfo=None), asset.code if asset else "",
                           answer.question.display_text, answer.text])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def results_pdf(*, campaign: Campaign, language: str = "zh-hans") -> bytes:
    """A printable analysis report, in Chinese unless told otherwise (STSong, no font files)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    with translation.override(language):
        results = selectors.campaign_results(campaign=campaign)
        styles = getSampleStyleSheet()
        for name in ("Title", "Heading2", "BodyText"):
            styles[name].fontName = "STSong-Light"
        styles["BodyText"].wordWrap = "CJK"
        story = [Paragraph(_("Satisfaction survey analysis report"), styles["Title"]),
                 Paragraph(escape(campaign.name), styles["Heading2"]),
                 Paragraph(_("Period: %(start)s – %(end)s. Questionnaire: %(q)s.") % {
                     "start": campaign.starts_on, "end": campaign.ends_on, "q": escape(str(campaign.questionnaire))},
                     styles["BodyText"]),
                 Paragraph(_("Satisfaction rate = answers “satisfied” or better ÷ valid answers to the item; "
                             "response rate = respondents ÷ population. Target %(target)s.") % {
                     "target": _pct(campaign.target_rate)}, styles["BodyText"]),
                 Spacer(1, 4 * mm)]
        overall, rr = results["overall"], results["response_rate"]
        story.append(Paragraph(_("Overall satisfaction rate %(rate)s (%(num)s / %(den)s); response rate %(rr)s "
                                 "(%(rnum)s / %(rden)s).") % {
            "rate": _pct(overall["rate"]), "num": overall["numerator"], "den": overall["denominator"],
            "rr": _pct(rr["rate"]), "rnum": rr["numerator"], "rden": rr["denominator"]}, styles["BodyText"]))
        story.append(Spacer(1, 4 * mm))
        data = [[_("Service item"), _("Satisfaction rate"), _("Satisfied / valid"), _("Response rate"),
                 _("Target"), _("Previous campaign")]]
        below = []
        for item in results["items"]:
            data.append([item["name"], _pct(item["rate"]), f"{item['numerator']} / {item['denominator']}",
                         _pct(item["response_rate"]["rate"]), _pct(item["target"]), _pct(item["previous_rate"])])
            if not item["meets_target"]:
                below.append(item["name"])
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
        story += [table, Spacer(1, 4 * mm)]
        if below:
            story.append(Paragraph(_("Below target: %(items)s. Corrective actions are proposed for these items.")
                                   % {"items": escape("、".join(below))}, styles["BodyText"]))
        else:
            story.append(Paragraph(_("Every service item meets the target."), styles["BodyText"]))
        for question in results["general"]:
            story.append(Paragraph(_("%(question)s: %(rate)s (%(num)s / %(den)s answers), not part of the overall "
                                     "satisfaction rate.") % {
                "question": escape(question["text"]), "rate": _pct(question["rate"]), "num": question["numerator"],
                "den": question["denominator"]}, styles["BodyText"]))
        comments = list(selectors.text_answers(campaign=campaign)[:30])
        if comments:
            story += [Spacer(1, 4 * mm), Paragraph(_("Comments (latest 30)"), styles["Heading2"])]
            story += [Paragraph(f"• {escape(a.text)}", styles["BodyText"]) for a in comments]
        out = BytesIO()
        SimpleDocTemplate(out, pagesize=A4, title=campaign.name).build(story)
    return out.getvalue()
