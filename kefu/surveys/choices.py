from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE5 = "scale5", _("5-point satisfaction scale")
    NPS = "nps", _("0–10 recommendation (NPS)")
    TEXT = "text", _("Free text")


class Satisfaction(models.IntegerChoices):
    """The 5-point scale; the numbers are stored, so they never change meaning."""

    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    FAIR = 3, _("Basically satisfied")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


# Answers at or below this value make the respondent a “dissatisfied” one who gets a follow-up callback.
DISSATISFIED_MAX = Satisfaction.DISSATISFIED


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    # Context: the foundation's "Closed" is a work order's 已关闭 and would win over this catalog
    # (ADR 0006); a campaign that stopped taking answers has 已结束.
    CLOSED = "closed", pgettext_lazy("survey campaign status", "Closed")


CAMPAIGN_STATUS_COLORS = {"draft": "secondary", "open": "success", "closed": "dark"}


class Population(models.TextChoices):
    """Who a campaign asks."""

    UNITS = "units", _("Occupants of the chosen sites / buildings")
    SERVED = "served", _("Customers served in a period")
    TAG = "tag", _("Customers with a tag")


class ResponseChannel(models.TextChoices):
    LINK = "link", _("Personal link")
    QR = "qr", _("Building QR code")
    PAPER = "paper", _("Paper form")
