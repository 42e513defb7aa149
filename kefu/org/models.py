"""The organisation: departments (a tree down to teams), positions, roles and staff."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.i18n import localised
from kefu.org.choices import DepartmentKind, RoleCode, Visibility


class Department(models.Model):
    """A node of the organisation tree: group → company/project → department → team.

    `path` is a materialised path of ids (`/1/4/9/`) so "this department and everything below"
    is one indexed prefix query; it is maintained by `org.services.department_create/move`.
    Teams are departments of kind `team`: work is dispatched to them.
    """

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        constraints = [
            # Teams and departments are picked by name: two siblings of one name could not be told apart.
            models.UniqueConstraint(fields=["parent", "name"], name="uniq_department_name_per_parent"),
            models.UniqueConstraint(fields=["name"], condition=models.Q(parent__isnull=True),
                                    name="uniq_root_department_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)


class Position(models.Model):
    """A job title (岗位), e.g. 客服员 or 楼层管家; informational, rights come from the role."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A role with its rights: the Django group of permissions and the authority limits.

    `max_complaint_level` is the highest complaint level whose handling plan the role may
    approve (0: none); `max_approval_amount` the compensation/repair cost it may approve
    (null: unlimited). Plans are routed to the approver role of lowest `rank` whose limits
    cover them.
    """

    code = models.CharField(_("code"), max_length=32, unique=True, choices=RoleCode.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="kefu_role")
    rank = models.PositiveSmallIntegerField(_("rank"), default=10)
    visibility = models.CharField(
        _("work-order visibility"), max_length=16, choices=Visibility.choices,
        default=Visibility.DEPARTMENT,
    )
    is_approver = models.BooleanField(_("receives plans for approval"), default=False)
    max_complaint_level = models.PositiveSmallIntegerField(_("highest complaint level it may approve"), default=0)
    max_approval_amount = models.DecimalField(
        _("highest amount it may approve (¥)"), max_digits=12, decimal_places=2, null=True, blank=True,
        default=Decimal("0"), help_text=_("Empty means unlimited."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return localised(self.name, self.name_en)

    def covers(self, *, complaint_level: int | None, amount: Decimal | None) -> bool:
        """May this role approve a plan of this complaint level with this amount?"""
        if (complaint_level or 0) > self.max_complaint_level:
            return False
        if self.max_approval_amount is not None and (amount or Decimal("0")) > self.max_approval_amount:
            return False
        return True


class Staff(models.Model):
    """A member of staff: the profile that gives a user account its role and department."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    display_name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="staff",
    )
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="staff")
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.SET_NULL,
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["employee_no"]

    def __str__(self) -> str:
        return self.display_name
