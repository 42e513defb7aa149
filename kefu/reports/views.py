"""Report pages (htmx + Bootstrap): service analysis, per-type reports, drill-down lists, duty
log, dashboard, exports and the history of generated reports. Views parse input and call
selectors (reads) and services (writes); errors become a marked field or a 4xx page."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kefu.core.errors import ApplicationError, NotAllowed, NotFound
from kefu.core.htmx import is_partial
from kefu.core.pagination import CappedPaginator
from kefu.customers.models import Site
from kefu.org.selectors import actor_for_user, team_list
from kefu.reports import exports, metrics, selectors, services
from kefu.reports.choices import KIND_TYPES, FileFormat, ReportKind

PAGE_SIZE = 25


def _actor(request):
    actor = actor_for_user(request.user)
    try:
        return selectors.require_report_actor(actor)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None


def _presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    month = selectors.month_period(today)
    last_month = selectors.month_period(month.start - dt.timedelta(days=1))
    week_start = today - dt.timedelta(days=today.weekday())
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return [
        (_("This month"), month.start, month.end), (_("Last month"), last_month.start, last_month.end),
        (_("This week"), week_start, week_start + dt.timedelta(days=6)),
        (_("Last week"), week_start - dt.timedelta(days=7), week_start - dt.timedelta(days=1)),
        (_("This quarter"), quarter_start,
         selectors.month_period(quarter_start + dt.timedelta(days=62)).end),
        (_("This year"), dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
    ]


def _form_context(request, errors=None) -> dict:
    today = timezone.localdate()
    month = selectors.month_period(today)
    params = request.GET.copy()
    params.setdefault("start", month.start.isoformat())
    params.setdefault("end", month.end.isoformat())
    return {"params": params, "errors": errors or {}, "presets": _presets(today),
            "sites": list(Site.objects.order_by("code")), "teams": list(team_list()),
            "definitions": metrics.DEFINITIONS, "rate_rows": exports.rate_rows()}


def _label_backlog(report: dict) -> None:
    for row in report.get("backlog", {}).get("ages", []):
        row["label"] = exports.age_label(row["bucket"])


def _period_scope(params):
    scope = selectors.parse_scope(params)
    return selectors.parse_period(params, scope), scope


@login_required
@require_GET
def service_analysis(request):
    actor = _actor(request)
    context = _form_context(request)
    try:
        period, scope = _period_scope(context["params"])
        context["report"] = selectors.service_analysis_compared(actor=actor, period=period, scope=scope)
        _label_backlog(context["report"])
        context["export_query"] = context["params"].urlencode()
        status = 200
    except ApplicationError as error:
        context["errors"] = error.fields
        status = error.status_code
    template = ("reports/partials/service_analysis_results.html" if is_partial(request)
                else "reports/service_analysis.html")
    return render(request, template, context, status=status)


@login_required
@require_GET
def type_report(request, report: str):
    actor = _actor(request)
    if report not in KIND_TYPES:
        raise Http404
    context = _form_context(request)
    context.update(kind=report, kind_label=ReportKind(report).label)
    try:
        period, scope = _period_scope(context["params"])
        context["report"] = selectors.type_report(actor=actor, period=period, scope=scope, type=KIND_TYPES[report])
        context["export_query"] = context["params"].urlencode()
        status = 200
    except ApplicationError as error:
        context["errors"] = error.fields
        status = error.status_code
    return render(request, "reports/type_report.html", context, status=status)


@login_required
@require_GET
def orders(request):
    """The orders behind a figure; the count shown is the figure."""
    actor = _actor(request)
    try:
        qs, meta = selectors.drill_orders(actor=actor, params=request.GET)
    except ApplicationError as error:
        return render(request, "reports/orders.html", {"errors": error.fields}, status=error.status_code)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "orders": page.object_list, "meta": meta, "params": request.GET,
               "condition_label": _condition_label(meta)}
    template = "workorders/partials/queue_results.html" if is_partial(request) else "reports/orders.html"
    return render(request, template, context)


def _condition_label(meta) -> str:
    key = {"fcr": "fcr_rate", "reopened": "reopen_rate", "repeat_complaint": "repeat_complaint_rate",
           "closed_3d": "closed_3d_rate", "callback_completed": "callback_coverage",
           "callback_satisfied": "callback_satisfaction_rate", "satisfied": "satisfaction_rate",
           "sla_met": f"{meta.get('kind')}_on_time_rate"}.get(meta.get("condition"))
    return str(metrics.DEFINITIONS.get(key, "")) if key else ""


@login_required
@require_GET
def duty_log(request):
    actor = _actor(request)
    context = _form_context(request)
    params = context["params"]
    errors = {}
    try:
        day = dt.date.fromisoformat(params.get("day") or timezone.localdate().isoformat())
    except ValueError:
        errors["day"] = [_("day must be a date (YYYY-MM-DD).")]
        day = timezone.localdate()
    shift = params.get("shift") or "all"
    context.update(day=day, shift=shift, shifts=[("all", _("Whole day")), ("day", _("Day shift 08:00–20:00")),
                                                   ("night", _("Night shift 20:00–08:00"))])
    status = 200
    if not errors:
        try:
            scope = selectors.parse_scope(params)
            log = selectors.duty_log(actor=actor, day=day, shift=shift, scope=scope)
            context["log"] = log
            context["sections"] = [("received", _("Received in the shift"), log["received"]),
                                   ("resolved", _("Resolved"), log["resolved"]),
                                   ("open", _("Received and still open"), log["open"])]
        except ApplicationError as error:
            errors, status = error.fields, error.status_code
    else:
        status = 400
    context["errors"] = errors
    return render(request, "reports/duty_log.html", context, status=status)


@login_required
@require_GET
def dashboard(request):
    actor = _actor(request)
    context = _form_context(request)
    try:
        scope = selectors.parse_scope(request.GET)
        board = selectors.dashboard(actor=actor, scope=scope)
        context["board"] = board
        context["chart_data"] = {"trend": board.get("satisfaction_trend", []), "categories": board["top_categories"]}
        status = 200
    except ApplicationError as error:
        context["errors"] = error.fields
        status = error.status_code
    context["filter_query"] = request.GET.urlencode()
    template = "reports/partials/dashboard_panel.html" if is_partial(request) else "reports/dashboard.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def export(request, report: str, fmt: str):
    """Download a report as xlsx or PDF (also kept in the history of generated reports)."""
    actor = _actor(request)
    if report not in ReportKind.values or fmt not in FileFormat.values or (
            report == ReportKind.EVIDENCE and fmt != FileFormat.XLSX):
        raise Http404
    try:
        period, scope = _period_scope(request.GET)
        generated = services.report_generate(actor_user=request.user, actor=actor, report=report, file_format=fmt,
                                             period=period, scope=scope)
    except ApplicationError as error:
        return HttpResponse(error.message, status=error.status_code, content_type="text/plain; charset=utf-8")
    return _file_response(generated)


def _file_response(generated):
    generated.file.open("rb")
    return FileResponse(generated.file, as_attachment=True, filename=exports.filename(generated),
                        content_type=exports.CONTENT_TYPES[generated.file_format])


@login_required
@require_GET
def generated_list(request):
    actor = _actor(request)
    rows = selectors.generated_for_actor(actor=actor)[:200]
    return render(request, "reports/generated.html", {"rows": rows})


@login_required
@require_GET
def generated_download(request, pk: int):
    actor = _actor(request)
    try:
        generated = selectors.generated_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None
    return _file_response(generated)
