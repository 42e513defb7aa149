"""Report writes: generating a report file (kept in the history), report schedules (create, edit,
pause, delete, run now) and their scheduled runs (file stored, a link emailed through the
notifications outbox — the outbox has no attachments). The reads of schedules, and the permission
rule they share with the writes, are in kefu.reports.selectors.schedules."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.dbrouter import replica_reads
from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.org.choices import Visibility
from kefu.org.selectors import Actor, actor_for_user
from kefu.reports import exports, selectors
from kefu.reports.choices import KIND_TYPES, FileFormat, Frequency, ReportKind
from kefu.reports.metrics import Period
from kefu.reports.models import GeneratedReport, ReportSchedule
from kefu.reports.selectors import Scope
from kefu.reports.selectors.schedules import SCOPE_KEYS, _schedule_visible, schedule_may_change

logger = logging.getLogger(__name__)

SCHEDULE_HOUR = 9  # Monday / the 1st at 09:00, site zone


def _period_text(period: Period) -> str:
    return f"{period.start:%Y-%m-%d} – {period.end:%Y-%m-%d} ({period.timezone})"


def _scope_text(scope: Scope) -> str:
    return " · ".join(str(v) for v in scope.labels.values())


def report_render(*, actor: Actor, report: str, file_format: str, period: Period, scope: Scope) -> bytes:
    """The report's file content (xlsx or PDF) for the period and scope, seen as `actor`. Reads from
    the read replica when one is configured and fresh enough (kefu.core.dbrouter)."""
    with replica_reads():
        return _report_render(actor=actor, report=report, file_format=file_format, period=period, scope=scope)


def _report_render(*, actor: Actor, report: str, file_format: str, period: Period, scope: Scope) -> bytes:
    if report == ReportKind.EVIDENCE:
        if file_format != FileFormat.XLSX:
            raise InvalidInput(_("file_format: the evidence export is xlsx only."),
                               fields={"file_format": [_("file_format: the evidence export is xlsx only.")]})
        return exports.evidence_xlsx(actor=actor, period=period, scope=scope, period_text=_period_text(period))
    if report == ReportKind.SERVICE_ANALYSIS:
        data = selectors.service_analysis_compared(actor=actor, period=period, scope=scope)
    elif report in KIND_TYPES:
        data = selectors.type_report(actor=actor, period=period, scope=scope, type=KIND_TYPES[report])  # type: ignore[index]  # the report names are ReportKind's str values
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


# --- report schedules ----------------------------------------------------------------------------------
#
# Who: anyone who may read reports (not vendors) schedules reports for their own visibility. A
# schedule is seen by its owner and by roles that see all orders; it is changed (edited, paused,
# run, deleted) only by its owner or an administrator. Not visible → 404, visible but not theirs → 403.

MAX_RECIPIENTS = 50  # a distribution list belongs in the mail server, not in every schedule
_UNSET = object()


def _clean_scope(scope) -> dict:
    # Empty picks ("", None) mean "all"; anything else must parse (a number naming an existing row).
    return {k: str(v).strip() for k, v in (scope or {}).items() if k in SCOPE_KEYS and v not in (None, "")
            and str(v).strip()}


def _scope_outside_visibility(owner: Actor | None, scope: Scope) -> dict:
    """{"scope.<key>": [message]} for each scope id outside what the owner may see
    (selectors.scope_options). The figures would be computed with the owner's visibility anyway;
    a scope they do not see is refused rather than delivered as a report of nothing."""
    options = selectors.scope_options(actor=owner, active_only=False)
    messages = {
        "site": _("site: not a site the owner of the schedule may see."),
        "department": _("department: not in the departments the owner of the schedule may see."),
        "team": _("team: not in the teams the owner of the schedule may see."),
        "agent": _("agent: not a member of the departments the owner of the schedule may see."),
    }
    if owner is not None and owner.visibility == Visibility.ASSIGNED:
        messages["agent"] = _("agent: the owner of the schedule sees only their own work; choose them or all "
                              "agents.")
    wanted = {"site": scope.site_id, "department": scope.department_id, "team": scope.team_id,
              "agent": scope.agent_id}
    errors = {}
    for key, value in wanted.items():
        lookup = "user_id" if key == "agent" else "pk"
        if value and not options[key].filter(**{lookup: value}).exists():
            errors[f"scope.{key}"] = [messages[key]]
    return errors


def _clean_schedule(*, owner: Actor | None, name, report, file_format, frequency, recipients, scope) -> dict:
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("name: this field is required.")]
    if report not in ReportKind.values:
        errors["report"] = [_("report: unknown report.")]
    if file_format not in FileFormat.values or (report == ReportKind.EVIDENCE and file_format != FileFormat.XLSX):
        errors["file_format"] = [_("file_format: not available for this report.")]
    if frequency not in Frequency.values:
        errors["frequency"] = [_("frequency: choose weekly, monthly, quarterly or annual.")]
    if isinstance(recipients, str):
        recipients = [recipients]
    addresses: list[str] = []
    for address in (a.strip() for a in (recipients or []) if isinstance(a, str) and a.strip()):
        if address.lower() not in {a.lower() for a in addresses}:  # one email per person, however often typed
            addresses.append(address)
    if not addresses:
        errors["recipients"] = [_("recipients: give at least one email address.")]
    elif len(addresses) > MAX_RECIPIENTS:
        errors["recipients"] = [_("recipients: at most %(n)s addresses.") % {"n": MAX_RECIPIENTS}]
    for address in addresses:
        try:
            validate_email(address)
        except Exception:  # noqa: BLE001 - Django's ValidationError: report the address
            errors["recipients"] = [_("recipients: %(address)s is not an email address.") % {"address": address}]
            break
    try:
        parsed = selectors.parse_scope(_clean_scope(scope))
    except InvalidInput as error:
        errors.update({f"scope.{k}": v for k, v in error.fields.items()})
        parsed = None
    if parsed is not None:
        errors.update(_scope_outside_visibility(owner, parsed))
    if errors:
        raise InvalidInput(_("Check the report schedule."), fields=errors)
    return {"name": name[:100], "report": report, "file_format": file_format, "frequency": frequency,
            "recipients": addresses, "scope": parsed.params()}  # type: ignore[union-attr]  # not None on this path (set or checked before)


@transaction.atomic
def report_schedule_create(*, actor_user, name: str, report: str, frequency: str, recipients: list[str],
                           file_format: str = FileFormat.XLSX, scope: dict | None = None,
                           is_active: bool = True) -> ReportSchedule:
    """Schedule a report for the actor's own visibility; sent weekly (Monday) or monthly (1st).
    The first run after creation delivers the latest complete period. The scope must lie inside
    the actor's visibility (selectors.scope_options), else 400 naming the scope field."""
    owner = selectors.require_report_actor(actor_for_user(actor_user))
    values = _clean_schedule(owner=owner, name=name, report=report, file_format=file_format, frequency=frequency,
                             recipients=recipients, scope=scope)
    return ReportSchedule.objects.create(owner=actor_user, is_active=bool(is_active), **values)


