"""Report pages (htmx + Bootstrap): service analysis, per-type reports, drill-down lists, duty
log, dashboard, exports and the history of generated reports. Views parse input and call
selectors (reads) and services (writes); errors become a marked field or a 4xx page."""

import datetime as dt
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from kefu.core.errors import ApplicationError, NotAllowed, NotFound
from kefu.core.htmx import is_partial
from kefu.core.pagination import CappedPaginator
from kefu.org.choices import Visibility
from kefu.org.decorators import staff_required
from kefu.org.selectors import actor_for_user
from kefu.reports import exports, metrics, selectors, services
from kefu.reports.choices import KIND_TYPES, FileFormat, Frequency, ReportKind

PAGE_SIZE = 25


def _report_actor(request):
    actor = request.actor
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


def _form_context(request, actor, errors=None) -> dict:
    today = timezone.localdate()
    month = selectors.month_period(today)
    params = request.GET.copy()
    params.setdefault("start", month.start.isoformat())
    params.setdefault("end", month.end.isoformat())
    return {"params": params, "errors": errors or {}, "presets": _presets(today),
            **_filter_choices(actor),
            "definitions": metrics.DEFINITIONS, "rate_rows": exports.rate_rows()}


def _filter_choices(actor) -> dict:
    options = selectors.scope_options(actor=actor)
    return {"sites": list(options["site"]), "teams": list(options["team"])}


def _label_backlog(report: dict) -> None:
    for row in report.get("backlog", {}).get("ages", []):
        row["label"] = exports.age_label(row["bucket"])


def _period_scope(params):
    scope = selectors.parse_scope(params)
    return selectors.parse_period(params, scope), scope


@staff_required
@require_GET
def service_analysis(request):
    actor = _report_actor(request)
    context = _form_context(request, actor)
    try:
        period, scope = _period_scope(context["params"])
        context["report"] = selectors.service_analysis_compared(actor=actor, period=period, scope=scope)
        _label_backlog(context["report"])
        context["chart_data"] = _analysis_chart_data(context["report"])
        context["export_query"] = context["params"].urlencode()
        status = 200
    except ApplicationError as error:
        context["errors"] = error.fields
        status = error.status_code
    template = ("reports/partials/service_analysis_results.html" if is_partial(request)
                else "reports/service_analysis.html")
    return render(request, template, context, status=status)


def _analysis_chart_data(report: dict) -> dict:
    """What the analysis page's charts draw (static/js/reports-analysis.js): the same figures as
    the tables beside them and the PDF's charts, display names only, each bar's orders list."""
    def rate(source: dict | None, key: str):
        value = ((source or {}).get(key) or {}).get("rate")
        return None if value is None else round(value * 100, 1)

    on_time = ("first_response_on_time_rate", "resolution_on_time_rate")
    return {
        "trend": report.get("trend") or {"unit": "day", "points": []},
        "type": [{"label": str(r["label"]), "count": r["count"], "url": r["url"]}
                 for r in report.get("by_type_detail", [])],
        "channel": [{"label": str(r["label"]), "count": r["count"], "url": r["url"]}
                    for r in report.get("by_channel_detail", [])],
        "pareto": [{"label": str(r["label"]), "count": r["count"], "url": r["url"],
                    "cumulative": None if r["cumulative_share"] is None else round(r["cumulative_share"] * 100, 1)}
                   for r in report.get("by_category_detail", [])[:15]],
        "on_time": {"labels": [_("First-response on-time rate"), _("Resolution on-time rate")],
                    "series": [{"name": name, "rates": [rate(source, key) for key in on_time]}
                               for name, source in ((_("This period"), report),
                                                    (_("Previous period"), report.get("previous")),
                                                    (_("Same period last year"), report.get("last_year")))]},
        "names": {"orders": _("Orders"), "cumulative": _("Cumulative share"), "none": _("No orders in the period.")},
    }


@staff_required
@require_GET
def definitions(request):
    """Every figure: its formula, numerator, denominator and the orders the period is about (the
    page each ⓘ links to)."""
    _report_actor(request)
    return render(request, "reports/definitions.html", {"figures": metrics.figure_definitions()})


@staff_required
@require_GET
def type_report(request, report: str):
    actor = _report_actor(request)
    if report not in KIND_TYPES:
        raise Http404
    context = _form_context(request, actor)
    context.update(kind=report, kind_label=ReportKind(report).label)
    try:
        period, scope = _period_scope(context["params"])
        context["report"] = selectors.type_report(actor=actor, period=period, scope=scope, type=KIND_TYPES[report])  # type: ignore[index]  # the report names are ReportKind's str values
        context["export_query"] = context["params"].urlencode()
        status = 200
    except ApplicationError as error:
        context["errors"] = error.fields
        status = error.status_code
    return render(request, "reports/type_report.html", context, status=status)


@staff_required
@require_GET
def orders(request):
    """The orders behind a figure; the count shown is the figure."""
    actor = _report_actor(request)
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


