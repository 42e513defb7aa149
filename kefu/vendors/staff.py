"""Vendor staff on site (供方驻场人员): the register, qualifications with their expiry, daily
attendance and its monthly summary. Supervisors and above keep any vendor's register; a vendor's
own users keep theirs (and see nothing of another vendor's)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, NotFound, field_error, required_field
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor, require_actor
from kefu.vendors import selectors, workflow
from kefu.vendors.choices import AttendanceStatus
from kefu.vendors.models import Attendance, Qualification, Vendor, VendorWorker

STAFF_KEEPERS = workflow.MANAGER_ROLES | {RoleCode.VENDOR}
EXPIRY_WARNING_DAYS = 30
MAX_ATTENDANCE_ENTRIES = 500


def _keeper(actor_user: Any, vendor: Vendor) -> Actor:
    actor = require_actor(actor_user)
    if not selectors.can_see_vendor(actor, vendor.pk):
        raise NotFound(_("Vendor not found."))
    if actor.role not in STAFF_KEEPERS:
        raise NotAllowed(_("Your role may not keep the register of vendor staff."), code="role_not_allowed")
    return actor


def _text(field: str, value: Any, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise required_field(field)
    if len(text) > limit:
        raise field_error(field, _("Keep %(field)s under %(limit)s characters.") % {"field": field, "limit": limit})
    return text


@transaction.atomic
def worker_register(*, actor_user: Any, vendor: Vendor, name: str, post: str, started_on: date, phone: str = "",
                    site: Any = None, qualifications: list[dict[str, Any]] | None = None) -> VendorWorker:
    """Register one of the vendor's staff on site, with their qualifications."""
    _keeper(actor_user, vendor)
    if not isinstance(started_on, date):
        raise field_error("started_on", _("Enter a date."))
    worker = VendorWorker.objects.create(vendor=vendor, name=_text("name", name, 50, required=True),
                                         post=_text("post", post, 50, required=True),
                                         phone=_text("phone", phone, 32), site=site, started_on=started_on)
    for index, item in enumerate(qualifications or []):
        _add_qualification(worker, item, prefix=f"qualifications.{index}.")
    return worker


def _add_qualification(worker: VendorWorker, data: dict[str, Any], prefix: str = "") -> Qualification:
    expires = data.get("expires_on")
    if expires not in (None, "") and not isinstance(expires, date):
        raise field_error(f"{prefix}expires_on", _("Enter a date."))
    return Qualification.objects.create(worker=worker, name=_text(f"{prefix}name", data.get("name"), 100, required=True),
                                        certificate_no=_text(f"{prefix}certificate_no", data.get("certificate_no"), 50),
                                        expires_on=expires or None)


@transaction.atomic
def qualification_add(*, actor_user: Any, worker: VendorWorker, name: str, certificate_no: str = "",
                      expires_on: date | None = None) -> Qualification:
    """Add a certificate to a worker's record."""
    _keeper(actor_user, worker.vendor)
    return _add_qualification(worker, {"name": name, "certificate_no": certificate_no, "expires_on": expires_on})


@transaction.atomic
def worker_leave(*, actor_user: Any, worker: VendorWorker, left_on: date) -> VendorWorker:
    """The worker left the site on `left_on` (not before they started)."""
    _keeper(actor_user, worker.vendor)
    if not isinstance(left_on, date) or left_on < worker.started_on:
        raise field_error("left_on", _("The day they left is on or after the day they started."))
    VendorWorker.objects.filter(pk=worker.pk).update(left_on=left_on)
    worker.left_on = left_on
    return worker


@transaction.atomic
def attendance_record(*, actor_user: Any, vendor: Vendor, day: date, entries: dict[int, str]) -> int:
    """Record (or correct) the day's attendance of the vendor's staff: {worker id: status}.

    Every worker named must be the vendor's and on site that day; the day is not in the future.
    The vendor's row is locked first, so two people recording the same day queue and the later
    correction is the one kept (each row names who recorded it). Returns the rows written."""
    actor = _keeper(actor_user, vendor)
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    if not isinstance(day, date):
        raise field_error("day", _("Enter a date."))
    if day > timezone.localdate():
        raise field_error("day", _("Attendance is recorded for today or a past day."))
    if not entries:
        raise required_field("entries")
    if len(entries) > MAX_ATTENDANCE_ENTRIES:
        raise field_error("entries", _("At most %(limit)s workers at once.") % {"limit": MAX_ATTENDANCE_ENTRIES})
    workers = {w.pk: w for w in VendorWorker.objects.filter(vendor=vendor, pk__in=list(entries))}
    for worker_id, status in entries.items():
        worker = workers.get(int(worker_id))
        if worker is None:
            raise field_error("entries", _("Worker %(id)s is not on this vendor's staff.") % {"id": worker_id})
        if not (worker.started_on <= day and (worker.left_on is None or day <= worker.left_on)):
            raise field_error("entries", _("%(name)s was not on site that day.") % {"name": worker.name})
        if status not in AttendanceStatus.values:
            raise field_error("entries", _("Choose present, late, on leave or absent."))
    now = timezone.now()
    for worker_id, status in entries.items():
        Attendance.objects.update_or_create(worker_id=int(worker_id), day=day, defaults={
            "status": status, "recorded_by_id": actor.user_id, "recorded_at": now})
    return len(entries)


# --- reads -------------------------------------------------------------------------------------------

def worker_list_for_actor(*, actor: Actor) -> QuerySet[VendorWorker]:
    """The staff of the vendors the actor may see (a vendor user: their own), with qualifications."""
    vendors = selectors.vendor_list_for_actor(actor=actor).values("pk")
    return (VendorWorker.objects.filter(vendor__in=vendors).select_related("vendor", "site")
            .prefetch_related(Prefetch("qualifications", queryset=Qualification.objects.order_by("expires_on", "id"))))


def worker_get_for_actor(*, actor: Actor, pk: Any) -> VendorWorker:
    return selectors.get_for_actor(worker_list_for_actor(actor=actor), pk, _("Worker not found."))


def qualification_state(qualification: Qualification, today: date) -> str:
    """'expired', 'expiring' (within 30 days) or 'valid' (no expiry: valid)."""
    if qualification.expires_on is None or qualification.expires_on > today + timedelta(days=EXPIRY_WARNING_DAYS):
        return "valid"
    return "expired" if qualification.expires_on < today else "expiring"


def attendance_summary(*, vendor: Vendor, month: date) -> dict[str, Any]:
    """The month's attendance per worker on site that month (days present, late, on leave,
    absent, not recorded) and the vendor's totals; one query for the counts."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    on_site = (VendorWorker.objects.filter(vendor=vendor, started_on__lte=last)
               .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
               .annotate(**{status: Count("attendance", filter=Q(attendance__day__range=(first, last),
                                                                 attendance__status=status))
                            for status in AttendanceStatus.values})
               .order_by("name", "id"))
    today = timezone.localdate()
    rows, totals = [], dict.fromkeys(AttendanceStatus.values, 0)
    for worker in on_site:
        start = max(first, worker.started_on)
        end = min(last, worker.left_on or last, today)
        days = max((end - start).days + 1, 0)
        counts = {status: getattr(worker, status) for status in AttendanceStatus.values}
        for status, n in counts.items():
            totals[status] += n
        rows.append({"worker": worker, **counts, "days": days, "unrecorded": max(days - sum(counts.values()), 0)})
    return {"month": first, "rows": rows, "totals": totals}