def _schedule_for_change(*, actor_user, schedule) -> tuple[Actor, ReportSchedule]:
    """The schedule row, locked, once the actor may change it: 404 when they may not see it, 403
    when it is not theirs."""
    actor = selectors.require_report_actor(actor_for_user(actor_user))
    pk = getattr(schedule, "pk", schedule)
    locked = ReportSchedule.objects.select_for_update().filter(pk=pk).first()
    if locked is None or not _schedule_visible(actor, locked):
        raise NotFound(_("Report schedule not found."))
    if not schedule_may_change(actor=actor, schedule=locked):
        raise NotAllowed(_("Only the owner of a report schedule or an administrator may change it."))
    return actor, locked


MONTHS: dict[str, int] = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}


def _period_start_of(frequency: str, day: dt.date) -> dt.date:
    """Start of the `frequency` period that holds `day`."""
    if frequency == Frequency.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    months = MONTHS[frequency]
    return day.replace(month=(day.month - 1) // months * months + 1, day=1)


def _period_end(frequency: str, start: dt.date) -> dt.date:
    if frequency == Frequency.WEEKLY:
        return start + dt.timedelta(days=6)
    month = start.month - 1 + MONTHS[frequency]
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1) - dt.timedelta(days=1)


def _last_period_start_within(frequency: str, day: dt.date) -> dt.date:
    """Start of the latest `frequency` period that ends on or before `day`."""
    start = _period_start_of(frequency, day)
    if _period_end(frequency, start) == day:
        return start
    return _period_start_of(frequency, start - dt.timedelta(days=1))