@staff_required
@require_GET
def duty_log(request):
    actor = _report_actor(request)
    context = _form_context(request, actor)
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


@staff_required
@require_GET
def dashboard(request):
    actor = _report_actor(request)
    context = _form_context(request, actor)
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


@staff_required
@require_GET
def export(request, report: str, fmt: str):
    """Download a report as xlsx or PDF (also kept in the history of generated reports)."""
    actor = _report_actor(request)
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


@staff_required
@require_GET
def generated_list(request):
    actor = _report_actor(request)
    rows = selectors.generated_for_actor(actor=actor)[:200]
    return render(request, "reports/generated.html", {"rows": rows})


@staff_required
@require_GET
def generated_download(request, pk: int):
    actor = _report_actor(request)
    try:
        generated = selectors.generated_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None
    return _file_response(generated)


SURVEY_RECORD_LABELS = {
    "invited": _lazy("Invitations (应评价)"), "responded": _lazy("Invitations answered (评价数)"),
    "valid": _lazy("Valid answers (有效评价)"), "satisfied": _lazy("Satisfied answers"),
}


@staff_required
@require_GET
def survey_records(request):
    """The invitations or answers behind a survey-campaign figure; the count shown is the figure."""
    actor = _report_actor(request)
    try:
        qs, meta = selectors.drill_survey_records(actor=actor, params=request.GET)
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except NotFound:
        raise Http404 from None
    except ApplicationError as error:
        return render(request, "reports/survey_records.html", {"errors": error.fields}, status=error.status_code)
    from kefu.surveys.choices import ResponseChannel, Satisfaction

    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/survey_records.html", {
        "page": page, "rows": page.object_list, "meta": meta, "answers": meta["records"] in ("valid", "satisfied"),
        "records_label": SURVEY_RECORD_LABELS[meta["records"]], "scores": dict(Satisfaction.choices),
        "channels": dict(ResponseChannel.choices), "definition": metrics.DEFINITIONS["campaign_satisfaction"]})


# --- report schedules ---------------------------------------------------------------------------------

# One address per line or comma-separated; Chinese keyboards type the full-width comma and 、.
RECIPIENT_SEPARATORS = re.compile(r"[\s,;，；、]+")


def _schedule_or_404(actor, pk):
    try:
        return selectors.schedule_get_for_actor(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


def _schedule_for_change(actor, pk):
    schedule = _schedule_or_404(actor, pk)
    if not selectors.schedule_may_change(actor=actor, schedule=schedule):
        raise PermissionDenied(_("Only the owner of a report schedule or an administrator may change it."))
    return schedule


def _service_refusal(error: ApplicationError):
    """A refused POST on the list page: 404/403 as pages, anything else as a message on the list."""
    if isinstance(error, NotFound):
        raise Http404 from None
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message) from None


@staff_required
@require_GET
def schedule_list(request):
    actor = _report_actor(request)
    schedules = list(selectors.schedule_list_for_actor(actor=actor))
    labels = selectors.schedule_scope_labels(schedules)
    held = selectors.schedule_scope_held_back(schedules, reader=actor)
    rows = [{"schedule": s, "scope_labels": list(labels.get(s.pk, {}).values()),
             "held_back": [labels.get(s.pk, {}).get(key, key) for key in held.get(s.pk, [])],
             "may_change": selectors.schedule_may_change(actor=actor, schedule=s)} for s in schedules]
    return render(request, "reports/schedules.html", {"rows": rows, "show_owner": actor.visibility == Visibility.ALL})


def _schedule_input(post) -> dict:
    return {"name": post.get("name", ""), "report": post.get("report", ""),
            "file_format": post.get("file_format", ""), "frequency": post.get("frequency", ""),
            "recipients": [a for a in RECIPIENT_SEPARATORS.split(post.get("recipients", "")) if a],
            "scope": {key: post.get(key, "") for key in selectors.SCOPE_KEYS}}


def _schedule_form_context(*, owner, schedule=None, post=None, errors=None, error_message="") -> dict:
    """The form's values and choices; the scope selects list only what `owner` (the user who
    creates the schedule, or the owner of the one edited) may see — the rule the services check."""
    if post is not None:
        values = {key: post.get(key, "") for key in ("name", "report", "file_format", "frequency", "recipients",
                                                     *selectors.SCOPE_KEYS)}
        values["is_active"] = bool(post.get("is_active"))
    elif schedule is not None:
        values = {"name": schedule.name, "report": schedule.report, "file_format": schedule.file_format,
                  "frequency": schedule.frequency, "recipients": "\n".join(schedule.recipients),
                  "is_active": schedule.is_active,
                  **{key: str(schedule.scope.get(key) or "") for key in selectors.SCOPE_KEYS}}
    else:
        values = {"report": ReportKind.SERVICE_ANALYSIS, "file_format": FileFormat.XLSX,
                  "frequency": Frequency.WEEKLY, "is_active": True}
    # "scope.site" → "site": each scope key is its own select on the form.
    errors = {key.removeprefix("scope."): msgs for key, msgs in (errors or {}).items()}
    options = selectors.scope_options(actor=actor_for_user(owner))
    return {"schedule": schedule, "values": values, "errors": errors, "error_message": error_message,
            "reports": ReportKind.choices, "formats": FileFormat.choices, "frequencies": Frequency.choices,
            "sites": list(options["site"]), "departments": list(options["department"]),
            "teams": list(options["team"]), "agents": list(options["agent"])}


