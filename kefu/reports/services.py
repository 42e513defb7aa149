"""Report writes: generating a report file (kept in the history), report schedules and their
scheduled runs (file stored, a link emailed through the notifications outbox — the outbox has no
attachments)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput, NotAllowed
from kefu.org.selectors import Actor, actor_for_user
from kefu.reports import exports, selectors
from kefu.reports.choices import KIND_TYPES, FileFormat, Frequency, ReportKind
from kefu.reports.metrics import Period
from kefu.reports.models import GeneratedReport, ReportSchedule
from kefu.reports.selectors import Scope

SCHEDULE_HOUR = 9  # Monday / the 1st at 09:00, site zone


def _period_text(period: Period) -> str:
    return f"{period.start:%Y-%m-%d} – {period.end:%Y-%m-%d} ({period.timezone})"


def _scope_text(scope: Scope) -> str:
    return " · ".join(str(v) for v in scope.labels.values())


def report_render(*, actor: Actor, report: str, file_format: str, period: Period, scope: Scope) -> bytes:
    """The report's file content (xlsx or PDF) for the period and scope, seen as `actor`."""
    if report == ReportKind.EVIDENCE:
        if file_format != FileFormat.XLSX:
            raise InvalidInput(_("file_format: the evidence export is xlsx only."),
                               fields={"file_format": [_("file_format: the evidence export is xlsx only.")]})
        return exports.evidence_xlsx(actor=actor, period=period, scope=scope, period_text=_period_text(period))
    if report == ReportKind.SERVICE_ANALYSIS:
        data = selectors.service_analysis_compared(actor=actor, period=period, scope=scope)
    elif report in KIND_TYPES:
        data = selectors.type_report(actor=actor, period=period, scope=scope, type=KIND_TYPES[report])
    else:
        raise InvalidInput(_("report: unknown report."), fields={"report": [_("report: unknown report.")]})
    if file_format == FileFormat.PDF:
        return exports.report_pdf(report_kind=report, report=data, period_text=_period_text(period),
                                  scope_text=_scope_text(scope))
    return exports.report_xlsx(report_kind=report, report=data, period_text=_period_text(period))


@transaction.atomic
def report_generate(*, actor_user, report: str, file_format: str, period: Period, scope: Scope,
                    actor: Actor | None = None, schedule: ReportSchedule | None = None) -> GeneratedReport:
    """Render a report and keep the file in the history of generated reports."""
    actor = selectors.require_report_actor(actor or actor_for_user(actor_user))
    if file_format not in FileFormat.values:
        raise InvalidInput(_("file_format: unknown format."), fields={"file_format": [_("file_format: unknown format.")]})
    content = report_render(actor=actor, report=report, file_format=file_format, period=period, scope=scope)
    generated = GeneratedReport(report=report, file_format=file_format, period_start=period.start,
                                period_end=period.end, scope=scope.params(), schedule=schedule,
                                generated_by=actor_user, created_at=timezone.now(), size=len(content))
    generated.file.save(exports.filename(generated), ContentFile(content), save=False)
    generated.save()
    return generated


def _clean_schedule(*, name, report, file_format, frequency, recipients, scope) -> dict:
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("name: this field is required.")]
    if report not in ReportKind.values:
        errors["report"] = [_("report: unknown report.")]
    if file_format not in FileFormat.values or (report == ReportKind.EVIDENCE and file_format != FileFormat.XLSX):
        errors["file_format"] = [_("file_format: not available for this report.")]
    if frequency not in Frequency.values:
        errors["frequency"] = [_("frequency: choose weekly or monthly.")]
    addresses = [a.strip() for a in (recipients or []) if a and a.strip()]
    if not addresses:
        errors["recipients"] = [_("recipients: give at least one email address.")]
    for address in addresses:
        try:
            validate_email(address)
        except Exception:  # noqa: BLE001 - Django's ValidationError: report the address
            errors["recipients"] = [_("recipients: %(address)s is not an email address.") % {"address": address}]
            break
    try:
        parsed = selectors.parse_scope({k: str(v) for k, v in (scope or {}).items()})
    except InvalidInput as error:
        errors.update({f"scope.{k}": v for k, v in error.fields.items()})
        parsed = None
    if errors:
        raise InvalidInput(_("Check the report schedule."), fields=errors)
    return {"name": name[:100], "report": report, "file_format": file_format, "frequency": frequency,
            "recipients": addresses, "scope": parsed.params()}