def schedule_due_day(*, frequency: str, period_end: dt.date) -> dt.date:
    """The day a period's file is due: weekly the Monday after, monthly the 1st, quarterly and
    annual the first working day of the next quarter or year (China's holidays and make-up
    workdays, kefu.sla.selectors.first_workday_on_or_after: a quarter starting on National Day
    reports after the holiday). Delivered from SCHEDULE_HOUR that day."""
    day = period_end + dt.timedelta(days=1)
    if frequency in (Frequency.QUARTERLY, Frequency.ANNUAL):
        from kefu.sla.selectors import first_workday_on_or_after

        return first_workday_on_or_after(day)
    return day


def _marker_for_frequency(schedule: ReportSchedule, frequency: str) -> dt.date | None:
    """`last_period_start` once the schedule switches to `frequency`. The files already delivered
    cover every day up to the end of the latest one; periods of the new frequency that end by then
    count as delivered (not sent again), the first one that ends later is the next to go out (not
    skipped). See docs/reports.md, "Changing a schedule"."""
    if schedule.last_period_start is None:
        return None
    covered = _period_end(schedule.frequency, schedule.last_period_start)
    latest_file_end = (GeneratedReport.objects.filter(schedule=schedule).order_by("-period_end")
                       .values_list("period_end", flat=True).first())
    if latest_file_end and latest_file_end > covered:
        covered = latest_file_end
    return _last_period_start_within(frequency, covered)


@transaction.atomic
def report_schedule_update(*, actor_user, schedule, name=_UNSET, report=_UNSET, file_format=_UNSET,
                           frequency=_UNSET, recipients=_UNSET, scope=_UNSET, is_active=_UNSET) -> ReportSchedule:
    """Change a schedule (only the given fields; all are validated together, as on creation). The
    owner stays the owner. A change of frequency moves `last_period_start` onto the new frequency
    (`_marker_for_frequency`); other changes keep it, so the period already delivered is not
    delivered again in the new form and the next one is not skipped. The scope is checked against
    the owner's visibility, whoever edits: an administrator may not widen it past the owner's."""
    _actor, locked = _schedule_for_change(actor_user=actor_user, schedule=schedule)
    given = {"name": name, "report": report, "file_format": file_format, "frequency": frequency,
             "recipients": recipients, "scope": scope}
    current = {"name": locked.name, "report": locked.report, "file_format": locked.file_format,
               "frequency": locked.frequency, "recipients": locked.recipients, "scope": locked.scope}
    values = _clean_schedule(owner=actor_for_user(locked.owner),
                             **{k: current[k] if v is _UNSET else v for k, v in given.items()})
    if values["frequency"] != locked.frequency:
        locked.last_period_start = _marker_for_frequency(locked, values["frequency"])
    for key, value in values.items():
        setattr(locked, key, value)
    if is_active is not _UNSET:
        locked.is_active = bool(is_active)
    locked.save()
    return locked