@staff_required
def schedule_create(request):
    _report_actor(request)
    if request.method != "POST":
        return render(request, "reports/schedule_form.html", _schedule_form_context(owner=request.user))
    try:
        schedule = services.report_schedule_create(actor_user=request.user, is_active=bool(request.POST.get("is_active")),
                                                   **_schedule_input(request.POST))
    except ApplicationError as error:
        _service_refusal(error)
        return render(request, "reports/schedule_form.html", _schedule_form_context(
            owner=request.user, post=request.POST, errors=error.fields, error_message=error.message),
            status=error.status_code)
    messages.success(request, _("Report schedule “%(name)s” has been created.") % {"name": schedule.name})
    return redirect("reports:schedules")


@staff_required
def schedule_edit(request, pk: int):
    actor = _report_actor(request)
    schedule = _schedule_for_change(actor, pk)
    if request.method != "POST":
        return render(request, "reports/schedule_form.html", _schedule_form_context(owner=schedule.owner,
                                                                                     schedule=schedule))
    try:
        schedule = services.report_schedule_update(actor_user=request.user, schedule=schedule,
                                                   is_active=bool(request.POST.get("is_active")),
                                                   **_schedule_input(request.POST))
    except ApplicationError as error:
        _service_refusal(error)
        return render(request, "reports/schedule_form.html", _schedule_form_context(
            owner=schedule.owner, schedule=schedule, post=request.POST, errors=error.fields,
            error_message=error.message), status=error.status_code)
    messages.success(request, _("Report schedule “%(name)s” has been saved.") % {"name": schedule.name})
    return redirect("reports:schedules")


@staff_required
@require_POST
def schedule_set_active(request, pk: int):
    actor = _report_actor(request)
    schedule = _schedule_for_change(actor, pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        schedule = services.report_schedule_set_active(actor_user=request.user, schedule=schedule, is_active=is_active)
    except ApplicationError as error:
        _service_refusal(error)
        messages.error(request, error.message)
        return redirect("reports:schedules")
    text = (_("Report schedule “%(name)s” has been resumed.") if schedule.is_active
            else _("Report schedule “%(name)s” has been paused."))
    messages.success(request, text % {"name": schedule.name})
    return redirect("reports:schedules")


@staff_required
@require_POST
def schedule_run(request, pk: int):
    """Deliver the latest complete period now; an already generated period is not sent twice."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils.html import format_html

    actor = _report_actor(request)
    schedule = _schedule_for_change(actor, pk)
    base_url = settings.KEFU_PUBLIC_BASE_URL.rstrip("/")
    try:
        generated, created = services.report_schedule_run_now(actor_user=request.user, schedule=schedule,
                                                               base_url=base_url)
    except ApplicationError as error:
        _service_refusal(error)
        # e.g. an owner who moved no longer sees the scope: say which part, not only "check it"
        details = [m for field_messages in (error.fields or {}).values() for m in field_messages]
        messages.error(request, " ".join([error.message, *details]))
        return redirect("reports:schedules")
    if generated is None:  # another worker won the race and its file is not visible yet
        messages.info(request, _("This period is being generated by the scheduled run; it is not sent twice."))
        return redirect("reports:schedules")
    period = {"name": schedule.name, "start": generated.period_start, "end": generated.period_end,
              "count": len(schedule.recipients)}
    if created:
        text = _("“%(name)s” for %(start)s – %(end)s has been generated and emailed to %(count)s "
                 "recipient(s).") % period
        level = messages.SUCCESS
    else:
        text = _("“%(name)s” for %(start)s – %(end)s was already generated; it has not been sent again.") % period
        level = messages.INFO
    link = format_html(' <a href="{}" class="alert-link" id="run-now-file">{}</a>',
                       reverse("reports:generated_download", args=[generated.pk]), _("Open the file"))
    messages.add_message(request, level, format_html("{}{}", text, link))
    return redirect("reports:schedules")


@staff_required
def schedule_delete(request, pk: int):
    """GET asks to confirm; POST deletes (the generated files stay in the history)."""
    actor = _report_actor(request)
    schedule = _schedule_for_change(actor, pk)
    if request.method != "POST":
        return render(request, "reports/schedule_delete.html", {"schedule": schedule})
    try:
        services.report_schedule_delete(actor_user=request.user, schedule=schedule)
    except ApplicationError as error:
        _service_refusal(error)
        messages.error(request, error.message)
        return redirect("reports:schedules")
    messages.success(request, _("Report schedule “%(name)s” has been deleted.") % {"name": schedule.name})
    return redirect("reports:schedules")