@transaction.atomic
def report_schedule_create(*, actor_user, name: str, report: str, frequency: str, recipients: list[str],
                           file_format: str = FileFormat.XLSX, scope: dict | None = None) -> ReportSchedule:
    """Schedule a report for the actor's own visibility; sent weekly (Monday) or monthly (1st)."""
    selectors.require_report_actor(actor_for_user(actor_user))
    values = _clean_schedule(name=name, report=report, file_format=file_format, frequency=frequency,
                             recipients=recipients, scope=scope)
    return ReportSchedule.objects.create(owner=actor_user, **values)


def schedule_period(*, frequency: str, now, tz: str) -> Period | None:
    """The period a schedule reports on at `now`: last week (Mon–Sun) from Monday 09:00, last month
    from the 1st 09:00; None before that hour."""
    from zoneinfo import ZoneInfo

    local = timezone.localtime(now, timezone=ZoneInfo(tz))
    if frequency == Frequency.WEEKLY:
        monday = local.date() - dt.timedelta(days=local.weekday())
        if local.weekday() == 0 and local.hour < SCHEDULE_HOUR:
            monday -= dt.timedelta(days=7)
        return Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1), tz)
    first = local.date().replace(day=1)
    if local.day == 1 and local.hour < SCHEDULE_HOUR:
        first = (first - dt.timedelta(days=1)).replace(day=1)
    last = first - dt.timedelta(days=1)
    return Period(last.replace(day=1), last, tz)


def report_schedules_run(*, now=None, base_url: str = "") -> list[GeneratedReport]:
    """Generate every active schedule's file for its latest period not yet generated and email
    the recipients a link. Idempotent: one file per (schedule, period) — a unique constraint,
    so two workers cannot both send."""
    from kefu.notifications.services import outbox_enqueue

    now = now or timezone.now()
    done = []
    for schedule in ReportSchedule.objects.filter(is_active=True).select_related("owner").order_by("id"):
        scope = selectors.parse_scope({k: str(v) for k, v in schedule.scope.items()})
        period = schedule_period(frequency=schedule.frequency, now=now, tz=selectors.site_timezone(scope))
        if schedule.last_period_start and schedule.last_period_start >= period.start:
            continue
        actor = actor_for_user(schedule.owner)
        try:
            selectors.require_report_actor(actor)
        except NotAllowed:
            continue  # the owner left or changed role: nothing is sent in their name
        try:
            with transaction.atomic():
                generated = report_generate(actor_user=schedule.owner, actor=actor, report=schedule.report,
                                            file_format=schedule.file_format, period=period, scope=scope,
                                            schedule=schedule)
                ReportSchedule.objects.filter(pk=schedule.pk).update(last_period_start=period.start)
                link = f"{base_url}{reverse('reports:generated_download', args=[generated.pk])}"
                subject = _("%(name)s: %(start)s – %(end)s") % {"name": schedule.name, "start": period.start,
                                                                "end": period.end}
                body = _("The report “%(name)s” for %(start)s – %(end)s is ready: %(link)s") % {
                    "name": schedule.name, "start": period.start, "end": period.end, "link": link}
                for address in schedule.recipients:
                    outbox_enqueue(channel="email", to_address=address, subject=subject, body=body)
        except IntegrityError:
            continue  # another worker generated this period first
        done.append(generated)
    return done
