"""Reads about the organisation: who an actor is, which departments and staff they may pick."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kefu.org.choices import DepartmentKind, RoleCode, Visibility
from kefu.org.models import Department, Role, Staff


@dataclass(frozen=True)
class Actor:
    """Who is acting, resolved once per request: role code, limits and department scope.

    A superuser without a staff profile acts as an administrator (set-up scripts and
    integrations rely on it).
    """

    user_id: int
    role: str
    department_id: int | None
    department_path: str
    visibility: str
    max_complaint_level: int
    max_approval_amount: Decimal | None
    is_approver: bool
    staff: Staff | None

    def covers(self, *, complaint_level: int | None, amount: Decimal | None) -> bool:
        if self.role == RoleCode.ADMINISTRATOR:
            return True
        if (complaint_level or 0) > self.max_complaint_level:
            return False
        if self.max_approval_amount is not None and (amount or Decimal("0")) > self.max_approval_amount:
            return False
        return True


def _staff_of(user: Any) -> Staff | None:
    """The user's staff profile with its role and department, in at most one query: a profile
    the caller already loaded with both (token authentication joins them) is reused; otherwise
    one SELECT joins them, and its answer (None too) is cached on the user."""
    relation = user._meta.get_field("staff")
    if relation.is_cached(user):
        staff: Staff | None = relation.get_cached_value(user)
        if staff is None or (Staff.role.field.is_cached(staff) and Staff.department.field.is_cached(staff)):
            return staff
        # A profile loaded bare (the language middleware's `user.staff`): its role and department
        # join onto that same object, which the page's `current_staff` also holds.
        joined = Staff.objects.select_related("role", "department").filter(pk=staff.pk).first()
        if joined is not None:
            Staff.role.field.set_cached_value(staff, joined.role)
            Staff.department.field.set_cached_value(staff, joined.department)
            return staff
    staff = Staff.objects.select_related("role", "department").filter(user_id=user.pk).first()
    relation.set_cached_value(user, staff)
    return staff


def actor_for_user(user: Any) -> Actor | None:
    """The Actor for a user, or None when the user is not (active) staff. Resolved once per user
    object (cached on it) and in at most one query (`_staff_of`)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached: Actor | None = getattr(user, "_kefu_actor", None)
    if cached is not None:
        return cached
    staff = _staff_of(user)
    if staff is not None and staff.is_active and not user.is_superuser:
        role = staff.role
        actor = Actor(
            user_id=user.pk, role=role.code, department_id=staff.department_id,
            department_path=staff.department.path, visibility=role.visibility,
            max_complaint_level=role.max_complaint_level, max_approval_amount=role.max_approval_amount,
            is_approver=role.is_approver, staff=staff,
        )
    elif user.is_superuser:
        actor = Actor(
            user_id=user.pk, role=RoleCode.ADMINISTRATOR,
            department_id=staff.department_id if staff else None,
            department_path=staff.department.path if staff else "", visibility=Visibility.ALL,
            max_complaint_level=3, max_approval_amount=None, is_approver=True, staff=staff,
        )
    else:
        return None
    user._kefu_actor = actor
    return actor


def user_display_name(user: Any) -> str:
    """How a person is named in event data: the staff display name, else the username ("" for
    nobody)."""
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return str(staff.display_name if staff else user.get_username())


def require_actor(user: Any) -> Actor:
    """The Actor for a user, or a 403 when the user is not (active) staff: the first line of
    every service that acts for a person."""
    from django.utils.translation import gettext as _

    from kefu.core.errors import NotAllowed

    actor = actor_for_user(user)
    if actor is None:
        raise NotAllowed(_("Only active staff may do this."))
    return actor


def department_subtree(*, department: Department) -> QuerySet[Department]:
    return Department.objects.filter(path__startswith=department.path)


def organisation_path(actor: "Actor | None") -> str:
    """The path of the actor's own organisation — the company (or project) their department is in,
    the highest one on their path — which pickers are limited to; the actor's own department when
    none is above it (a group-level role picks from the whole group); "" for no limit (an
    administrator without a department). Cached on the actor."""
    if actor is None or not actor.department_path:
        return ""
    cached = getattr(actor, "_organisation_path", None)
    if cached is None:
        ids = [int(p) for p in actor.department_path.strip("/").split("/") if p.isdigit()]
        company = (Department.objects.filter(pk__in=ids, kind=DepartmentKind.COMPANY)
                   .order_by("path").values_list("path", flat=True).first())
        cached = company or actor.department_path
        object.__setattr__(actor, "_organisation_path", cached)
    return cached


def team_list(*, active_only: bool = True, within: str = "") -> QuerySet[Department]:
    """Teams (of the organisation at path `within`, when given: `organisation_path(actor)`)."""
    qs = Department.objects.filter(kind=DepartmentKind.TEAM).select_related("parent")
    if active_only:
        qs = qs.filter(is_active=True)
    if within:
        qs = qs.filter(path__startswith=within)
    return qs.order_by("path")


def staff_list(*, active_only: bool = True, within: str = "") -> QuerySet[Staff]:
    """Staff (of the organisation at path `within`, when given: `organisation_path(actor)`)."""
    qs = Staff.objects.select_related("user", "department", "role", "position")
    if active_only:
        qs = qs.filter(is_active=True, user__is_active=True)
    if within:
        qs = qs.filter(department__path__startswith=within)
    return qs.order_by("employee_no")


def approver_role_for(*, complaint_level: int | None, amount: Decimal | None) -> Role | None:
    """The lowest-ranked approver role whose authority covers this plan (None: nobody's does)."""
    for role in Role.objects.filter(is_approver=True).order_by("rank", "code"):
        if role.covers(complaint_level=complaint_level, amount=amount):
            return role
    return None
