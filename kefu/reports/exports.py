"""Report files: xlsx (openpyxl, one sheet per table) and PDF (reportlab, Chinese with the
STSong-Light CID font, a Pareto chart drawn with reportlab.graphics), and the GB/T 19012-2019
complaint-handling evidence workbook. Pure rendering: the figures come from selectors."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kefu.core.spreadsheet import append_row
from kefu.reports import metrics

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(generated) -> str:
    return f"kefu-{generated.report}-{generated.period_start:%Y%m%d}-{generated.period_end:%Y%m%d}.{generated.file_format}"


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


RATE_ROWS = (
    ("first_response_on_time_rate", gettext_noop("First-response on-time rate")),
    ("resolution_on_time_rate", gettext_noop("Resolution on-time rate")),
    ("fcr_rate", gettext_noop("First-contact resolution rate")),
    ("reopen_rate", gettext_noop("Reopen rate")),
    ("repeat_complaint_rate", gettext_noop("Repeat-complaint rate")),
    ("closed_3d_rate", gettext_noop("Complaints closed within 3 days")),
    ("callback_coverage", gettext_noop("Callback coverage")),
    ("callback_reach_rate", gettext_noop("Callback reach rate")),
    ("callback_satisfaction_rate", gettext_noop("Callback satisfaction")),
    ("satisfaction_rate", gettext_noop("Satisfaction rate (ratings)")),
)


def rate_rows():
    """(key, label) of the rate figures, labels in the active language."""
    return [(key, _(label)) for key, label in RATE_ROWS]


def summary_rows(report: dict) -> list[list]:
    """[figure, value, numerator, denominator, previous, last year, definition] rows."""
    prev, last = report.get("previous") or {}, report.get("last_year") or {}
    rows = [[_("Work orders received"), report["total"], "", "", prev.get("total", ""), last.get("total", ""),
             str(metrics.DEFINITIONS["total"])]]
    for key, label in rate_rows():
        figure = report.get(key)
        if not figure:
            continue
        rows.append([label, _pct(figure["rate"]), figure["numerator"], figure["denominator"],
                     _pct((prev.get(key) or {}).get("rate")) if prev else "",
                     _pct((last.get(key) or {}).get("rate")) if last else "",
                     str(metrics.DEFINITIONS.get(key, ""))])
        if key == "satisfaction_rate":
            response = figure["response_rate"]
            rows.append([_("Response rate (参评率)"), _pct(response["rate"]), response["numerator"],
                         response["denominator"], _pct(((prev.get(key) or {}).get("response_rate") or {}).get("rate"))
                         if prev else "", _pct(((last.get(key) or {}).get("response_rate") or {}).get("rate"))
                         if last else "", ""])
    rows.extend(_campaign_summary_rows(report, prev, last))
    rate = report.get("complaint_rate")
    if rate:
        rows.append([_("Complaints per 1,000 units"), rate["per_1000_units"] if rate["per_1000_units"] is not None
                     else "—", rate["complaints"], rate["units"], "", "", str(metrics.DEFINITIONS["complaint_rate"])])
        rows.append([_("Complaints per 1,000 customers"), rate["per_1000_customers"]
                     if rate["per_1000_customers"] is not None else "—", rate["complaints"], rate["customers"], "", "",
                     ""])
    if "backlog" in report:
        rows.append([_("Open now"), report["backlog"]["open"], "", "", "", "", str(metrics.DEFINITIONS["backlog"])])
    return rows


def _campaign_summary_rows(report: dict, prev: dict, last: dict) -> list[list]:
    """满意率 of the survey campaigns and their 参评率 (never one without the other)."""
    figure = report.get("campaign_satisfaction")
    if not figure:
        return []

    def compared(other: dict, part: str = ""):
        if not other:
            return ""
        value = other.get("campaign_satisfaction") or {}
        return _pct((value.get(part) or {}).get("rate") if part else value.get("rate"))

    response = figure["response_rate"]
    return [[_("Satisfaction rate (survey campaigns)"), _pct(figure["rate"]), figure["numerator"],
             figure["denominator"], compared(prev), compared(last), str(metrics.DEFINITIONS["campaign_satisfaction"])],
            [_("Survey campaigns: response rate (参评率)"), _pct(response["rate"]), response["numerator"],
             response["denominator"], compared(prev, "response_rate"), compared(last, "response_rate"), ""]]


def campaign_rows(report: dict) -> list[list]:
    """One row per survey campaign of the period: name, dates, counts and both rates."""
    figure = report.get("campaign_satisfaction") or {}
    return [[c["name"], c["status_label"], c["starts_on"], c["window_end"], c["response_rate"]["denominator"],
             c["response_rate"]["numerator"], _pct(c["response_rate"]["rate"]), c["satisfaction_rate"]["numerator"],
             c["satisfaction_rate"]["denominator"], _pct(c["satisfaction_rate"]["rate"])]
            for c in figure.get("campaigns", [])]


def _tables(report: dict) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, header, rows) of every table of a service analysis or per-type report."""
    header = [_("Figure"), _("Value"), _("Numerator"), _("Denominator"), _("Previous period"),
              _("Same period last year"), _("Definition")]
    tables = [(_("Summary"), header, summary_rows(report))]
    if "by_type_detail" in report:
        tables.append((_("By type"), [_("Type"), _("Code"), _("Orders")],
                       [[r["label"], r["code"], r["count"]] for r in report["by_type_detail"]]))
        tables.append((_("By channel"), [_("Channel"), _("Code"), _("Orders")],
                       [[r["label"], r["code"], r["count"]] for r in report["by_channel_detail"]]))
        categories = report["by_category_detail"]
    else:
        tables.append((_("By channel"), [_("Channel"), _("Code"), _("Orders")],
                       [[r["label"], r["code"], r["count"]] for r in report["by_channel"]]))
        categories = report["by_category"]
    tables.append((_("By category"), [_("Category"), _("Code"), _("Orders"), _("Cumulative share")],
                   [[r["label"], r["code"], r["count"], _pct(r["cumulative_share"])] for r in categories]))
    if "by_level" in report:
        tables.append((_("By complaint level"), [_("Complaint level"), _("Orders")],
                       [[r["level"], r["count"]] for r in report["by_level"]]))
    if "by_site" in report:
        tables.append((_("By site"), [_("Site"), _("Orders")], [[r["label"], r["count"]] for r in report["by_site"]]))
        tables.append((_("By team"), [_("Team"), _("Orders")], [[r["label"], r["count"]] for r in report["by_team"]]))
    if report.get("campaign_satisfaction"):
        tables.append((_("Survey campaigns"), [_("Campaign"), _("Status"), _("Starts on"), _("Answering ended"),
                                               _("Invited"), _("Responded"), _("Response rate (参评率)"),
                                               _("Satisfied answers"), _("Valid answers"), _("Satisfaction rate")],
                       campaign_rows(report)))
    if "backlog" in report:
        tables.append((_("Open backlog"), [_("Age"), _("Orders")],
                       [[age_label(r["bucket"]), r["count"]] for r in report["backlog"]["ages"]]))
    times = [(kind, report.get(f"{kind}_business_minutes")) for kind in metrics.CLOCK_KINDS]
    if any(stats for _kind, stats in times):
        tables.append((_("Business times"), [_("Clock"), _("Clocks stopped"), _("Average (min)"), _("Median (min)"),
                                             _("90th percentile (min)")],
                       [[clock_label(kind), s["count"], s["average"], s["median"], s["p90"]] for kind, s in times if s]))
    return tables


