"""Work calendars and China's holiday table: what business time means for SLA clocks."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.sla.choices import ClockKind, ClockState, HolidayKind


class WorkCalendar(models.Model):
    """Working hours per weekday (several intervals a day) in a time zone, optionally following
    China's statutory holidays and make-up workdays; or open 24×7. A team may have its own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    use_china_holidays = models.BooleanField(_("follow China's holidays and make-up workdays"), default=True)
    always_open = models.BooleanField(_("open 24×7"), default=False)
    # {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ..., "sun": []}; validated by the service.
    hours = models.JSONField(_("working hours"), default=dict)
    team = models.ForeignKey("org.Department", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="calendars")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name


class HolidayYear(models.Model):
    """A year whose holiday arrangement is known (seeded from official data or imported).

    Years without a row fall back to the weekly hours with a visible warning.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=100)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class Holiday(models.Model):
    """One day that differs from the weekly rhythm: a statutory day off or a make-up workday."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=HolidayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.kind} {self.name}"


def default_escalation() -> list:
    """At breach the team supervisor, +2 business hours the manager, +1 business day the director."""
    return [{"after_breach_minutes": 0, "notify": "supervisor"},
            {"after_breach_minutes": 120, "notify": "manager"},
            {"after_breach_minutes": 480, "notify": "director"}]


