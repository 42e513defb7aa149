"""KPI scorecards: templates per position with weighted indicators, the quarterly scorecard of
each person with one line per indicator, its history, and the semi-annual competency and
attitude reviews.

Scorecards and reviews change only through `kpi.services` (compare-and-swap on `version`);
a signed-off scorecard is locked.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.i18n import localised
from kefu.core.models import ImmutableEvent
from kefu.kpi.choices import (
    ReviewGroup,
    ReviewStatus,
    Rule,
    ScorecardAction,
    ScorecardStatus,
    Source,
)
from kefu.org.choices import RoleCode


class ScorecardTemplate(models.Model):
    """A quarterly KPI template for one position (e.g. the customer service manager's): whose
    scorecards it makes (staff of `role`, narrowed to `position` when set) and its indicators,
    whose weights sum to 100 % (checked by `kpi.services`)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=RoleCode.choices)
    position = models.ForeignKey("org.Position", verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        ordering = ["code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)


class Indicator(models.Model):
    """One weighted indicator of a template: where its value comes from, and how a value becomes
    0–100 points (linear between `floor` and `target`, full marks from `target`, or the entered
    value itself). Manual values are entered by `entered_by_role` over the person's department."""

    template = models.ForeignKey(ScorecardTemplate, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # Narrows computed satisfaction/on-time figures to one work-order type (e.g. complaints).
    order_type = models.CharField(_("work-order type"), max_length=20, blank=True)
    rule = models.CharField(_("scoring rule"), max_length=16, choices=Rule.choices)
    floor = models.DecimalField(_("floor"), max_digits=8, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=2, null=True, blank=True)
    entered_by_role = models.CharField(_("entered by"), max_length=32, choices=RoleCode.choices, blank=True)
    method = models.CharField(_("assessment method"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["template", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="kpi_indicator_code_uniq")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)


class Scorecard(models.Model):
    """One person's scorecard of one quarter: computed lines from the period's records, manual
    lines entered by the right role, the weighted total, and the sign-off that locks it."""

    template = models.ForeignKey(ScorecardTemplate, verbose_name=_("template"), on_delete=models.PROTECT,
                                 related_name="scorecards")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="scorecards")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until (exclusive)"))
    status = models.CharField(_("status"), max_length=16, choices=ScorecardStatus.choices,
                              default=ScorecardStatus.DRAFT, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    total_score = models.DecimalField(_("total score"), max_digits=6, decimal_places=2, null=True, blank=True,
                                      editable=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True, editable=False)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-year", "-quarter", "person_id"]
        constraints = [models.UniqueConstraint(fields=["template", "person", "year", "quarter"],
                                               name="kpi_scorecard_uniq")]
        indexes = [models.Index(fields=["department", "-year", "-quarter"], name="kpi_scorecard_dept_idx"),
                   models.Index(fields=["person", "-year", "-quarter"], name="kpi_scorecard_person_idx")]

    def __str__(self):
        return f"{self.year}Q{self.quarter} {self.person_id}"

    @property
    def period_label(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def is_locked(self) -> bool:
        return self.status == ScorecardStatus.SIGNED_OFF


class ScorecardLine(models.Model):
    """One indicator on one scorecard: the measured value (percent or points) with its numerator
    and denominator when computed, the 0–100 points it earns, and its weighted contribution."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(_("numerator"), max_digits=12, decimal_places=2, null=True, blank=True)
    denominator = models.PositiveIntegerField(_("denominator"), null=True, blank=True)
    score = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    weighted = models.DecimalField(_("weighted points"), max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        ordering = ["indicator__position", "indicator_id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "indicator"], name="kpi_line_uniq")]

    def __str__(self):
        return f"{self.scorecard_id}:{self.indicator_id}"


class ScorecardEvent(ImmutableEvent):
    """One immutable entry of a scorecard's history (generated, recomputed, value entered, signed
    off); the columns and the save guard come from `kefu.core.models.ImmutableEvent`, without its
    from/to status (the action says it all)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=ScorecardAction.choices)
    from_status = None  # type: ignore[assignment]  # removes the inherited column (Django's way)
    to_status = None  # type: ignore[assignment]

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("scorecard event")
        verbose_name_plural = _("scorecard events")

    def __str__(self):
        return f"{self.scorecard_id} {self.action}"


class ReviewForm(models.Model):
    """A semi-annual competency and attitude review form for one role (能力和态度评价): its items
    in three groups, each scored 1–5 by a lead over the person."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=RoleCode.choices)

    class Meta:
        verbose_name = _("review form")
        verbose_name_plural = _("review forms")
        ordering = ["code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)


class ReviewItem(models.Model):
    """One competency or attitude item of a review form."""

    form = models.ForeignKey(ReviewForm, on_delete=models.CASCADE, related_name="items")
    group = models.CharField(_("group"), max_length=16, choices=ReviewGroup.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        ordering = ["form", "position", "id"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)


class CompetencyReview(models.Model):
    """One person's review for one half-year: the reviewer, the 1–5 scores per item, the average
    and the reviewer's comment; submitted once, then read-only."""

    form = models.ForeignKey(ReviewForm, verbose_name=_("review form"), on_delete=models.PROTECT,
                             related_name="reviews")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="competency_reviews")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half-year"), validators=[MinValueValidator(1), MaxValueValidator(2)])
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT,
                                 related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ReviewStatus.choices,
                              default=ReviewStatus.SUBMITTED, editable=False)
    average = models.DecimalField(_("average"), max_digits=4, decimal_places=2, editable=False)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("competency review")
        verbose_name_plural = _("competency reviews")
        ordering = ["-year", "-half", "person_id"]
        constraints = [models.UniqueConstraint(fields=["person", "year", "half"], name="kpi_review_uniq")]

    def __str__(self):
        return f"{self.year}H{self.half} {self.person_id}"


class CompetencyReviewScore(models.Model):
    """The 1–5 score of one item in one review."""

    review = models.ForeignKey(CompetencyReview, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        ordering = ["item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="kpi_review_score_uniq")]

    def __str__(self):
        return f"{self.review_id}:{self.item_id}={self.score}"
