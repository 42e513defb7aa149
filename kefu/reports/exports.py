"""Report files: xlsx (openpyxl, one sheet per table; counts, rates and minutes are number cells
with number formats) and PDF (reportlab with an embedded Chinese TrueType font, and the charts of
the analysis page drawn server-side with reportlab.graphics, each a Form XObject), and the GB/T
19012-2019 complaint-handling evidence workbook. Pure rendering: the figures come from selectors."""

from __future__ import annotations

import io
import logging
import os

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


class Percent(float):
    """A rate (0.8523) that reads as a percentage ("85.2%") in a PDF cell and is written to xlsx as
    the number 0.8523 with the percent number format."""

    def __str__(self) -> str:
        return f"{self * 100:.1f}%"


class Minutes(float):
    """Business minutes: a number with one decimal in xlsx and in the PDF."""

    def __str__(self) -> str:
        return f"{self:.1f}"


def _pct(rate) -> Percent | str:
    return "—" if rate is None else Percent(rate)


def _minutes(value) -> Minutes | str:
    return "—" if value is None else Minutes(value)


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
                       [[clock_label(kind), s["count"], _minutes(s["average"]), _minutes(s["median"]),
                         _minutes(s["p90"])] for kind, s in times if s]))
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


# Number formats of the xlsx cells: counts as integers with a thousands separator, rates as
# percentages with one decimal, minutes and per-1,000 figures with decimals.
NUMBER_FORMATS = {Percent: "0.0%", Minutes: "0.0", int: "#,##0", float: "0.00"}


def _xlsx_cell(value):
    """(value openpyxl writes, number format or None): Percent and Minutes are written as plain floats."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value, None
    for kind in (Percent, Minutes, int, float):
        if isinstance(value, kind):
            return (float(value) if kind in (Percent, Minutes) else value), NUMBER_FORMATS[kind]
    return value, None


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
            cells = [_xlsx_cell(v) for v in row]
            append_row(sheet, [value for value, _fmt in cells])
            for cell, (_value, number_format) in zip(sheet[sheet.max_row], cells, strict=False):
                if number_format:
                    cell.number_format = number_format
        for column, width in zip("ABCDEFG", (28, 12, 12, 12, 14, 14, 60), strict=False):
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_xlsx(*, report_kind: str, report: dict, period_text: str) -> bytes:
    return xlsx_bytes(title=report_title(report_kind), period_text=period_text, tables=_tables(report))


# --- PDF ----------------------------------------------------------------------------------------------

# The PDF's Chinese font is a TrueType font embedded (subset) in the file, so the report reads the
# same on a reader without Chinese fonts (the Adobe CID font STSong-Light is not embedded: a reader
# substitutes it, or shows nothing). WenQuanYi Micro Hei (Debian fonts-wqy-microhei, `make
# system-deps`) has TrueType outlines, which reportlab embeds; Noto CJK is CFF, which it cannot.
PDF_FONT_FILES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
EMBEDDED_FONT = "KefuCJK"
FALLBACK_FONT = "STSong-Light"

logger = logging.getLogger(__name__)


def _font_file() -> tuple[str, int] | None:
    from django.conf import settings

    configured = getattr(settings, "KEFU_PDF_FONT_FILE", "")
    candidates = ((configured, 0), *PDF_FONT_FILES) if configured else PDF_FONT_FILES
    return next(((path, index) for path, index in candidates if os.path.exists(path)), None)


# Decided once at import: other apps' PDFs import the name (kefu.standards.exports).
FONT = EMBEDDED_FONT if _font_file() else FALLBACK_FONT


def _register_font() -> str:
    """Register the report PDFs' Chinese font (once) and return its name: the embedded TrueType
    font; without one of PDF_FONT_FILES (or settings.KEFU_PDF_FONT_FILE) the reports still render,
    with the CID font readers substitute, and a warning in the log."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    if FONT == EMBEDDED_FONT:
        path, index = _font_file()  # type: ignore[misc]  # FONT is EMBEDDED_FONT only when a file exists
        pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=index))
    else:
        logger.warning("No TrueType Chinese font for the report PDFs (install fonts-wqy-microhei): the PDFs "
                       "use %s, which is not embedded.", FALLBACK_FONT)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FONT


# --- charts (the analysis page's ECharts, drawn server-side for the PDF) -------------------------------

CHART_WIDTH, CHART_HEIGHT = 500, 190
BLUE, RED, GREY, GREEN = "#0d6efd", "#dc3545", "#6c757d", "#198754"


def _short(label, size: int = 8) -> str:
    text = str(label)
    return text if len(text) <= size else text[:size - 1] + "…"


def _chart_frame(title: str):
    from reportlab.graphics.shapes import Drawing, String

    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    drawing.add(String(0, CHART_HEIGHT - 12, title, fontName=FONT, fontSize=9))
    return drawing


def _empty(drawing):
    from reportlab.graphics.shapes import String

    drawing.add(String(10, CHART_HEIGHT / 2, _("No orders in the period."), fontName=FONT, fontSize=8))
    return drawing