@transaction.atomic
def report_schedule_set_active(*, actor_user, schedule, is_active: bool) -> ReportSchedule:
    """Pause or resume a schedule. Paused, nothing is sent; resumed, the next run delivers the
    latest complete period if it was not delivered yet (the periods wholly inside the pause are not
    caught up)."""
    _actor, locked = _schedule_for_change(actor_user=actor_user, schedule=schedule)
    if locked.is_active != bool(is_active):
        locked.is_active = bool(is_active)
        locked.save(update_fields=["is_active"])
    return locked


@transaction.atomic
def report_schedule_delete(*, actor_user, schedule) -> None:
    """Delete a schedule. The files it generated stay in the history of their owner (their link
    to the schedule is cleared), so links already emailed keep working."""
    _actor, locked = _schedule_for_change(actor_user=actor_user, schedule=schedule)
    locked.delete()


def schedule_period(*, frequency: str, now, tz: str) -> Period | None:
    """The period a schedule reports on at `now`: last week (Mon–Sun) from Monday 09:00, last month
    from the 1st 09:00, last quarter / last year from 09:00 of the new quarter's / year's first
    working day (`schedule_due_day`); before that, the period before."""
    from zoneinfo import ZoneInfo

    local = timezone.localtime(now, timezone=ZoneInfo(tz))
    if frequency in (Frequency.QUARTERLY, Frequency.ANNUAL):
        current = _period_start_of(frequency, local.date())
        start = _period_start_of(frequency, current - dt.timedelta(days=1))
        due = schedule_due_day(frequency=frequency, period_end=current - dt.timedelta(days=1))
        if (local.date(), local.hour) < (due, SCHEDULE_HOUR):
            start = _period_start_of(frequency, start - dt.timedelta(days=1))
        return Period(start, _period_end(frequency, start), tz)
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


def _advance_marker(schedule: ReportSchedule, period: Period) -> None:
    # Never backwards: a run now of an older period must not make the next run resend a newer one.
    ReportSchedule.objects.filter(pk=schedule.pk).filter(
        Q(last_period_start__isnull=True) | Q(last_period_start__lt=period.start)).update(
        last_period_start=period.start)
    if schedule.last_period_start is None or schedule.last_period_start < period.start:
        schedule.last_period_start = period.start


def _deliver(*, schedule: ReportSchedule, actor: Actor, scope: Scope, period: Period,
             base_url: str) -> tuple[GeneratedReport | None, bool]:
    """Generate the schedule's file for the period and queue one email per recipient with its link,
    unless that period's file exists: (file, True) when generated now, (the existing file, False)
    otherwise. The caller holds a transaction; the unique constraint on (schedule, period) decides
    between two workers."""
    from kefu.notifications.services import outbox_enqueue

    existing = GeneratedReport.objects.filter(schedule=schedule, period_start=period.start,
                                              period_end=period.end).first()
    if existing is not None:
        _advance_marker(schedule, period)
        return existing, False
    try:
        with transaction.atomic():
            generated = report_generate(actor_user=schedule.owner, actor=actor, report=schedule.report,
                                        file_format=schedule.file_format, period=period, scope=scope,
                                        schedule=schedule)
            _advance_marker(schedule, period)
            link = f"{base_url}{reverse('reports:generated_download', args=[generated.pk])}"
            subject = _("%(name)s: %(start)s – %(end)s") % {"name": schedule.name, "start": period.start,
                                                            "end": period.end}
            body = _("The report “%(name)s” for %(start)s – %(end)s is ready: %(link)s") % {
                "name": schedule.name, "start": period.start, "end": period.end, "link": link}
            for address in schedule.recipients:
                outbox_enqueue(channel="email", to_address=address, subject=subject, body=body)
    except IntegrityError:  # another worker generated this period first
        return GeneratedReport.objects.filter(schedule=schedule, period_start=period.start,
                                              period_end=period.end).first(), False
    return generated, True


def _schedule_scope(schedule: ReportSchedule) -> Scope:
    return selectors.parse_scope({k: str(v) for k, v in schedule.scope.items()})


