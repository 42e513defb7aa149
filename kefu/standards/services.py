"""Writes of the standards register: a site's or group's rule (parameters and target) with its
history, the warnings raised once per occurrence, and the default report pack of a new center."""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.core.workflow import compare_and_swap
from kefu.org.selectors import actor_for_user
from kefu.standards import selectors
from kefu.standards.choices import RuleAction
from kefu.standards.models import Standard, StandardRule, StandardRuleEvent, StandardWarning
from kefu.standards.registry import DEFINITIONS

logger = logging.getLogger(__name__)
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _clean_parameters(standard: Standard, parameters, target) -> tuple[dict, Decimal]:
    """Every parameter checked against the register's kind and bounds; 400 naming the field."""
    definition = DEFINITIONS[standard.code]
    errors: dict = {}
    clean: dict = {}
    if not isinstance(parameters, dict):
        raise InvalidInput(_("Check the rule."), fields={"parameters": [_("parameters must be an object.")]})
    unknown = sorted(set(parameters) - set(definition.params))
    for name in unknown:
        errors[f"parameters.{name}"] = [_("%(name)s: not a parameter of this standard.") % {"name": name}]
    for name, param in definition.params.items():
        if name in definition.sourced:
            if name in parameters:
                errors[f"parameters.{name}"] = [_("%(name)s is set on its source record, not here.") % {"name": name}]
            continue
        value = parameters.get(name, standard.parameters.get(name, param.default))
        field = f"parameters.{name}"
        if param.kind in ("int", "rate"):
            try:
                number = Decimal(str(value).strip())
            except (InvalidOperation, ValueError):
                errors[field] = [_("%(name)s must be a number.") % {"name": name}]
                continue
            if param.kind == "int" and number != number.to_integral_value():
                errors[field] = [_("%(name)s must be a whole number.") % {"name": name}]
            elif not (Decimal(str(param.minimum)) <= number <= Decimal(str(param.maximum))):
                errors[field] = [_("%(name)s must be between %(min)s and %(max)s.") % {
                    "name": name, "min": param.minimum, "max": param.maximum}]
            else:
                clean[name] = int(number) if param.kind == "int" else float(number)
        elif param.kind == "time":
            if not isinstance(value, str) or not TIME.match(value.strip()):
                errors[field] = [_("%(name)s must be a time (HH:MM).") % {"name": name}]
            else:
                clean[name] = value.strip()
        else:
            text = str(value or "").strip()
            if not text or len(text) > 32:
                errors[field] = [_("%(name)s: give a code of at most 32 characters.") % {"name": name}]
            else:
                clean[name] = text
    try:
        target_value = Decimal(str(target).strip())
        if not (Decimal("0") <= target_value <= Decimal("1000")) or (definition.unit == "rate"
                                                                   and target_value > 1):
            raise ValueError
    except (InvalidOperation, ValueError):
        errors["target"] = [_("target: give a share between 0 and 1.") if definition.unit == "rate"
                            else _("target: give a number between 0 and 1000.")]
        target_value = Decimal("0")
    if errors:
        raise InvalidInput(_("Check the rule."), fields=errors)
    return clean, target_value


def _place(scope) -> dict:
    if scope.site_id:
        return {"site_id": scope.site_id}
    if scope.department_id:
        return {"department_id": scope.department_id}
    raise InvalidInput(_("Choose a site or a group."), fields={"site": [_("site: choose a site or a group.")]})


def _require_manager(actor_user):
    actor = actor_for_user(actor_user)
    if not selectors.may_change_rules(actor):
        raise NotAllowed(_("Only a manager, director or administrator may change a standard's rule."))
    return actor


def _visible_place(actor, scope) -> None:
    """The site or group must be inside the actor's visibility (else 404, nothing written)."""
    from kefu.reports.selectors import scope_options

    options = scope_options(actor=actor, active_only=False)
    if scope.site_id and not options["site"].filter(pk=scope.site_id).exists():
        raise NotFound(_("Site not found."))
    if scope.department_id and not options["department"].filter(pk=scope.department_id).exists():
        raise NotFound(_("Group not found."))