def age_label(bucket: str) -> str:
    return {"lt1d": _("Under 1 day"), "1to3d": _("1–3 days"), "3to7d": _("3–7 days"),
            "gt7d": _("Over 7 days")}.get(bucket, bucket)


def clock_label(kind: str) -> str:
    return {"first_response": _("First response"), "resolution": _("Resolution")}.get(kind, kind)


def report_title(report_kind: str) -> str:
    from kefu.reports.choices import ReportKind

    return str(ReportKind(report_kind).label)


def _sheet_title(title: str, used: set) -> str:
    # Excel: ≤ 31 characters, no []:*?/\ and unique in the workbook.
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in str(title))[:31] or "Sheet"
    name, n = clean, 2
    while name in used:
        name = f"{clean[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def xlsx_bytes(*, title: str, period_text: str, tables: list[tuple[str, list[str], list[list]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set = set()
    for sheet_title, header, rows in tables:
        sheet = workbook.create_sheet(_sheet_title(sheet_title, used))
        append_row(sheet, [f"{title} · {period_text}"])
        sheet["A1"].font = Font(bold=True)
        append_row(sheet, header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(sheet, row)
        for column, width in zip("ABCDEFG", (28, 12, 12, 12, 14, 14, 60), strict=False):
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_xlsx(*, report_kind: str, report: dict, period_text: str) -> bytes:
    return xlsx_bytes(title=report_title(report_kind), period_text=period_text, tables=_tables(report))


# --- PDF ----------------------------------------------------------------------------------------------

FONT = "STSong-Light"


def _register_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _pareto_chart(categories: list[dict]):
    """Bars of the top categories with the cumulative share line (Pareto)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    top = categories[:10]
    drawing = Drawing(480, 200)
    if not top:
        drawing.add(String(10, 100, _("No orders in the period."), fontName=FONT, fontSize=9))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, 400, 140
    chart.data = [[r["count"] for r in top]]
    chart.categoryAxis.categoryNames = [str(r["label"])[:6] for r in top]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#0d6efd")
    drawing.add(chart)
    line = LinePlot()
    line.x, line.y, line.width, line.height = 40, 40, 400, 140
    step = 400 / len(top)
    line.data = [[(step * (i + 0.5), (r["cumulative_share"] or 0) * 100) for i, r in enumerate(top)]]
    line.xValueAxis.valueMin, line.xValueAxis.valueMax = 0, 400
    line.yValueAxis.valueMin, line.yValueAxis.valueMax = 0, 100
    line.xValueAxis.visible = False
    line.yValueAxis.visible = False
    line.lines[0].strokeColor = colors.HexColor("#dc3545")
    drawing.add(line)
    return drawing


def report_pdf(*, report_kind: str, report: dict, period_text: str, scope_text: str = "") -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    title_style = ParagraphStyle("t", fontName=FONT, fontSize=15, leading=20, spaceAfter=4)
    heading = ParagraphStyle("h", fontName=FONT, fontSize=11, leading=15, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=FONT, fontSize=8, leading=11)
    small = ParagraphStyle("s", fontName=FONT, fontSize=6.5, leading=8.5, textColor=colors.grey)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=report_title(report_kind))
    story = [Paragraph(report_title(report_kind), title_style),
             Paragraph(f"{period_text} {scope_text}".strip(), body),
             Paragraph(_("Generated %(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, small)]
    for sheet_title, header, rows in _tables(report):
        story.append(Paragraph(str(sheet_title), heading))
        is_summary = header and len(header) == 7
        if is_summary:
            data = [[Paragraph(str(h), body) for h in header[:6]]]
            for row in rows:
                data.append([Paragraph(str(row[0]), body), *[str(v) for v in row[1:6]]])
                if row[6]:
                    data.append([Paragraph(str(row[6]), small), "", "", "", "", ""])
            widths = [52 * mm, 22 * mm, 22 * mm, 22 * mm, 28 * mm, 32 * mm]
        elif len(header) > 7:
            # Wide tables (the survey campaigns) wrap their cells to stay inside the A4 frame.
            data = [[Paragraph(escape(str(v)), body) for v in line] for line in [header, *rows]]
            widths = [doc.width / len(header)] * len(header)
        else:
            data = [[str(h) for h in header]] + [[str(v) for v in row] for row in rows]
            widths = None
        table = Table(data, colWidths=widths, repeatRows=1)
        style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                 ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if is_summary:
            for i, row in enumerate(data):
                if i and row[1] == "" and row[0] is not None and not isinstance(row[0], str):
                    style.append(("SPAN", (0, i), (-1, i)))
        table.setStyle(TableStyle(style))
        story.append(table)
        if str(sheet_title) == str(_("By category")):
            story.append(Spacer(1, 4))
            categories = report.get("by_category_detail") or report.get("by_category") or []
            story.append(_pareto_chart(categories))
    doc.build(story)
    return buffer.getvalue()


# --- GB/T 19012-2019 evidence ------------------------------------------------------------------------------

def evidence_rows(*, actor, period, scope) -> list[list]:
    """Per complaint received in the period: acknowledgement, handling record, response, closure
    and satisfaction with the handling — the records a GB/T 19012 (ISO 10002) audit asks for."""
    from kefu.reports.selectors.scope import _scoped
    from kefu.workorders.models import WorkOrderEvent

    orders = list(_scoped(actor, scope).filter(type="complaint", received_at__gte=period.since,
                                               received_at__lt=period.until)
                  .select_related("category", "first_contact_owner__staff").order_by("received_at", "id"))
    ids = [o.pk for o in orders]
    events: dict[int, list] = {}
    for event in (WorkOrderEvent.objects.filter(work_order_id__in=ids).exclude(action="create")
                  .select_related("actor__staff").order_by("created_at", "id")):
        events.setdefault(event.work_order_id, []).append(event)
    outcomes, ratings = {}, {}
    from kefu.callbacks.models import Callback, RatingLink

    for order_id, outcome in (Callback.objects.filter(work_order_id__in=ids, status="completed")
                              .order_by("completed_at", "id").values_list("work_order_id", "outcome")):
        outcomes[order_id] = outcome
    for order_id, speed, attitude, quality in (RatingLink.objects.filter(work_order_id__in=ids,
                                                                         used_at__isnull=False)
                                               .order_by("used_at").values_list("work_order_id", "speed",
                                                                                "attitude", "quality")):
        ratings[order_id] = f"{speed}/{attitude}/{quality}"

    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    def who(user):
        if user is None:
            return _("system")
        staff = getattr(user, "staff", None)
        return staff.display_name if staff else user.get_username()

    def outcome_label(value: str) -> str:
        if not value:
            return ""
        from kefu.callbacks.choices import Outcome

        return str(Outcome(value).label)

    rows = []
    for order in orders:
        history = events.get(order.pk, [])
        acknowledged = next((e.created_at for e in history if e.action in ("accept", "dispatch", "resolve")), None)
        record = "\n".join(f"{when(e.created_at)} {who(e.actor)} {e.get_action_display()}"
                           f"{': ' + e.body[:200] if e.body and not e.internal else ''}" for e in history)
        outcome = outcomes.get(order.pk, "")
        rows.append([order.number, when(order.received_at), order.category.display_name, order.complaint_level or "",
                     who(order.first_contact_owner), when(acknowledged), record, order.resolution, when(order.resolved_at),
                     when(order.closed_at), order.get_status_display(),
                     outcome_label(outcome), ratings.get(order.pk, "")])
    return rows


EVIDENCE_HEADER = (
    gettext_noop("Number"), gettext_noop("Received"), gettext_noop("Category"), gettext_noop("Complaint level"),
    gettext_noop("First-contact owner"), gettext_noop("Acknowledged"), gettext_noop("Handling record"),
    gettext_noop("Response"), gettext_noop("Resolved"), gettext_noop("Closed"), gettext_noop("Status"),
    gettext_noop("Callback outcome"), gettext_noop("Rating (speed/attitude/quality)"))


def evidence_xlsx(*, actor, period, scope, period_text: str) -> bytes:
    rows = evidence_rows(actor=actor, period=period, scope=scope)
    return xlsx_bytes(title=_("Complaint-handling evidence (GB/T 19012)"), period_text=period_text,
                      tables=[(_("Complaints"), [_(h) for h in EVIDENCE_HEADER], rows)])