def _due(schedule: ReportSchedule, now) -> tuple[Scope, Period] | None:
    """The schedule's scope and latest complete period when that period is still to be delivered."""
    try:
        scope = _schedule_scope(schedule)
    except InvalidInput:
        return None  # a site or team of the scope is gone: nothing sensible to send
    period = schedule_period(frequency=schedule.frequency, now=now, tz=selectors.site_timezone(scope))
    if schedule.last_period_start and schedule.last_period_start >= period.start:  # type: ignore[union-attr]  # not None on this path (set or checked before)
        return None
    return scope, period  # type: ignore[return-value]  # not None on this path (set or checked before)


def report_schedules_run(*, now=None, base_url: str = "") -> list[GeneratedReport]:
    """Generate every active schedule's file for its latest period not yet delivered and email
    the recipients a link. Idempotent: one file per (schedule, period) — a unique constraint,
    so two workers cannot both send."""
    now = now or timezone.now()
    done = []
    for candidate in ReportSchedule.objects.filter(is_active=True).order_by("id"):
        if _due(candidate, now) is None:  # most hours: decided without taking a lock
            continue
        with transaction.atomic():
            # Locked and read again: an edit, pause or delete meanwhile wins over this run.
            schedule = ReportSchedule.objects.select_for_update().filter(pk=candidate.pk, is_active=True).first()
            due = _due(schedule, now) if schedule else None
            if due is None:
                continue
            actor = actor_for_user(schedule.owner)  # type: ignore[union-attr]  # not None on this path (set or checked before)
            try:
                selectors.require_report_actor(actor)
            except NotAllowed:
                continue  # the owner left or changed role: nothing is sent in their name
            scope, period = due
            if _scope_outside_visibility(actor, scope):
                # The owner moved and no longer sees the scope: a report of nothing would go out
                # looking like a quiet week. Not sent (logged); "run now" says which field is out.
                logger.warning("report schedule %s not sent: its scope is outside its owner's visibility",
                               schedule.pk)  # type: ignore[union-attr]  # not None on this path (set or checked before)
                continue
            generated, created = _deliver(schedule=schedule, actor=actor, scope=scope, period=period,  # type: ignore[arg-type]  # not None on this path (set or checked before)
                                          base_url=base_url)
        if created:
            done.append(generated)
    return done  # type: ignore[return-value]  # not None on this path (set or checked before)


@transaction.atomic
def report_schedule_run_now(*, actor_user, schedule, base_url: str = "",
                            now=None) -> tuple[GeneratedReport | None, bool]:
    """Deliver the schedule's latest complete period now, through the same path as the scheduled
    run: (file, True) when generated and emailed now; (the existing file, False) when that period
    was already generated — it is not sent twice. A paused schedule is not run (409)."""
    _actor, locked = _schedule_for_change(actor_user=actor_user, schedule=schedule)
    if not locked.is_active:
        raise Conflict(_("The schedule is paused: resume it to send reports."), code="paused")
    owner = locked.owner
    owner_actor = actor_for_user(owner)
    try:
        selectors.require_report_actor(owner_actor)
    except NotAllowed:
        raise Conflict(_("The owner of this schedule may no longer read reports."), code="owner_inactive") from None
    try:
        scope = _schedule_scope(locked)
    except InvalidInput as error:
        raise InvalidInput(_("Check the report schedule."),
                           fields={f"scope.{k}": v for k, v in error.fields.items()}) from None
    outside = _scope_outside_visibility(owner_actor, scope)
    if outside:
        raise InvalidInput(_("Check the report schedule."), fields=outside)
    period = schedule_period(frequency=locked.frequency, now=now or timezone.now(), tz=selectors.site_timezone(scope))
    return _deliver(schedule=locked, actor=owner_actor, scope=scope, period=period, base_url=base_url)  # type: ignore[arg-type]  # not None on this path (set or checked before)


# --- schedule reads (the list page, the API and the permission checks above share one rule) -------------