@transaction.atomic
def standard_rule_set(*, actor_user, code: str, scope, parameters: dict, target, version: int | None = None,
                      now=None) -> StandardRule:
    """Set a site's or group's own rule for a standard. `version` is the rule's version the editor
    saw (None: there was no rule yet): a concurrent change → 409, never a lost update. Records who,
    when, before and after (`StandardRuleEvent`)."""
    actor = _require_manager(actor_user)
    standard = selectors.standard_get(code=code)
    place = _place(scope)
    _visible_place(actor, scope)
    clean, target_value = _clean_parameters(standard, parameters, target)
    now = now or timezone.now()
    existing = StandardRule.objects.select_for_update().filter(standard=standard, **place).first()
    before = ({"parameters": existing.parameters, "target": str(existing.target)} if existing
              else {"parameters": standard.parameters, "target": str(standard.target), "default": True})
    after = {"parameters": clean, "target": str(target_value)}
    if existing is None:
        if version not in (None, 0):
            from kefu.core.errors import Conflict

            raise Conflict(_("The rule was reset by someone else meanwhile: reload and try again."))
        try:
            with transaction.atomic():
                rule = StandardRule.objects.create(standard=standard, parameters=clean, target=target_value,
                                                   updated_by=actor_user, updated_at=now, **place)
        except IntegrityError:
            from kefu.core.errors import Conflict

            raise Conflict(_("The rule was set by someone else meanwhile: reload and try again.")) from None
    else:
        if version is None:
            from kefu.core.errors import Conflict

            raise Conflict(_("This site or group already has its own rule: send its version to change it."))
        compare_and_swap(StandardRule.objects.all(), existing.pk, int(version),
                         subject=_("rule"), parameters=clean, target=target_value, updated_by=actor_user,
                         updated_at=now)
        rule = StandardRule.objects.get(pk=existing.pk)
    StandardRuleEvent.objects.create(standard=standard, action=RuleAction.SET, actor=actor_user, created_at=now,
                                     data={"before": before, "after": after}, **place)
    return rule


@transaction.atomic
def standard_rule_reset(*, actor_user, code: str, scope, version: int, now=None) -> None:
    """Remove a site's or group's own rule: the one above it (or the default) applies again."""
    actor = _require_manager(actor_user)
    standard = selectors.standard_get(code=code)
    place = _place(scope)
    _visible_place(actor, scope)
    existing = StandardRule.objects.select_for_update().filter(standard=standard, **place).first()
    if existing is None:
        raise NotFound(_("This site or group has no rule of its own."))
    if existing.version != int(version):
        from kefu.core.errors import Conflict

        raise Conflict(_("The rule was changed by someone else meanwhile: reload and try again."))
    existing.delete()
    StandardRuleEvent.objects.create(
        standard=standard, action=RuleAction.RESET, actor=actor_user, created_at=now or timezone.now(),
        data={"before": {"parameters": existing.parameters, "target": str(existing.target)}, "after": None}, **place)


# --- warnings: a standard about to be missed, once per occurrence ------------------------------------

def _raise(*, standard: Standard, key: str, role: str, message: str, message_en: str, url: str = "",
           department=None, site=None, due_at=None, now) -> StandardWarning | None:
    """Insert the warning unless this occurrence was already raised (the unique key decides, also
    between two workers), then queue one email per active staff member with the role (within the
    department's subtree when one is named). None when it existed."""
    from kefu.notifications.services import outbox_enqueue
    from kefu.org.models import Staff

    try:
        with transaction.atomic():
            warning = StandardWarning.objects.create(
                standard=standard, key=key[:200], role=role, department=department, site=site, message=message[:500],
                message_en=message_en[:500], url=url, due_at=due_at, created_at=now)
    except IntegrityError:
        return None
    people = Staff.objects.filter(is_active=True, user__is_active=True, role__code=role).exclude(user__email="")
    if department is not None:
        ancestors = [department.path[: i + 1] for i, ch in enumerate(department.path) if ch == "/" and i > 0]
        people = people.filter(department__path__in=ancestors) | people.filter(department__path__startswith=department.path)
    addresses = sorted(set(people.values_list("user__email", flat=True)))
    for address in addresses:
        outbox_enqueue(channel="email", to_address=address, subject=message[:255],
                       body=f"{message}\n{message_en}\n{url}".strip())
    StandardWarning.objects.filter(pk=warning.pk).update(recipients=len(addresses))
    warning.recipients = len(addresses)
    return warning


