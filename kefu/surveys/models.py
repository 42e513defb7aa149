"""Satisfaction surveys: service items, versioned questionnaires, campaigns, invitations, responses.

How the numbers are computed is documented in docs/surveys.md and implemented in one place,
`selectors.campaign_results`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.i18n import localised
from kefu.surveys import tokens
from kefu.surveys.choices import (
    CampaignStatus,
    Population,
    QuestionKind,
    QuestionnaireStatus,
    ResponseChannel,
)

# The foundation catalog's "position" is a job title (岗位) and wins over this app's catalog
# (ADR 0006): here it is the order on the form, so it carries a context.
ORDER_LABEL = pgettext_lazy("display order", "position")


class ServiceItem(models.Model):
    """A service item a questionnaire section rates (客户服务, 安全, 保洁, 绿化, 维修 …).

    `code` is stable across questionnaire versions and campaigns, so an item's rate can be
    followed over time (`selectors.item_rate_history`) and corrective actions can refer to it.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(ORDER_LABEL, default=0)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["position", "code"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)


class Questionnaire(models.Model):
    """One version of a questionnaire (意见征询表): its sections and questions.

    A published version is frozen (answers refer to its questions); changing it means a new
    draft version with the same `code` (`services.questionnaire_new_version`).
    """

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("English introduction"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=QuestionnaireStatus.choices,
                              default=QuestionnaireStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="uniq_questionnaire_version")]

    def __str__(self):
        return f"{self.display_title} v{self.version}"

    @property
    def display_title(self) -> str:
        return localised(self.title, self.title_en)

    @property
    def display_intro(self) -> str:
        return localised(self.intro, self.intro_en)

    @property
    def is_frozen(self) -> bool:
        return self.status != QuestionnaireStatus.DRAFT


class Section(models.Model):
    """A part of a questionnaire, usually about one service item."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(ORDER_LABEL, default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["questionnaire", "position", "id"]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return localised(self.title, self.title_en)


class Question(models.Model):
    """One question. Choice questions carry `options`: [{"value", "label", "label_en"}, …]."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    # Contexts: the foundation's "text" (内容) and "required" (必备) mean other things (ADR 0006).
    text = models.CharField(pgettext_lazy("survey question", "text"), max_length=500)
    text_en = models.CharField(_("English text"), max_length=500, blank=True)
    required = models.BooleanField(pgettext_lazy("survey question", "required"), default=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(ORDER_LABEL, default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section__position", "section_id", "position", "id"]

    def __str__(self):
        return self.display_text

    @property
    def display_text(self) -> str:
        return localised(self.text, self.text_en)

    def option_labels(self) -> list[tuple[str, str]]:
        return [(str(o["value"]), localised(o.get("label", ""), o.get("label_en", ""))) for o in self.options]

    @property
    def field_name(self) -> str:
        return f"q{self.pk}"


class Campaign(models.Model):
    """A survey campaign: one published questionnaire asked of a population over a period.

    The population is frozen into invitations when the campaign opens, so the response rate's
    denominator does not move while answers come in.
    """

    name = models.CharField(_("name"), max_length=200)
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT,
                                      related_name="campaigns")
    department = models.ForeignKey("org.Department", verbose_name=_("owning department"), on_delete=models.PROTECT,
                                   related_name="survey_campaigns")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    population = models.CharField(_("population"), max_length=16, choices=Population.choices,
                                  default=Population.UNITS)
    sites = models.ManyToManyField("customers.Site", verbose_name=_("sites"), blank=True, related_name="+")
    buildings = models.ManyToManyField("customers.Building", verbose_name=_("buildings"), blank=True,
                                       related_name="+")
    served_from = models.DateField(_("served from"), null=True, blank=True)
    served_to = models.DateField(_("served to"), null=True, blank=True)
    tag = models.CharField(_("customer tag"), max_length=32, blank=True,
                           help_text=_("For the “customers with a tag” population, e.g. VIP."))
    target_rate = models.DecimalField(_("target satisfaction rate"), max_digits=5, decimal_places=4,
                                      default=Decimal("0.95"),
                                      validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
    # 4: satisfied + very satisfied count as satisfied; 3 also counts “basically satisfied”.
    satisfied_min = models.PositiveSmallIntegerField(_("lowest score counted as satisfied"), default=4,
                                                     validators=[MinValueValidator(3), MaxValueValidator(5)])
    reminder_interval_days = models.PositiveSmallIntegerField(_("days between reminders"), default=3)
    max_reminders = models.PositiveSmallIntegerField(_("reminders at most"), default=2)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-ends_on", "-id"]

    def __str__(self):
        return self.name


class Invitation(models.Model):
    """One member of a campaign's population (a unit's occupant, or a served customer) and the
    personal link that lets them answer once.

    The link is not stored: `token` rebuilds it from `selector` with a key derived from SECRET_KEY
    (ADR 0009, `kefu.surveys.tokens`). `legacy_token_hash` is the sha256 of a link issued before
    that, so it keeps working."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    asset = models.ForeignKey("customers.Asset", verbose_name=_("unit"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    building = models.ForeignKey("customers.Building", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    selector = models.CharField(max_length=16, unique=True, editable=False, default=tokens.new_selector)
    legacy_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("link sent at"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "asset"], name="uniq_invitation_asset"),
            models.UniqueConstraint(fields=["campaign", "customer"], condition=models.Q(asset=None),
                                    name="uniq_invitation_customer_without_asset"),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.asset_id or self.customer_id}"

    @property
    def token(self) -> str:
        """The personal link's token (`surveys:respond`), rebuilt, never stored."""
        return tokens.link_token(tokens.INVITATION, self.selector)


class BuildingCode(models.Model):
    """The printable QR code of one building in one campaign; its token opens the building's form.
    Like an invitation's, the token is rebuilt from `selector` and never stored (ADR 0009)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="building_codes")
    building = models.ForeignKey("customers.Building", on_delete=models.PROTECT, related_name="+")
    selector = models.CharField(max_length=16, unique=True, editable=False, default=tokens.new_selector)
    legacy_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("building QR code")
        verbose_name_plural = _("building QR codes")
        constraints = [models.UniqueConstraint(fields=["campaign", "building"], name="uniq_building_code")]

    def __str__(self):
        return f"{self.campaign_id}:{self.building_id}"

    @property
    def token(self) -> str:
        """The QR code's token (`surveys:building`), rebuilt, never stored."""
        return tokens.link_token(tokens.BUILDING, self.selector)


class Response(models.Model):
    """One completed questionnaire. At most one per invitation: a link works once."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    channel = models.CharField(_("channel"), max_length=16, choices=ResponseChannel.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    paper_reference = models.CharField(_("paper form number"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["campaign", "submitted_at", "id"]
        indexes = [models.Index(fields=["campaign", "submitted_at"], name="survey_response_campaign_idx")]

    def __str__(self):
        return f"{self.campaign_id}:{self.invitation_id}"


class Answer(models.Model):
    """One answer of a response: a score (scale, NPS), chosen option values, or text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="uniq_answer_per_question")]
        indexes = [models.Index(fields=["question", "score"], name="survey_answer_score_idx")]

    def __str__(self):
        return f"{self.response_id}:{self.question_id}"
