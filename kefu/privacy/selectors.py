"""Reads for personal-data protection: which customers an actor may see, and the access log."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from kefu.customers.models import Customer
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor
from kefu.privacy.models import AccessLog

# Who audits the log: quality (PIPL compliance checks) and administrators.
AUDIT_ROLES = {RoleCode.QA, RoleCode.ADMINISTRATOR}


def customers_for_actor(*, actor: Actor) -> QuerySet[Customer]:
    """Customers the actor may see. The customers app owns the department scope; this is the one
    place the privacy and exchange apps ask it, so a scope rule added there applies here too."""
    from kefu.customers.selectors import visible_customers

    return visible_customers(actor)


def may_audit(actor: Actor | None) -> bool:
    return actor is not None and actor.role in AUDIT_ROLES


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log_list(*, actor: Actor, who: int | None = None, whose: str = "", date_from: date | None = None,
                    date_to: date | None = None) -> QuerySet[AccessLog]:
    """The access log for auditors (everyone else: nothing), newest first, filtered by who (user
    id), whose (customer id or a name fragment) and a date range (site time zone, inclusive)."""
    if not may_audit(actor):
        return AccessLog.objects.none()
    qs = AccessLog.objects.select_related("actor", "actor__staff")
    if who:
        qs = qs.filter(actor_id=who)
    whose = (whose or "").strip()
    if whose:
        qs = qs.filter(Q(customer_id=int(whose)) if whose.isdigit() else Q(customer_label__contains=whose))
    if date_from:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    return qs.order_by("-created_at", "-id")
