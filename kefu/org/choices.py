from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    GROUP = "group", _("Group")
    COMPANY = "company", _("Company / project")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class RoleCode(models.TextChoices):
    """Stable role codes; the workflow table refers to these, never to display names."""

    AGENT = "agent", _("Agent")
    STEWARD = "steward", _("Steward")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    DIRECTOR = "director", _("Director")
    TECHNICIAN = "technician", _("Technician")
    QA = "qa", _("Quality inspector")
    CLERK = "clerk", _("Clerk")
    VENDOR = "vendor", _("Vendor user")
    ADMINISTRATOR = "administrator", _("Administrator")


class Visibility(models.TextChoices):
    """How far a role sees work orders."""

    ALL = "all", _("All work orders")
    DEPARTMENT = "department", _("Own department and below")
    ASSIGNED = "assigned", _("Only work dispatched to own team or self")
