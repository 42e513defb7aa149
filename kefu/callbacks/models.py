"""Callbacks (回访): the rules that decide which resolved orders are called back, the sampling
draws, the callback tasks with their attempts, and the customers' per-order rating links.

Nothing here changes a work order: reopening and closing go through
`workorders.services.work_order_transition` (see services.py).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.callbacks.choices import (
    CallbackStatus,
    Method,
    NotReachedReason,
    Outcome,
    RuleMode,
    SamplePeriod,
    Source,
)


class CallbackRule(models.Model):
    """Which resolved orders are called back: all of them, a sample per period, or none.

    Matched by type, category (code and below), complaint level and channel (empty list = any);
    the first active rule by `precedence` wins. A sample rule draws `sample_percent` of the
    orders it matched in each period (rounded up), `onsite_percent` of those (rounded up) to be
    done on site with the customer's signature.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    precedence = models.PositiveIntegerField(_("precedence"), default=100,
                                             help_text=_("Lower numbers are tried first."))
    is_active = models.BooleanField(_("active"), default=True)
    types = models.JSONField(_("work-order types"), default=list, blank=True)
    category_prefixes = models.JSONField(_("category codes (and below)"), default=list, blank=True)
    complaint_levels = models.JSONField(_("complaint levels"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=RuleMode.choices, default=RuleMode.ALL)
    sample_percent = models.DecimalField(_("sample share (%)"), max_digits=5, decimal_places=2, default=100,
                                         validators=[MinValueValidator(0), MaxValueValidator(100)])
    onsite_percent = models.DecimalField(_("on-site share of the sample (%)"), max_digits=5, decimal_places=2,
                                         default=0, validators=[MinValueValidator(0), MaxValueValidator(100)])
    period = models.CharField(_("sampling period"), max_length=10, choices=SamplePeriod.choices,
                              default=SamplePeriod.WEEK)
    max_attempts = models.PositiveSmallIntegerField(_("attempts before unreachable"), default=3,
                                                    validators=[MinValueValidator(1), MaxValueValidator(20)])
    auto_close = models.BooleanField(_("close the order after a satisfied callback"), default=False)
    callback_team = models.ForeignKey("org.Department", verbose_name=_("callback team"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      help_text=_("Empty: the order's first-contact owner calls back."))

    class Meta:
        verbose_name = _("callback rule")
        verbose_name_plural = _("callback rules")
        ordering = ["precedence", "id"]

    def __str__(self):
        return self.name

    def matches(self, order) -> bool:
        category = order.category.code if order.category_id else ""
        if self.types and order.type not in self.types:
            return False
        if self.channels and order.channel not in self.channels:
            return False
        if self.complaint_levels and order.complaint_level not in self.complaint_levels:
            return False
        if self.category_prefixes and not any(category == p or category.startswith(p + ".")
                                              for p in self.category_prefixes):
            return False
        return True


class SamplingRun(models.Model):
    """One draw of a sample rule over one period: how many orders it matched, which it picked
    (the callbacks pointing here), the seed that makes the draw reproducible, the actual rate."""

    rule = models.ForeignKey(CallbackRule, on_delete=models.PROTECT, related_name="sampling_runs")
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    seed = models.CharField(_("seed"), max_length=100)
    population = models.PositiveIntegerField(_("orders resolved"))
    selected = models.PositiveIntegerField(_("selected"))
    onsite = models.PositiveIntegerField(_("on site"))
    sample_percent = models.DecimalField(_("sample share (%)"), max_digits=5, decimal_places=2)
    onsite_percent = models.DecimalField(_("on-site share of the sample (%)"), max_digits=5, decimal_places=2)
    created_at = models.DateTimeField(_("drawn at"))

    class Meta:
        verbose_name = _("sampling run")
        verbose_name_plural = _("sampling runs")
        ordering = ["-period_start", "rule_id"]
        constraints = [models.UniqueConstraint(fields=["rule", "period_start"], name="uniq_sampling_run_per_period")]

    def __str__(self):
        return f"{self.rule_id} {self.period_start:%Y-%m-%d}"

    @property
    def actual_percent(self) -> float:
        return round(100 * self.selected / self.population, 2) if self.population else 0.0


class Callback(models.Model):
    """One callback task: call the customer back about an order (or, for survey follow-ups, about
    nothing but the customer) before `due_at`, in at most `max_attempts` attempts.

    Ends `completed` (reached, with an outcome), `unreachable` (attempts used up; counted apart,
    never as satisfied) or `cancelled` (the order was reopened or cancelled before the call).
    At most one open callback per work order; `(source, reference)` makes follow-ups idempotent.
    """

    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="callbacks")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="callbacks")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # PROTECT: which rule made a callback is part of the record; a rule in use is deactivated
    # (is_active), not deleted.
    rule = models.ForeignKey(CallbackRule, verbose_name=_("rule"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="callbacks")
    sampling_run = models.ForeignKey(SamplingRun, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="callbacks")
    status = models.CharField(_("status"), max_length=12, choices=CallbackStatus.choices,
                              default=CallbackStatus.OPEN)
    on_site_required = models.BooleanField(_("on site with signature"), default=False)
    due_at = models.DateTimeField(_("due"))
    team = models.ForeignKey("org.Department", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assigned_callbacks")
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    # When to try again after an attempt that did not reach the customer (the workbench skips the
    # callback until then); None: whenever. `due_at` stays the deadline.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    attempts_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    auto_close = models.BooleanField(_("close the order after a satisfied callback"), default=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # Set when the callback called for a reopen that its recorder's role may not do: the order's
    # supervisor is told and reopens it through the normal gate.
    reopen_requested = models.BooleanField(_("reopen requested"), default=False)
    created_at = models.DateTimeField(_("created at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order"], condition=Q(status="open"),
                                    name="uniq_open_callback_per_order"),
            models.UniqueConstraint(fields=["source", "reference"], condition=~Q(reference=""),
                                    name="uniq_callback_reference"),
        ]
        indexes = [
            # The queue: open callbacks by due time (overdue first), per assignee and per team.
            models.Index(fields=["due_at"], condition=Q(status="open"), name="callback_open_due_idx"),
            models.Index(fields=["assignee", "status", "due_at"], name="callback_assignee_idx"),
            models.Index(fields=["team", "status", "due_at"], name="callback_team_idx"),
            models.Index(fields=["work_order", "status"], name="callback_order_idx"),
        ]

    def __str__(self):
        return f"{self.pk} {self.source} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == CallbackStatus.OPEN


def signature_path(instance, filename):
    return f"callbacks/{instance.callback_id}/{filename}"


class CallbackAttempt(models.Model):
    """One try at reaching the customer: how, when, whether they were reached and what they said.

    On-site attempts carry the customer's signature (a PNG drawn on a phone screen) and may
    carry a photo; both are served only through a visibility-checked view. Rows are only inserted.
    """

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempts")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    attempted_at = models.DateTimeField(_("time"))
    reached = models.BooleanField(_("reached"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    not_reached_reason = models.CharField(_("why not reached"), max_length=16, choices=NotReachedReason.choices,
                                          blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    signature = models.FileField(_("signature"), upload_to=signature_path, max_length=255, blank=True)
    photo = models.FileField(_("photo"), upload_to=signature_path, max_length=255, blank=True)
    photo_content_type = models.CharField(max_length=50, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["attempted_at", "id"]

    def __str__(self):
        return f"{self.callback_id} {self.method} {'reached' if self.reached else 'not reached'}"


class RatingLink(models.Model):
    """A one-time link for the customer to rate one resolved order (speed, attitude, quality:
    1–5 stars each, and a comment). Only a hash of the token is stored; the link expires."""

    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="rating_links")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    to_address = models.CharField(_("to"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    speed = models.PositiveSmallIntegerField(_("speed"), null=True, blank=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(5)])
    attitude = models.PositiveSmallIntegerField(_("attitude"), null=True, blank=True,
                                                validators=[MinValueValidator(1), MaxValueValidator(5)])
    quality = models.PositiveSmallIntegerField(_("quality"), null=True, blank=True,
                                               validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("rating link")
        verbose_name_plural = _("rating links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["work_order", "-created_at"], name="rating_link_order_idx")]

    def __str__(self):
        return f"{self.work_order_id} {self.created_at:%Y-%m-%d}"
