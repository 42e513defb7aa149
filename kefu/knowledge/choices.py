"""Stable values of the knowledge base's fields; labels and badge colours live here only."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    ANSWER = "answer", _("Standard answer")
    CASE = "case", _("Case")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


ARTICLE_STATUS_COLORS = {
    ArticleStatus.DRAFT: "secondary",
    ArticleStatus.REVIEW: "warning",
    ArticleStatus.PUBLISHED: "success",
    ArticleStatus.ARCHIVED: "light",
}


class ArticleAction(models.TextChoices):
    """Everything that can happen to an article; one event row per occurrence."""

    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Submitted for review")
    PUBLISH = "publish", _("Published")
    REJECT = "reject", _("Sent back")
    ARCHIVE = "archive", _("Archived")
    ATTACH = "attach", _("File attached")


class MacroAction(models.TextChoices):
    """What a canned reply may do besides inserting its text (through the work-order gate)."""

    NONE = "", _("Insert the text only")
    COMMENT = "comment", _("Post as a comment to the customer")
    HOLD = "hold", _("Put on hold with the text as the reason")
