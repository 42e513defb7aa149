"""The knowledge app: the work-order search index, articles (standard answers and the case library),
canned replies and the service phone of each site.

Nothing here changes a work order: canned-reply macros go through `work_order_transition`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.knowledge.choices import ArticleAction, ArticleKind, ArticleStatus, MacroAction
from kefu.workorders.choices import HoldReason


class GramsField(models.Field):
    """The n-grams of an indexed row: a `tsvector` of the grams as lexemes on PostgreSQL (GIN
    index, migration 0001), space-separated encoded tokens on SQLite (indexed by an FTS5 table
    that triggers keep in step, migration 0001). Written only, never read back: membership is
    asked for in SQL (backends.py). The Python value is a set of grams (text.text_grams), with
    internal grams marked by backends.internal_gram."""

    description = "character n-grams for exact search"

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection):
        # Called by Django's INSERT and UPDATE compilers for fields that define it.
        return "array_to_tsvector(%s::text[])" if connection.vendor == "postgresql" else "%s"

    def get_db_prep_value(self, value, connection, prepared=False):
        from kefu.knowledge import backends

        return backends.grams_db_value(value or (), connection)

    def from_db_value(self, value, expression, connection):
        return None  # write-only: nobody needs the lexemes back


class WorkOrderSearch(models.Model):
    """The search index row of one work order, written in the writer's transaction by
    `index.search_index_on_events` (and rebuilt in bulk by `search_index_rebuild`).

    `text` holds the normalised fields anyone who sees the order may search (title, description,
    resolution, contact name, customer name, unit code, comments not marked internal) joined by
    new lines; `internal_text` the internal comments, searched only by roles that see them
    (`selectors.sees_internal_comments`). `grams` indexes both; `title` ranks; `phone_reversed`
    (the contact phone's digits, reversed) finds an order by the tail of its phone.
    """

    work_order = models.OneToOneField("workorders.WorkOrder", primary_key=True, on_delete=models.CASCADE,
                                      related_name="search_index")
    title = models.TextField(blank=True)
    text = models.TextField(blank=True)
    internal_text = models.TextField(blank=True)
    grams = GramsField()
    phone_reversed = models.CharField(max_length=40, blank=True)
    indexed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("work-order search index row")
        verbose_name_plural = _("work-order search index")
        indexes = [
            models.Index(fields=["phone_reversed"], condition=~Q(phone_reversed=""), name="kn_wo_phone_tail_idx"),
        ]

    def __str__(self):
        return f"search index of {self.work_order_id}"


class Article(models.Model):
    """A knowledge-base article: a standard answer to an inquiry, or a case of the case library
    (made from a resolved order with its personal data removed).

    `status` and `version` change only through the services (`article_transition`, compare-and-
    swap on `version`): draft → review → published (a supervisor or above approves) → archived;
    review → draft when sent back. `body` is Markdown, sanitised when rendered (rendering.py);
    `answer` is the plain text an agent inserts into a comment or a resolution. `scope_department`
    empty: group-wide; else that company or site department and everything below it.
    `search_text` is the normalised text the exact search reads (text.normalise).
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ArticleKind.choices, default=ArticleKind.ANSWER)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    answer = models.TextField(_("answer to give"), blank=True)
    category = models.ForeignKey("workorders.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="articles")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    scope_department = models.ForeignKey("org.Department", verbose_name=_("scope"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="articles",
                                         help_text=_("Empty: the whole group."))
    review_on = models.DateField(_("review or expiry date"), null=True, blank=True)
    source_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("source work order"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="case_articles")

    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    helpful_yes = models.PositiveIntegerField(_("helpful"), default=0, editable=False)
    helpful_no = models.PositiveIntegerField(_("not helpful"), default=0, editable=False)
    search_title = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    updated_at = models.DateTimeField(_("updated at"), editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "category"], name="kn_article_status_cat_idx"),
            models.Index(fields=["status", "-updated_at"], name="kn_article_status_idx"),
        ]

    def __str__(self):
        return self.title


class ArticleEvent(models.Model):
    """One immutable entry of an article's history. Creations and edits carry the revision's
    title, body and answer in `data`, so the version history is these rows."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=ArticleAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"))
    from_status = models.CharField(_("from"), max_length=10, choices=ArticleStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=ArticleStatus.choices, blank=True)
    revision = models.PositiveIntegerField(_("revision"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("article event")
        verbose_name_plural = _("article events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "created_at"], name="kn_article_event_idx")]

    def __str__(self):
        return f"{self.article_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("article events are immutable")
        super().save(*args, **kwargs)


def article_file_path(instance, filename):
    return f"knowledge/{instance.article_id}/{filename}"


class ArticleAttachment(models.Model):
    """A picture or PDF attached to an article; served only through a visibility-checked view."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=article_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ArticleVote(models.Model):
    """One person's "was this helpful" answer on an article (changeable; counted on the article)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    voted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("article vote")
        verbose_name_plural = _("article votes")
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="kn_one_vote_per_user")]

    def __str__(self):
        return f"{self.article_id} {self.user_id} {self.helpful}"


class CannedReply(models.Model):
    """A canned reply (快捷回复): text with variables ({customer_name}, {order_number},
    {promised_time}, {technician}, {site_phone}) an agent inserts into a comment, a resolution or
    an outbound message. `owner` empty: shared with everyone (written by supervisors and above);
    else personal. A macro may also act on the order through the work-order gate (`macro`)."""

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="canned_replies",
                              help_text=_("Empty: shared with everyone."))
    category = models.ForeignKey("workorders.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    macro = models.CharField(_("also"), max_length=10, choices=MacroAction.choices, blank=True, default="")
    hold_reason = models.CharField(_("waiting for"), max_length=16, choices=HoldReason.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    updated_at = models.DateTimeField(_("updated at"), editable=False)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["owner", "is_active"], name="kn_reply_owner_idx")]

    def __str__(self):
        return self.title


class SiteServicePhone(models.Model):
    """The service phone customers of a site call (the {site_phone} of canned replies); sites
    without one use KEFU_SERVICE_PHONE."""

    site = models.OneToOneField("customers.Site", verbose_name=_("site"), on_delete=models.CASCADE,
                                related_name="service_phone")
    phone = models.CharField(_("service phone"), max_length=40)

    class Meta:
        verbose_name = _("site service phone")
        verbose_name_plural = _("site service phones")

    def __str__(self):
        return f"{self.site_id}: {self.phone}"
