"""Work orders (工单), their categories, immutable events, plan approvals and attachments.

Nothing here changes a work order's status: that is `services.work_order_transition`'s job.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.i18n import localised
from kefu.core.models import ImmutableEvent
from kefu.workorders.choices import (
    OPEN_STATUSES,
    Action,
    Channel,
    HoldReason,
    PlanStatus,
    Priority,
    Status,
    WorkOrderType,
)


class Category(models.Model):
    """A node of the configurable category tree (e.g. 报修 › 水电 › 漏水).

    `industry` separates the seeded property and telecom trees; `types` limits a category to
    some work-order types (empty: any type); `organisation` limits who is offered it. Names are
    unique among siblings (and among an industry's roots).
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    industry = models.CharField(_("industry"), max_length=32, blank=True)
    # Whose category it is: offered in pickers only to staff of this organisation (and below);
    # empty: offered to everyone (the shared trees).
    organisation = models.ForeignKey("org.Department", verbose_name=_("organisation"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="categories")
    types = models.JSONField(_("work-order types"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["industry", "sort_order", "code"]
        constraints = [
            # Two entries that read the same in a picker could not be told apart.
            models.UniqueConstraint(fields=["parent", "name"], name="uniq_category_name_per_parent"),
            models.UniqueConstraint(fields=["industry", "name"], condition=Q(parent__isnull=True),
                                    name="uniq_root_category_name_per_industry"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    def allows_type(self, work_order_type: str) -> bool:
        return not self.types or work_order_type in self.types


class Tag(models.Model):
    """A free label on work orders (e.g. 重复来电, 媒体关注)."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkOrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class WorkOrder(models.Model):
    """A customer's request from intake to closure.

    `status`, `version` and the plan fields change only through `work_order_transition`, which
    compares-and-swaps on `version` so concurrent actions cannot overwrite each other.
    `first_contact_owner` (首接人) stays accountable until closure, whoever does the work.
    """

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=20, choices=WorkOrderType.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="work_orders")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    complaint_level = models.PositiveSmallIntegerField(
        _("complaint level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3)])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="work_orders")
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    asset = models.ForeignKey("customers.Asset", verbose_name=_("location / asset"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="work_orders")
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="work_orders")
    related_order = models.ForeignKey("self", verbose_name=_("related work order"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="linked_orders")

    received_at = models.DateTimeField(_("received at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"))
    first_contact_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("first-contact owner"),
                                            on_delete=models.PROTECT, related_name="received_work_orders")
    # The owner's department at intake: lets a department see what its staff received even
    # after a transfer; denormalised so visibility needs no join.
    intake_department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="received_work_orders", editable=False)
    team = models.ForeignKey("org.Department", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="work_orders")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assigned_work_orders")
    promised_at = models.DateTimeField(_("promised time"), null=True, blank=True)
    # The earliest due time of the order's running SLA clocks (empty when none runs); kept by
    # sla.clocks.clocks_on_events inside the transition, so queues sort by it on an index.
    sla_due_at = models.DateTimeField(_("next SLA due"), null=True, blank=True, editable=False)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="work_orders")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW,
                              editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    hold_reason = models.CharField(_("hold reason"), max_length=16, choices=HoldReason.choices, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    plan = models.TextField(_("handling plan"), blank=True)
    plan_status = models.CharField(_("plan status"), max_length=10, choices=PlanStatus.choices,
                                   default=PlanStatus.NONE)
    plan_role = models.ForeignKey("org.Role", verbose_name=_("plan goes to"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    compensation_amount = models.DecimalField(_("compensation / cost (¥)"), max_digits=12, decimal_places=2,
                                              null=True, blank=True)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-id"]
        indexes = [
            # Queues: each filters one owner column and the open statuses, newest first.
            models.Index(fields=["team", "status", "-received_at"], name="wo_team_queue_idx"),
            # A team's open queue, newest first, in one ordered scan (LIMIT stops after a page), and
            # its count as an index-only scan: the visibility columns ride along (docs/performance.md).
            models.Index(fields=["team", "-received_at", "-id"], condition=Q(status__in=OPEN_STATUSES),
                         include=["status", "assignee", "first_contact_owner", "intake_department"],
                         name="wo_team_open_idx"),
            models.Index(fields=["assignee", "status", "-received_at"], name="wo_assignee_queue_idx"),
            models.Index(fields=["first_contact_owner", "status", "-received_at"], name="wo_owner_queue_idx"),
            models.Index(fields=["intake_department", "status", "-received_at"], name="wo_intake_dept_idx"),
            models.Index(fields=["status", "-received_at"], name="wo_status_idx"),
            models.Index(fields=["team", "status", "sla_due_at"], name="wo_team_due_idx"),
            models.Index(fields=["-received_at", "-id"], name="wo_received_idx"),
            models.Index(fields=["customer", "-received_at"], name="wo_customer_idx"),
            models.Index(fields=["asset", "-received_at"], name="wo_asset_idx"),
            # Reports (kefu.reports, docs/reports.md): resolutions in a period, and the
            # repeat-complaint look-back (same customer or unit and category within 30 days).
            models.Index(fields=["resolved_at"], condition=Q(resolved_at__isnull=False), name="wo_resolved_idx"),
            models.Index(fields=["customer", "category", "received_at"], condition=Q(type="complaint"),
                         name="wo_complaint_customer_idx"),
            models.Index(fields=["asset", "category", "received_at"], condition=Q(type="complaint"),
                         name="wo_complaint_asset_idx"),
            models.Index(fields=["plan_role", "status"], condition=Q(plan_status="pending"),
                         name="wo_plan_pending_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(complaint_level__isnull=True) | Q(type="complaint", complaint_level__gte=1,
                                                              complaint_level__lte=3),
                name="wo_complaint_level_only_for_complaints"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def needs_approved_plan(self) -> bool:
        """Level-2/3 complaints and any compensation need an approved plan before resolving."""
        return bool((self.complaint_level or 0) >= 2 or (self.compensation_amount or 0) > 0)


class WorkOrderEvent(ImmutableEvent):
    """One immutable entry of a work order's history: an action, who, when, from → to, data (the
    columns and the save guard come from `kefu.core.models.ImmutableEvent`).

    Comments are events too (`body`, `internal`). Rows are only ever inserted.
    """

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    internal = models.BooleanField(_("internal"), default=False)

    class Meta(ImmutableEvent.Meta):
        verbose_name = _("work-order event")
        verbose_name_plural = _("work-order events")
        indexes = [
            models.Index(fields=["work_order", "created_at"], name="wo_event_order_idx"),
            models.Index(fields=["action", "created_at"], name="wo_event_action_idx"),
        ]

    def __str__(self):
        return f"{self.work_order_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class PlanApproval(models.Model):
    """A handling plan submitted for approval and its decision (one row per submission)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="plan_approvals")
    plan = models.TextField(_("handling plan"))
    compensation_amount = models.DecimalField(_("compensation / cost (¥)"), max_digits=12, decimal_places=2,
                                              null=True, blank=True)
    complaint_level = models.PositiveSmallIntegerField(_("complaint level"), null=True, blank=True)
    required_role = models.ForeignKey("org.Role", on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("plan approval")
        verbose_name_plural = _("plan approvals")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order"], condition=Q(decision="pending"),
                                    name="uniq_pending_plan_per_order"),
        ]

    def __str__(self):
        return f"{self.work_order_id} {self.decision}"


def attachment_path(instance, filename):
    return f"attachments/{instance.work_order_id}/{filename}"


class Attachment(models.Model):
    """A photo or document on a work order; served only through a visibility-checked view."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ResolutionMaterial(models.Model):
    """One line of the parts and materials a technician used to resolve an order (free text and a
    quantity, e.g. “PPR 弯头 20mm × 2 个”). Written only by the resolve transition, in its
    transaction; a reopened order resolved again gets new lines (`recorded_at` tells them apart).
    """

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(pgettext_lazy("material", "line"))
    description = models.CharField(_("part or material"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(pgettext_lazy("material", "unit"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("part or material used")
        verbose_name_plural = _("parts and materials used")
        ordering = ["work_order", "recorded_at", "position"]

    def __str__(self):
        return f"{self.description} × {self.quantity}{self.unit}"