def _warn_qa(standard: Standard, now) -> list[StandardWarning]:
    """QA checks of the current week still waiting for scoring after the week's deadline (Friday
    12:00 by default): one warning per week and department, to its supervisors."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from kefu.org.models import Department
    from kefu.quality.choices import CheckStatus
    from kefu.quality.models import QACheck
    from kefu.standards.figures import qa_deadline

    tz = settings.TIME_ZONE
    today = timezone.localtime(now, ZoneInfo(tz)).date()
    raised = []
    for week in (today - dt.timedelta(days=today.weekday()), today - dt.timedelta(days=today.weekday() + 7)):
        deadline = qa_deadline(week, standard.parameters, tz)
        if deadline > now:
            continue
        pending = (QACheck.objects.filter(week_start=week, status=CheckStatus.PENDING).order_by()
                   .values("department_id").annotate(n=Count("pk")))
        for row in pending:
            department = Department.objects.get(pk=row["department_id"])
            for role in standard.warn_roles or ["supervisor"]:
                warning = _raise(
                    standard=standard, key=f"qa:{week}:{department.pk}:{role}", role=role, department=department,
                    due_at=deadline, now=now, url=f"/quality/?week={week}",
                    message=f"质检未按时完成：{department.name} {week} 周尚有 {row['n']} 项待评分（截止 {deadline:%m-%d %H:%M}）",
                    message_en=(f"QA checks late: {department.name_en or department.name}, week of {week}: {row['n']} "
                                f"waiting for scoring (due {deadline:%m-%d %H:%M})"))
                if warning:
                    raised.append(warning)
    return raised


def _warn_surveys(standard: Standard, now) -> list[StandardWarning]:
    """A satisfaction survey due within the planning window (four weeks by default) with no
    campaign planned: one warning per department with campaigns and due date, to the roles named."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from kefu.surveys.choices import CampaignStatus
    from kefu.surveys.models import Campaign

    today = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE)).date()
    per_year = int(standard.parameters.get("per_year", 2))
    weeks = int(standard.parameters.get("plan_weeks", 4))
    raised = []
    departments = {c.department_id: c.department for c in Campaign.objects.select_related("department")}
    for department_id, department in departments.items():
        mine = Campaign.objects.filter(department_id=department_id)
        latest = (mine.exclude(status=CampaignStatus.DRAFT).filter(starts_on__lte=today).order_by("-starts_on")
                  .values_list("starts_on", flat=True).first())
        if latest is None:
            continue
        due = latest + dt.timedelta(days=round(365 / per_year))
        planned = mine.filter(starts_on__gt=latest).exists()
        if planned or due - dt.timedelta(weeks=weeks) > today:
            continue
        for role in standard.warn_roles or ["supervisor"]:
            warning = _raise(standard=standard, key=f"survey:{department_id}:{due}:{role}", role=role,
                             department=department, now=now, url="/surveys/",
                             due_at=dt.datetime.combine(due, dt.time(9), tzinfo=ZoneInfo(settings.TIME_ZONE)),
                             message=f"满意度调查未计划：{department.name} 下一次调查应于 {due} 前开始",
                             message_en=(f"Satisfaction survey not planned: {department.name_en or department.name}, "
                                         f"the next is due by {due}"))
            if warning:
                raised.append(warning)
    return raised


