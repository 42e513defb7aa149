"""Patrol routes, their checkpoints and checklists, schedules, rounds, answers and findings.

A `PatrolRoute` (owned by a department) is walked checkpoint by checkpoint; each `Checkpoint`
carries the id of its QR/NFC tag and a checklist of `ChecklistItem`s (pass/fail, a reading with
limits, a photo). A `PatrolSchedule` says who walks it and how often (daily at set times, or n
times a week — the site-walk standard); the planner turns it into one `PatrolRound` per person and
slot, with the times after which it is late and missed. A round's visits (`CheckpointVisit`, with
the time the phone recorded) hold `Answer`s; a failed answer is a `Finding`, which becomes a work
order or a vendor nonconformity in one tap. Rounds change only through `services.py` (the
kernel's gate), each change a `PatrolRoundEvent`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.models import ImmutableEvent
from kefu.patrols.choices import FindingStatus, Frequency, ItemKind, Result, RoundAction, RoundStatus


class PatrolRoute(models.Model):
    """A route through a site, owned by a department (whose staff see and walk it)."""

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Checkpoint(models.Model):
    """A stop on a route, identified on site by its QR code or NFC tag (`tag`)."""

    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="checkpoints")
    sequence = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    tag = models.CharField(_("QR / NFC tag id"), max_length=64)
    location = models.CharField(_("location"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["route", "sequence"]
        constraints = [models.UniqueConstraint(fields=["route", "tag"], name="patrol_checkpoint_tag_per_route"),
                       models.UniqueConstraint(fields=["route", "sequence"], name="patrol_checkpoint_order")]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One question at a checkpoint: pass/fail, a reading (outside its limits fails), a photo."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="items")
    sequence = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("item"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, default=ItemKind.PASS_FAIL)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    min_value = models.DecimalField(_("lowest acceptable"), max_digits=12, decimal_places=3, null=True, blank=True)
    max_value = models.DecimalField(_("highest acceptable"), max_digits=12, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checkpoint", "sequence"]
        constraints = [models.UniqueConstraint(fields=["checkpoint", "sequence"], name="patrol_item_order")]

    def __str__(self) -> str:
        return self.text


class PatrolSchedule(models.Model):
    """Who walks a route and how often: a person, or everyone of a role in the route's department;
    daily at `times` (local "HH:MM"), or `per_week` times a week (Monday to Sunday)."""

    route = models.ForeignKey(PatrolRoute, on_delete=models.CASCADE, related_name="schedules")
    role = models.CharField(_("role"), max_length=32, blank=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    times = models.JSONField(_("times of day"), default=list, blank=True)
    per_week = models.PositiveSmallIntegerField(_("rounds per week"), default=1)
    grace_minutes = models.PositiveSmallIntegerField(_("late after (minutes)"), default=60)
    workdays_only = models.BooleanField(_("workdays only (China's holidays and make-up workdays)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("patrol schedule")
        verbose_name_plural = _("patrol schedules")
        constraints = [models.CheckConstraint(condition=~Q(role="") | Q(person__isnull=False),
                                              name="patrol_schedule_role_or_person")]

    def __str__(self) -> str:
        return f"{self.route_id}: {self.frequency}"


class PatrolRound(models.Model):
    """One walk of a route by one person for one slot: on time until `late_after`, missed at
    `missed_after` unless completed. `period` names the slot (unique per schedule and person)."""

    route = models.ForeignKey(PatrolRoute, verbose_name=_("route"), on_delete=models.PROTECT, related_name="rounds")
    schedule = models.ForeignKey(PatrolSchedule, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="rounds")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("patroller"), on_delete=models.PROTECT,
                                 related_name="patrol_rounds")
    period = models.CharField(_("slot"), max_length=32)
    status = models.CharField(_("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.PLANNED)
    version = models.PositiveIntegerField(default=1)
    due_at = models.DateTimeField(_("due"))
    late_after = models.DateTimeField(_("late after"))
    missed_after = models.DateTimeField(_("missed after"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    escalation_step = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        ordering = ["-due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "assignee", "period"], name="patrol_round_slot")]
        indexes = [models.Index(fields=["status", "missed_after"]), models.Index(fields=["assignee", "due_at"])]

    def __str__(self) -> str:
        return f"{self.route_id}/{self.period}"


class CheckpointVisit(models.Model):
    """A checkpoint scanned on a round: the tag read, the time on the phone, and when it arrived."""

    round = models.ForeignKey(PatrolRound, on_delete=models.CASCADE, related_name="visits")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    tag = models.CharField(_("tag read"), max_length=64)
    visited_at = models.DateTimeField(_("visited at"))
    recorded_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("checkpoint visit")
        verbose_name_plural = _("checkpoint visits")
        ordering = ["visited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "checkpoint"], name="patrol_visit_once")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.checkpoint_id}"


class Answer(models.Model):
    """The answer to one checklist item on a visit."""

    visit = models.ForeignKey(CheckpointVisit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    value = models.DecimalField(_("reading"), max_digits=12, decimal_places=3, null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to="patrols/%Y/%m/", null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="patrol_answer_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class Finding(models.Model):
    """A failed answer, waiting to become a work order or a vendor nonconformity."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="finding")
    round = models.ForeignKey(PatrolRound, on_delete=models.CASCADE, related_name="findings")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    work_order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("found at"))

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.item_id}"


class PatrolRoundEvent(ImmutableEvent):
    """What happened to a round: planned, each visit, completed (late or not), missed, escalated."""

    round = models.ForeignKey(PatrolRound, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=RoundAction.choices)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("patrol round event")
        verbose_name_plural = _("patrol round events")
        indexes = [models.Index(fields=["round", "created_at"])]