class SlaPolicy(models.Model):
    """Targets for a class of work orders, matched by type, category, priority, complaint level,
    channel and customer tier (empty list = any). Policies are tried in `precedence` order; the
    first match wins, and the default policy matches everything else.

    Each target is a number of minutes, counted in business time on `calendar` or in calendar
    time; empty means no clock of that kind. `pause_reasons` lists the hold reasons that stop
    the clocks (waiting for the customer or a vendor is not the center's delay).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    precedence = models.PositiveIntegerField(_("precedence"), default=100,
                                             help_text=_("Lower numbers are tried first."))
    is_default = models.BooleanField(_("default policy"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    types = models.JSONField(_("work-order types"), default=list, blank=True)
    category_prefixes = models.JSONField(_("category codes (and below)"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    complaint_levels = models.JSONField(_("complaint levels"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    customer_tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    calendar = models.ForeignKey(WorkCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT,
                                 related_name="policies")
    first_response_minutes = models.PositiveIntegerField(_("first response target (minutes)"), null=True, blank=True)
    first_response_business = models.BooleanField(_("first response counted in business time"), default=True)
    dispatch_minutes = models.PositiveIntegerField(_("dispatch target (minutes)"), null=True, blank=True)
    dispatch_business = models.BooleanField(_("dispatch counted in business time"), default=True)
    arrival_minutes = models.PositiveIntegerField(_("on-site arrival target (minutes)"), null=True, blank=True)
    arrival_business = models.BooleanField(_("on-site arrival counted in business time"), default=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"), null=True, blank=True)
    resolution_business = models.BooleanField(_("resolution counted in business time"), default=True)
    callback_minutes = models.PositiveIntegerField(_("callback target (minutes)"), null=True, blank=True)
    callback_business = models.BooleanField(_("callback counted in business time"), default=True)
    warn_percent = models.PositiveSmallIntegerField(_("warning threshold (percent of target)"), default=80)
    # Steps after the warning, in order: [{"after_breach_minutes": 0, "notify": "supervisor"},
    # {"after_breach_minutes": 120, "notify": "manager"}, …]; minutes count on the clock's basis.
    # A step may also change the order: "raise_priority": true, "raise_complaint_level": true,
    # "reassign_to": "<department code>" (validated by `clean`, applied by the work-order service).
    escalation = models.JSONField(_("escalation steps after breach"), default=default_escalation, blank=True)
    pause_reasons = models.JSONField(_("hold reasons that pause the clocks"), default=list, blank=True)
    use_team_calendar = models.BooleanField(
        _("count the team's work on the team's own calendar"), default=False,
        help_text=_("When the order goes to a team that has its own work calendar, its on-site arrival and "
                    "resolution clocks count business time on that calendar from then on."))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["precedence", "id"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="uniq_default_sla_policy")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = escalation_errors(self.escalation)
        if errors:
            raise ValidationError({"escalation": errors})


ESCALATION_KEYS = {"after_breach_minutes", "notify", "raise_priority", "raise_complaint_level", "reassign_to"}
ESCALATION_NOTIFY = {"assignee", "supervisor", "manager", "director", "qa"}


def escalation_errors(ladder) -> list[str]:
    """What is wrong with an escalation ladder (empty when it is valid), in the active language."""
    from kefu.org.models import Department

    if not isinstance(ladder, list):
        return [str(_("The escalation steps must be a list."))]
    errors, previous = [], -1
    for number, step in enumerate(ladder, start=1):
        if not isinstance(step, dict):
            errors.append(_("Step %(n)s must be an object.") % {"n": number})
            continue
        unknown = sorted(set(step) - ESCALATION_KEYS)
        if unknown:
            errors.append(_("Step %(n)s: unknown option %(option)s.") % {"n": number, "option": ", ".join(unknown)})
        minutes = step.get("after_breach_minutes", 0)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < previous:
            errors.append(_("Step %(n)s: after_breach_minutes must be a whole number, not smaller than the "
                            "step before.") % {"n": number})
        else:
            previous = minutes
        if step.get("notify", "supervisor") not in ESCALATION_NOTIFY:
            errors.append(_("Step %(n)s: notify must be one of %(roles)s.") % {
                "n": number, "roles": ", ".join(sorted(ESCALATION_NOTIFY))})
        code = step.get("reassign_to")
        if code and not Department.objects.filter(code=code, is_active=True).exists():
            errors.append(_("Step %(n)s: no active department with code %(code)s.") % {"n": number, "code": code})
    return errors


class SlaClock(models.Model):
    """One promise on one work order: started, paused and stopped by the order's events.

    `due_at` is stored (moved on resume by exactly the business time spent paused) so the
    sweeper finds due clocks through an index. At most one live clock per order and kind.
    """

    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("kind"), max_length=20, choices=ClockKind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="clocks")
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.PROTECT, related_name="clocks")
    business = models.BooleanField(_("business time"), default=True)
    target_minutes = models.PositiveIntegerField(_("target (minutes)"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_minutes = models.FloatField(_("minutes paused"), default=0)
    # A clock that moved to a team's own calendar at `calendar_since` keeps the business minutes it
    # had used on the earlier calendar in `carried_minutes` (`paused_minutes` restarts at the move).
    calendar_since = models.DateTimeField(_("on this calendar since"), null=True, blank=True)
    carried_minutes = models.FloatField(_("minutes used on an earlier calendar"), default=0)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    elapsed_minutes = models.FloatField(_("minutes used"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    # The escalation ladder: step 0 is the warning, step k ≥ 1 the policy's escalation[k-1].
    # The sweeper claims a step with UPDATE … WHERE next_step = k, so each fires exactly once.
    next_step = models.PositiveSmallIntegerField(default=0)
    next_step_at = models.DateTimeField(null=True, blank=True)
    missing_holiday_years = models.JSONField(_("years without holiday data"), default=list, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "kind"], condition=Q(stopped_at=None),
                                    name="uniq_live_clock_per_kind"),
        ]
        indexes = [
            # The sweeper's scans: live, unpaused clocks by due time and by warning time.
            models.Index(fields=["due_at"], condition=Q(stopped_at=None, paused_at=None, breached_at=None),
                         name="sla_clock_due_idx"),
            models.Index(fields=["next_step_at"], condition=Q(stopped_at=None, paused_at=None),
                         name="sla_clock_next_step_idx"),
            models.Index(fields=["work_order", "kind"], name="sla_clock_order_idx"),
            # Reports: stopped clocks of a kind in a period (on-time rates, business-time stats) and
            # live clocks of a kind by due time (overdue backlog on the dashboard).
            # Covering (PostgreSQL INCLUDE): the month's ~200,000 stopped clocks are read from the
            # index alone (index-only scan), not from as many scattered heap pages
            # (sla.selectors.clock_report_figures, bench/reports.py).
            models.Index(fields=["kind", "stopped_at"], include=["work_order", "state", "elapsed_minutes"],
                         condition=Q(stopped_at__isnull=False), name="sla_clock_kind_stopped_cov_idx"),
            models.Index(fields=["kind", "due_at"], condition=Q(stopped_at=None), name="sla_clock_kind_live_due_idx"),
        ]

    def __str__(self):
        return f"{self.work_order_id} {self.kind} {self.state}"


class Escalation(models.Model):
    """One fired step of a clock's ladder (warning, breach, further escalations): exactly one row
    per (clock, step), which is what makes a step fire once even with two sweepers."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="escalations")
    step = models.PositiveSmallIntegerField()
    notify_role = models.CharField(max_length=32, blank=True)
    fired_at = models.DateTimeField()
    event = models.ForeignKey("workorders.WorkOrderEvent", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["fired_at", "id"]
        constraints = [models.UniqueConstraint(fields=["clock", "step"], name="uniq_escalation_step")]

    def __str__(self):
        return f"{self.clock_id} step {self.step}"