def _warn_reports(standard: Standard, now) -> list[StandardWarning]:
    """A scheduled report not generated on its day: from 12:00 of the due day (three hours after the
    09:00 run), one warning per schedule and period, to the roles named and the owner's role."""
    from zoneinfo import ZoneInfo

    from kefu.reports.models import GeneratedReport, ReportSchedule
    from kefu.reports.services import schedule_due_day, schedule_period

    kinds = ("service_analysis",) if standard.code == "analysis_cadence" else ("complaint", "inquiry", "business_change")
    raised = []
    for schedule in ReportSchedule.objects.filter(is_active=True, report__in=kinds).select_related("owner__staff"):
        from django.conf import settings

        tz = settings.TIME_ZONE
        period = schedule_period(frequency=schedule.frequency, now=now, tz=tz)
        if period is None:
            continue
        due = schedule_due_day(frequency=schedule.frequency, period_end=period.end)
        if due != timezone.localtime(now, ZoneInfo(tz)).date() or timezone.localtime(now, ZoneInfo(tz)).hour < 12:
            continue
        if GeneratedReport.objects.filter(schedule=schedule, period_start=period.start, period_end=period.end).exists():
            continue
        for role in standard.warn_roles or ["manager"]:
            warning = _raise(standard=standard, key=f"report:{schedule.pk}:{period.start}:{period.end}:{role}", role=role,
                             now=now, url="/reports/schedules/",
                             message=f"报表未按时生成：{schedule.name}（{period.start} – {period.end}）",
                             message_en=f"Report not generated on its day: {schedule.name} ({period.start} – {period.end})")
            if warning:
                raised.append(warning)
    return raised


def standards_warn(*, now=None) -> list[StandardWarning]:
    """Raise the warnings of the standards about to be missed (the periodic task calls it hourly);
    each occurrence once, whatever how often it runs."""
    now = now or timezone.now()
    raised: list[StandardWarning] = []
    checks = {"qa_weekly": _warn_qa, "survey_twice_yearly": _warn_surveys, "report_cadence": _warn_reports,
              "analysis_cadence": _warn_reports}
    for standard in Standard.objects.filter(is_active=True, code__in=list(checks)):
        raised.extend(checks[standard.code](standard, now))
    return raised


# --- the default report pack of a new center --------------------------------------------------------

# (name, report, frequency, roles the sources name as its readers)
REPORT_PACK = (
    ("投诉周报", "complaint", "weekly", ("supervisor", "manager")),
    ("咨询周报", "inquiry", "weekly", ("supervisor", "manager")),
    ("投诉月报", "complaint", "monthly", ("manager", "director")),
    ("业务变更月报", "business_change", "monthly", ("manager",)),
    ("咨询月报", "inquiry", "monthly", ("manager",)),
    ("客服周分析", "service_analysis", "weekly", ("supervisor", "manager")),
    ("客服月分析", "service_analysis", "monthly", ("manager", "director")),
    ("客服季度分析", "service_analysis", "quarterly", ("manager", "director")),
    ("客服年度分析", "service_analysis", "annual", ("director",)),
)


@transaction.atomic
def report_pack_seed(*, owner, fallback_recipient: str = "") -> list:
    """Schedule the sources' report pack for a new center, owned by `owner` (their visibility), each
    sent to the active staff of the roles named (or `fallback_recipient` when none has an email).
    Schedules already there by name are kept as they are (switch them on and off on the schedules
    page). Returns the schedules created."""
    from kefu.org.models import Staff
    from kefu.reports.models import ReportSchedule
    from kefu.reports.services import report_schedule_create

    created = []
    for name, report, frequency, roles in REPORT_PACK:
        if ReportSchedule.objects.filter(name=name, owner=owner).exists():
            continue
        recipients = sorted(set(Staff.objects.filter(is_active=True, user__is_active=True, role__code__in=roles)
                                .exclude(user__email="").values_list("user__email", flat=True)))[:50]
        if not recipients and fallback_recipient:
            recipients = [fallback_recipient]
        if not recipients:
            logger.warning("report pack: no recipient for %s", name)
            continue
        created.append(report_schedule_create(actor_user=owner, name=name, report=report, frequency=frequency,
                                              recipients=recipients))
    return created