def _bars(title: str, labels: list[str], values: list[float], *, color: str = BLUE, percent: bool = False,
          series: list[tuple[str, list[float], str]] | None = None):
    """A vertical bar chart; `series` (name, values, colour) for grouped bars with a legend."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.lib import colors

    drawing = _chart_frame(title)
    groups = series or [("", values, color)]
    if not labels:
        return _empty(drawing)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 30, CHART_WIDTH - 50, CHART_HEIGHT - 62
    chart.data = [[v or 0 for v in vals] for _name, vals, _c in groups]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    if len(labels) > 12:
        chart.categoryAxis.labels.angle = 45
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    if percent:
        chart.valueAxis.valueMax = 100
        chart.valueAxis.labelTextFormat = "%d%%"
    for i, (_name, _vals, colour) in enumerate(groups):
        chart.bars[i].fillColor = colors.HexColor(colour)
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    if series:
        legend = Legend()
        legend.x, legend.y = CHART_WIDTH - 10, CHART_HEIGHT - 8
        legend.alignment = "right"
        legend.boxAnchor = "ne"
        legend.columnMaximum = 1
        legend.fontName, legend.fontSize = FONT, 7
        legend.dx = legend.dy = 6
        legend.deltax = 70
        legend.colorNamePairs = [(colors.HexColor(c), name) for name, _v, c in groups]
        drawing.add(legend)
    return drawing


def _trend_chart(report: dict):
    trend = report.get("trend") or {}
    points = trend.get("points") or []
    title = _("Orders received per day") if trend.get("unit") == "day" else _("Orders received per week")
    labels = [p["start"][5:] for p in points]
    if len(labels) > 16:  # every other label, so they stay legible
        step = (len(labels) + 15) // 16
        labels = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    if not any(p["count"] for p in points):
        return _empty(_chart_frame(title))
    return _bars(title, labels, [p["count"] for p in points])


def _on_time_chart(report: dict):
    kinds = [("first_response_on_time_rate", _("First-response on-time rate")),
             ("resolution_on_time_rate", _("Resolution on-time rate"))]

    def rates(source: dict) -> list[float]:
        return [round(((source or {}).get(key) or {}).get("rate") or 0, 4) * 100 for key, _label in kinds]

    series = [(_("This period"), rates(report), BLUE)]
    if report.get("previous"):
        series.append((_("Previous period"), rates(report["previous"]), GREY))
    if report.get("last_year"):
        series.append((_("Same period last year"), rates(report["last_year"]), GREEN))
    return _bars(_("On-time rates (%)"), [str(label) for _key, label in kinds], [], percent=True, series=series)


def _pareto_chart(categories: list[dict]):
    """Bars of the top categories with the cumulative share line (Pareto)."""
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.lib import colors

    top = categories[:10]
    drawing = _bars(_("By category (Pareto)"), [_short(r["label"], 6) for r in top], [r["count"] for r in top])
    if not top:
        return drawing
    line = LinePlot()
    line.x, line.y, line.width, line.height = 36, 30, CHART_WIDTH - 50, CHART_HEIGHT - 62
    step = line.width / len(top)
    line.data = [[(step * (i + 0.5), (r["cumulative_share"] or 0) * 100) for i, r in enumerate(top)]]
    line.xValueAxis.valueMin, line.xValueAxis.valueMax = 0, line.width
    line.yValueAxis.valueMin, line.yValueAxis.valueMax = 0, 100
    line.xValueAxis.visible = False
    line.yValueAxis.visible = False
    line.lines[0].strokeColor = colors.HexColor(RED)
    drawing.add(line)
    return drawing


def analysis_charts(report: dict) -> list:
    """The charts of the service-analysis page, as reportlab drawings: the trend per day or week,
    orders by type and by channel, the Pareto of categories and the on-time rates."""
    charts = []
    if "trend" in report:
        charts.append(("trend", _trend_chart(report)))
    types = report.get("by_type_detail") or []
    channels = report.get("by_channel_detail") or report.get("by_channel") or []
    if "by_type_detail" in report:
        charts.append(("type", _bars(_("By type"), [_short(r["label"]) for r in types], [r["count"] for r in types])))
    charts.append(("channel", _bars(_("By channel"), [_short(r["label"]) for r in channels],
                                    [r["count"] for r in channels], color=GREEN)))
    charts.append(("pareto", _pareto_chart(report.get("by_category_detail") or report.get("by_category") or [])))
    charts.append(("on_time", _on_time_chart(report)))
    return charts


def _chart_flowable(name: str, drawing):
    """A drawing placed as a PDF Form XObject (drawn once, referenced from the page)."""
    from reportlab.graphics import renderPDF
    from reportlab.platypus import Flowable

    class ChartFlowable(Flowable):
        def wrap(self, available_width, available_height):
            return drawing.width, drawing.height

        def draw(self):
            form = f"KefuChart-{name}"
            self.canv.beginForm(form, lowerx=0, lowery=0, upperx=drawing.width, uppery=drawing.height)
            renderPDF.draw(drawing, self.canv, 0, 0, showBoundary=False)
            self.canv.endForm()
            self.canv.doForm(form)

    return ChartFlowable()


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
    if "by_category_detail" in report or "by_category" in report:  # the analysis and the per-type reports
        story.append(Paragraph(_("Charts"), heading))
        for name, drawing in analysis_charts(report):
            story.append(_chart_flowable(name, drawing))
            story.append(Spacer(1, 6))
    for sheet_title, header, rows in _tables(report):
        # The PDF is read by people: display names only, never the internal codes the xlsx keeps
        # for re-use (hotline_400, prop.repair.access).
        if _("Code") in header:
            drop = header.index(_("Code"))
            header = [h for i, h in enumerate(header) if i != drop]
            rows = [[v for i, v in enumerate(row) if i != drop] for row in rows]
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
            # Wide tables (the survey campaigns) wrap their cells to stay inside the A4 frame, in a
            # smaller size so a date (2026-03-20) stays on one line.
            narrow = ParagraphStyle("n", parent=body, fontSize=6.5, leading=8.5)
            data = [[Paragraph(escape(str(v)), narrow) for v in line] for line in [header, *rows]]
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
