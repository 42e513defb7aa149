"""The duty log (值班日志) of a shift."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput
from kefu.org.selectors import Actor
from kefu.reports.selectors.scope import (
    Scope,
    _report_transaction,
    _scoped,
    require_report_actor,
    site_timezone,
)
from kefu.workorders.choices import OPEN_STATUSES
from kefu.workorders.models import WorkOrderEvent

SHIFTS = {"day": (dt.time(8), dt.time(20)), "night": (dt.time(20), dt.time(8)), "all": (dt.time(0), dt.time(0))}


def shift_window(day: dt.date, shift: str, tz: str) -> tuple[dt.datetime, dt.datetime]:
    from zoneinfo import ZoneInfo

    begin, end = SHIFTS[shift]
    since = dt.datetime.combine(day, begin, tzinfo=ZoneInfo(tz))
    until_day = day + dt.timedelta(days=1) if end <= begin else day
    return since, dt.datetime.combine(until_day, end, tzinfo=ZoneInfo(tz))


DUTY_ROWS = 200


@_report_transaction
def duty_log(*, actor: Actor, day: dt.date, shift: str, scope: Scope) -> dict:
    """值班日志: what the shift received, resolved, handed over (dispatched) and left open."""
    require_report_actor(actor)
    if shift not in SHIFTS:
        raise InvalidInput(_("shift must be one of %(values)s.") % {"values": ", ".join(SHIFTS)},
                           fields={"shift": [_("shift must be one of %(values)s.") % {"values": ", ".join(SHIFTS)}]})
    since, until = shift_window(day, shift, site_timezone(scope))
    scoped = _scoped(actor, scope).select_related("category", "team", "first_contact_owner__staff")
    received = list(scoped.filter(received_at__gte=since, received_at__lt=until).order_by("received_at", "id")
                    [:DUTY_ROWS])
    resolved = list(scoped.filter(resolved_at__gte=since, resolved_at__lt=until).order_by("resolved_at", "id")
                    [:DUTY_ROWS])
    handed = list(WorkOrderEvent.objects.filter(action="dispatch", created_at__gte=since, created_at__lt=until,
                                                work_order__in=_scoped(actor, scope).values("pk"))
                  .select_related("work_order", "actor__staff").order_by("created_at", "id")[:DUTY_ROWS])
    still_open = [o for o in received if o.status in OPEN_STATUSES]
    return {"day": day, "shift": shift, "since": since, "until": until, "received": received,
            "resolved": resolved, "handed_over": handed, "open": still_open}
