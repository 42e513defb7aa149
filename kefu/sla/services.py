"""Writes to work calendars, the holiday table and SLA clocks (started/paused/stopped by work-order
events), and the due-time preview."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput
from kefu.sla import business_time
from kefu.sla.choices import TARGET_FIELDS, ClockKind, ClockState, HolidayKind
from kefu.sla.models import (
    Escalation,
    Holiday,
    HolidayYear,
    SlaClock,
    SlaPolicy,
    WorkCalendar,
    default_escalation,
)
from kefu.sla.selectors import calendar_spec, holidays_changed


def _clean(name: str, timezone: str, hours) -> dict:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Name is required."), fields={"name": [_("This field is required.")]})
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_("Unknown time zone."), fields={"timezone": [_("Unknown time zone.")]}) from None
    try:
        parsed = business_time.parse_hours(hours)
    except ValueError as exc:
        message = _("Invalid working hours: %(error)s") % {"error": exc}
        raise InvalidInput(message, fields={"hours": [message]}) from None
    return {"name": name, "timezone": timezone, "hours": business_time.format_hours(parsed)}


@transaction.atomic
def calendar_create(*, name: str, hours: dict, timezone: str = "Asia/Shanghai", use_china_holidays: bool = True,
                    always_open: bool = False, team=None) -> WorkCalendar:
    """Create a calendar after validating the time zone and the weekday intervals."""
    values = _clean(name, timezone, hours if not always_open else (hours or {}))
    if WorkCalendar.objects.filter(name=values["name"]).exists():
        raise InvalidInput(_("A calendar with this name exists."),
                           fields={"name": [_("A calendar with this name exists.")]})
    if not always_open and not any(business_time.parse_hours(values["hours"])):
        raise InvalidInput(_("A calendar needs working hours on at least one day."),
                           fields={"hours": [_("A calendar needs working hours on at least one day.")]})
    return WorkCalendar.objects.create(use_china_holidays=use_china_holidays, always_open=always_open, team=team,
                                       **values)


def missing_year_warnings(years) -> list[str]:
    return [_("%(year)s holiday data missing") % {"year": year} for year in years]


def calendar_due(*, calendar: WorkCalendar, start: datetime, minutes: int) -> tuple[datetime, list[str]]:
    """Preview: `minutes` of business time after `start` on this calendar, with warnings."""
    try:
        result = business_time.add_business_minutes(calendar_spec(calendar=calendar), start, minutes)
    except business_time.NoWorkingTime:
        raise InvalidInput(_("The calendar has no working time in the next three years."),
                           fields={"minutes": [_("The calendar has no working time in the next three years.")]}
                           ) from None
    return result.value, missing_year_warnings(result.missing_years)


@transaction.atomic
def holidays_import(*, rows: list[dict], source: str) -> dict:
    """Replace the holiday arrangement of every year present in `rows` (date, kind, name).

    All-or-nothing: one bad row rejects the whole file with its row number. The years become
    "known", so the fallback warning disappears for them.
    """
    parsed: list[tuple[date, str, str]] = []
    errors: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        raw_date = (row.get("date") or "").strip()
        kind = (row.get("kind") or "").strip().lower()
        kind = {"休": "holiday", "假": "holiday", "班": "workday", "补班": "workday"}.get(kind, kind)
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            errors.setdefault("date", []).append(_("Row %(row)s: “%(value)s” is not a date (YYYY-MM-DD).")
                                                  % {"row": number, "value": raw_date})
            continue
        if kind not in HolidayKind.values:
            errors.setdefault("kind", []).append(_("Row %(row)s: kind must be holiday or workday.") % {"row": number})
            continue
        parsed.append((day, kind, (row.get("name") or "").strip()[:100]))
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, fields=errors)
    if not parsed:
        raise InvalidInput(_("The file has no rows."), fields={"file": [_("The file has no rows.")]})
    years = sorted({d.year for d, _k, _n in parsed})
    for year in years:
        Holiday.objects.filter(date__year=year).delete()
    Holiday.objects.bulk_create([Holiday(date=d, kind=k, name=n) for d, k, n in parsed])
    for year in years:
        HolidayYear.objects.update_or_create(year=year, defaults={"source": source[:100]})
    holidays_changed()
    return {"years": years, "days": len(parsed), "clocks_updated": clocks_recompute(years=years)}


@transaction.atomic
def holiday_changed(*, years) -> int:
    """An administrator edited single days: mark the years as changed (other processes' caches
    notice), and move the deadlines that the change affects. Returns the clocks updated."""
    for year in years:
        HolidayYear.objects.filter(year=year).update(loaded_at=timezone.now())
    holidays_changed()
    return clocks_recompute(years=years)


def _relayout(engine: "ClockEngine", clock: SlaClock, *, reference, used: float) -> bool:
    """Lay out what is left of a business-time clock's target (`used` minutes are spent) from
    `reference` on the clock's calendar: due, warning, next step, missing years. Returns whether
    anything changed; the caller saves."""
    warn_target = clock.target_minutes * (clock.policy.warn_percent if clock.policy_id else 80) / 100
    due, missing = engine.add(clock, True, reference, clock.target_minutes - used)
    warn, _m = engine.add(clock, True, reference, warn_target - used)
    if clock.target_minutes - used <= 0:  # already overdue: the deadline stays in the past
        due = min(clock.due_at, reference)
    if warn_target - used <= 0:
        warn = min(clock.warn_at or reference, reference)
    if (due, warn, list(missing)) == (clock.due_at, clock.warn_at, clock.missing_holiday_years):
        return False
    clock.due_at, clock.warn_at, clock.missing_holiday_years = due, warn, list(missing)
    clock.next_step_at = engine.step_time(clock, clock.next_step)
    return True


def team_calendar(team_id) -> WorkCalendar | None:
    """The team's own work calendar, if it has one."""
    if team_id is None:
        return None
    return WorkCalendar.objects.filter(team_id=team_id).order_by("id").first()


# The clocks that measure a team's own work (and so may follow the team's calendar).
TEAM_CLOCKS = (ClockKind.ARRIVAL, ClockKind.RESOLUTION)


def _follow_team_calendar(engine: "ClockEngine", *, team_id, live: dict, now) -> None:
    """After a dispatch: the arrival and resolution clocks of a policy with `use_team_calendar`
    continue on the new team's calendar. Business time used so far is counted on the calendar it
    ran on; what is left is laid out on the team's hours from now."""
    calendar = None
    for kind in TEAM_CLOCKS:
        clock = live.get(kind)
        if clock is None or not clock.business or not clock.target_minutes or not (
                clock.policy_id and clock.policy.use_team_calendar):
            continue
        calendar = calendar or team_calendar(team_id)
        if calendar is None or calendar.pk == clock.calendar_id:
            continue
        reference = clock.paused_at or now
        clock.carried_minutes = engine.used(clock, reference)
        clock.calendar, clock.calendar_since, clock.paused_minutes = calendar, reference, 0.0
        _relayout(engine, clock, reference=reference, used=clock.carried_minutes)
        clock.save(update_fields=["calendar", "calendar_since", "carried_minutes", "paused_minutes", "due_at",
                                  "warn_at", "missing_holiday_years", "next_step_at"])


def clocks_recompute(*, years) -> int:
    """Re-derive the deadlines of live business-time clocks that reach into `years`, after the
    holiday arrangement of those years was imported or edited.

    A deadline computed while a year had no data used the Monday–Friday fallback (and says so);
    once the year is known, the same target on the real calendar gives the true deadline. The
    business time already used stays as it was; what is left is laid out again from now (or from
    the moment the clock was paused). Steps already fired stay fired. Rare (once a year), so it
    scans the live clocks due on or after 1 January of the earliest year.
    """
    from kefu.workorders.models import WorkOrder

    if not years:
        return 0
    first = datetime(min(years), 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")) - timedelta(days=1)
    engine = ClockEngine()
    now = timezone.now()
    touched_orders = set()
    updated = 0
    clocks = (SlaClock.objects.select_related("calendar", "policy")
              .filter(stopped_at=None, business=True, target_minutes__isnull=False, due_at__gte=first))
    for clock in clocks.iterator(chunk_size=500):
        if not clock.calendar.use_china_holidays:
            continue
        reference = clock.paused_at or now
        if not _relayout(engine, clock, reference=reference, used=engine.used(clock, reference)):
            continue
        clock.save(update_fields=["due_at", "warn_at", "missing_holiday_years", "next_step_at"])
        touched_orders.add(clock.work_order_id)
        updated += 1
    for order_id in touched_orders:
        due = (SlaClock.objects.filter(work_order_id=order_id, stopped_at=None, paused_at=None)
               .exclude(kind=ClockKind.CALLBACK).order_by("due_at").values_list("due_at", flat=True).first())
        WorkOrder.objects.filter(pk=order_id).update(sla_due_at=due)
    return updated


def holidays_import_xlsx(*, content: bytes, source: str) -> dict:
    """First sheet of an xlsx workbook with a header row `date | kind | name` (Chinese headers
    日期 | 类型 | 名称 are recognised); date cells may be dates or YYYY-MM-DD text."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several unrelated types for a file that is not xlsx
        raise InvalidInput(_("The file is not an xlsx workbook."),
                           fields={"file": [_("The file is not an xlsx workbook.")]}) from None
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    aliases = {"日期": "date", "类型": "kind", "名称": "name"}
    header = [aliases.get(str(c).strip(), str(c).strip().lower()) if c is not None else "" for c in rows[0]] \
        if rows else []
    if not {"date", "kind"} <= set(header):
        raise InvalidInput(_("The header must contain date and kind."),
                           fields={"file": [_("The header must contain date and kind.")]})
    records = []
    for row in rows[1:]:
        if all(c in (None, "") for c in row):
            continue
        record = {}
        for name, cell in zip(header, row, strict=False):
            if isinstance(cell, datetime):
                cell = cell.date()
            record[name] = cell.isoformat() if isinstance(cell, date) else ("" if cell is None else str(cell))
        records.append(record)
    return holidays_import(rows=records, source=source)


def holidays_import_csv(*, content: bytes, source: str) -> dict:
    """CSV with a header `date,kind,name` (UTF-8, with or without BOM)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file must be UTF-8 CSV."), fields={"file": [_("The file must be UTF-8 CSV.")]}) \
            from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"date", "kind"} <= {f.strip() for f in reader.fieldnames}:
        raise InvalidInput(_("The header must contain date and kind."),
                           fields={"file": [_("The header must contain date and kind.")]})
    rows = [{(k or "").strip(): v for k, v in row.items()} for row in reader]
    return holidays_import(rows=rows, source=source)


# --- policies and clocks ---------------------------------------------------------------------------

# Actions that count as the center's first response to the customer.
RESPONSE_ACTIONS = {"accept", "dispatch", "start", "resolve"}


def policy_for(*, order) -> SlaPolicy | None:
    """The first active policy (by precedence) whose conditions all match the order."""
    tier = order.customer.tier if order.customer_id else ""
    category = order.category.code if order.category_id else ""
    for policy in SlaPolicy.objects.filter(is_active=True, is_default=False).select_related("calendar"):
        if policy.types and order.type not in policy.types:
            continue
        if policy.priorities and order.priority not in policy.priorities:
            continue
        if policy.channels and order.channel not in policy.channels:
            continue
        if policy.complaint_levels and order.complaint_level not in policy.complaint_levels:
            continue
        if policy.customer_tiers and tier not in policy.customer_tiers:
            continue
        if policy.category_prefixes and not any(category == p or category.startswith(p + ".")
                                                for p in policy.category_prefixes):
            continue
        return policy
    return SlaPolicy.objects.filter(is_active=True, is_default=True).select_related("calendar").first()


class ClockEngine:
    """Clock arithmetic for one event (or one sweep), with the calendar specs built once. The demo
    loader's replay (kefu.workorders.demo_clocks) computes with it too, so its clocks are this app's."""

    def __init__(self):
        self.specs: dict[int, business_time.CalendarSpec] = {}
        self._policies: dict = {}
        self._calendars: dict = {}

    def policy(self, pk):
        if pk is None:
            return None
        if pk not in self._policies:
            self._policies[pk] = SlaPolicy.objects.get(pk=pk)
        return self._policies[pk]

    def calendar(self, pk):
        if pk not in self._calendars:
            self._calendars[pk] = WorkCalendar.objects.get(pk=pk)
        return self._calendars[pk]

    def spec(self, calendar: WorkCalendar) -> business_time.CalendarSpec:
        if calendar.pk not in self.specs:
            self.specs[calendar.pk] = calendar_spec(calendar=calendar)
        return self.specs[calendar.pk]

    def add(self, clock_or_calendar, business: bool, start, minutes: float):
        calendar = getattr(clock_or_calendar, "calendar", clock_or_calendar)
        if not business:
            return start + timedelta(minutes=minutes), ()
        result = business_time.add_business_minutes(self.spec(calendar), start, max(minutes, 0))
        return result.value, result.missing_years

    def between(self, clock, start, end) -> float:
        if end <= start:
            return 0.0
        if not clock.business:
            return (end - start).total_seconds() / 60
        return business_time.business_minutes_between(self.spec(clock.calendar), start, end).minutes

    def new_clock(self, *, kind, policy, calendar, business, minutes, started_at, due_at=None) -> SlaClock:
        """A clock starting now (unsaved): its deadline and warning time on its calendar."""
        missing: tuple = ()
        if due_at is None:
            due_at, missing = self.add(calendar, business, started_at, minutes)
        warn_percent = policy.warn_percent if policy else 80
        if minutes:
            warn_at, _m = self.add(calendar, business, started_at, minutes * warn_percent / 100)
        else:
            warn_at = started_at + (due_at - started_at) * (warn_percent / 100)
        return SlaClock(kind=kind, policy=policy, calendar=calendar, business=business, target_minutes=minutes,
                        started_at=started_at, due_at=due_at, warn_at=warn_at, next_step=0, next_step_at=warn_at,
                        missing_holiday_years=list(missing))

    def start(self, *, order, kind, policy, calendar, business, minutes, started_at, due_at=None):
        clock = self.new_clock(kind=kind, policy=policy, calendar=calendar, business=business, minutes=minutes,
                               started_at=started_at, due_at=due_at)
        clock.work_order = order
        clock.save(force_insert=True)
        return clock

    def stop(self, clock, now, *, cancelled: bool = False) -> None:
        if clock.paused_at is not None:
            self.resume(clock, now)
        clock.stopped_at = now
        clock.elapsed_minutes = self.used(clock, now)
        if cancelled:
            clock.state = ClockState.CANCELLED
        elif now <= clock.due_at:
            clock.state = ClockState.MET
        else:
            clock.state = ClockState.BREACHED
            clock.breached_at = clock.breached_at or clock.due_at
        clock.save(update_fields=["stopped_at", "elapsed_minutes", "state", "breached_at", "paused_at",
                                  "paused_minutes", "due_at", "warn_at", "next_step_at"])

    def used(self, clock, reference) -> float:
        """Business (or calendar) minutes of the target used up to `reference`, pauses excluded."""
        since = clock.calendar_since or clock.started_at
        return max(clock.carried_minutes + self.between(clock, since, reference) - clock.paused_minutes, 0)

    def pause(self, clock, now) -> None:
        clock.paused_at = now
        clock.state = ClockState.PAUSED
        clock.save(update_fields=["paused_at", "state"])

    def resume(self, clock, now) -> None:
        """Move due (and warning) by exactly the business time spent paused."""
        paused_at = clock.paused_at
        clock.paused_minutes += self.between(clock, paused_at, now)
        if clock.due_at > paused_at:
            clock.due_at, _m = self.add(clock, clock.business, now, self.between(clock, paused_at, clock.due_at))
        if clock.warn_at and clock.warn_at > paused_at:
            clock.warn_at, _m = self.add(clock, clock.business, now, self.between(clock, paused_at, clock.warn_at))
        clock.paused_at = None
        clock.state = ClockState.RUNNING
        # Steps already fired stay fired; the next one moves with the due time.
        clock.next_step_at = self.step_time(clock, clock.next_step)
        clock.save(update_fields=["paused_at", "paused_minutes", "due_at", "warn_at", "state", "next_step_at"])

    def step_time(self, clock, step: int):
        """When step `step` of the clock's ladder is due (None past the last step)."""
        if step == 0:
            return clock.warn_at
        ladder = escalation_ladder(clock)
        if step > len(ladder):
            return None
        at, _m = self.add(clock, clock.business, clock.due_at, ladder[step - 1].get("after_breach_minutes", 0))
        return at


def _policy_clocks(engine: ClockEngine, *, order, policy, started_at, kinds) -> None:
    for kind in kinds:
        field = TARGET_FIELDS[kind]
        minutes = getattr(policy, f"{field}_minutes")
        if minutes is None or (kind == ClockKind.ARRIVAL and order.type != "repair"):
            continue
        engine.start(order=order, kind=kind, policy=policy, calendar=policy.calendar,
                     business=getattr(policy, f"{field}_business"), minutes=minutes, started_at=started_at)


def _promise_clock(engine: ClockEngine, *, order, policy, promised_at, now) -> None:
    for old in SlaClock.objects.filter(work_order=order, kind=ClockKind.PROMISE, stopped_at=None):
        engine.stop(old, now, cancelled=True)  # a renegotiated promise replaces the old one
    calendar = policy.calendar if policy else WorkCalendar.objects.filter(always_open=True).first()
    if calendar is None:
        return
    engine.start(order=order, kind=ClockKind.PROMISE, policy=policy, calendar=calendar, business=False,
                 minutes=None, started_at=now, due_at=promised_at)


def clocks_on_event(*, order, event) -> None:
    """Start, pause, resume and stop the order's clocks for one event, in the caller's transaction,
    then store the earliest running due time on the order (`sla_due_at`, for "due soonest").

    Called explicitly by `workorders.services` for every event it records (ARCHITECTURE.md).
    """
    _apply_event(order=order, event=event)
    if event.action in CLOCK_ACTIONS:
        # The callback clock runs after resolution and is tracked in the callback queue; the
        # order's own "due soonest" is about getting the work done.
        due = (SlaClock.objects.filter(work_order=order, stopped_at=None, paused_at=None)
               .exclude(kind=ClockKind.CALLBACK).order_by("due_at").values_list("due_at", flat=True).first())
        type(order).objects.filter(pk=order.pk).update(sla_due_at=due)
        order.sla_due_at = due


# Events that can start, pause, resume or stop a clock (comments only stop first response).
CLOCK_ACTIONS = {"create", "accept", "dispatch", "start", "hold", "resume", "resolve", "cancel", "reopen", "comment"}


def _apply_event(*, order, event) -> None:
    engine = ClockEngine()
    action = event.action
    now = event.created_at
    if action == "create":
        policy = policy_for(order=order)
        if policy is not None:
            _policy_clocks(engine, order=order, policy=policy, started_at=order.received_at,
                           kinds=[ClockKind.FIRST_RESPONSE, ClockKind.DISPATCH, ClockKind.ARRIVAL,
                                  ClockKind.RESOLUTION])
        if order.promised_at:
            _promise_clock(engine, order=order, policy=policy, promised_at=order.promised_at, now=order.received_at)
        return

    # Locked (PostgreSQL) so a sweeper firing a step of one of these clocks at this moment is
    # waited for, not overwritten: pause/resume/stop below write next_step_at.
    live_rows = SlaClock.objects.filter(work_order=order, stopped_at=None).select_related("calendar", "policy")
    if connection.features.has_select_for_update:
        live_rows = live_rows.select_for_update(of=("self",))
    live = {c.kind: c for c in live_rows}
    policy = next((c.policy for c in live.values() if c.policy_id), None)
    if action in RESPONSE_ACTIONS or (action == "comment" and not event.internal):
        if ClockKind.FIRST_RESPONSE in live:
            engine.stop(live.pop(ClockKind.FIRST_RESPONSE), now)
    if action == "dispatch":
        if ClockKind.DISPATCH in live:
            engine.stop(live.pop(ClockKind.DISPATCH), now)
        # The order object still holds the team it had before this event.
        _follow_team_calendar(engine, team_id=event.data.get("team"), live=live, now=now)
        promised = event.data.get("promised_at")
        if promised:
            _promise_clock(engine, order=order, policy=policy or policy_for(order=order),
                           promised_at=datetime.fromisoformat(promised), now=now)
    elif action == "start":
        if ClockKind.ARRIVAL in live:
            engine.stop(live.pop(ClockKind.ARRIVAL), now)
    elif action == "hold":
        reasons = policy.pause_reasons if policy else []
        if event.data.get("waiting_for") in reasons:
            for kind, clock in live.items():
                # The promise is a time the customer was given; waiting does not move it.
                if kind != ClockKind.PROMISE and clock.paused_at is None:
                    engine.pause(clock, now)
    elif action == "resume":
        for clock in live.values():
            if clock.paused_at is not None:
                engine.resume(clock, now)
    elif action == "resolve":
        for kind, clock in live.items():
            # Dispatch/arrival never happened for an order solved on the spot: not applicable.
            engine.stop(clock, now, cancelled=kind in (ClockKind.DISPATCH, ClockKind.ARRIVAL))
        # The customer is called back within the policy's callback target after resolution; the
        # callbacks app stops this clock (callback_clock_stop) when the call is done.
        policy = policy or policy_for(order=order)
        if policy is not None:
            _policy_clocks(engine, order=order, policy=policy, started_at=now, kinds=[ClockKind.CALLBACK])
    elif action == "cancel":
        for clock in live.values():
            engine.stop(clock, now, cancelled=True)
    elif action == "reopen":
        if ClockKind.CALLBACK in live:
            # Reopened (often by the callback itself): a new callback is due after the next resolution.
            engine.stop(live.pop(ClockKind.CALLBACK), now, cancelled=True)
        policy = policy or policy_for(order=order)
        if policy is not None and ClockKind.RESOLUTION not in live:
            _policy_clocks(engine, order=order, policy=policy, started_at=now, kinds=[ClockKind.RESOLUTION])


def callback_clock_stop(*, order, at=None, cancelled: bool = False) -> SlaClock | None:
    """Stop the order's running callback clock (met, or breached if late) when the callback is done
    (the customer reached with an outcome, or given up as unreachable). Returns the clock, or None
    when there is none running. Runs in the caller's transaction.

    `cancelled=True`: no callback is owed after all (a sample rule decides later which orders are
    called back, or a rule says none), so the clock must not breach and escalate."""
    clock = (SlaClock.objects.select_related("calendar", "policy")
             .filter(work_order=order, kind=ClockKind.CALLBACK, stopped_at=None).first())
    if clock is None:
        return None
    ClockEngine().stop(clock, at or timezone.now(), cancelled=cancelled)
    return clock


# --- the sweeper: warnings, breaches and escalation steps ---------------------------------------

def escalation_ladder(clock) -> list[dict]:
    return list(clock.policy.escalation if clock.policy_id else default_escalation())


def _save_steps(clocks: list[SlaClock]) -> None:
    """Write the clocks' new step, step time and breach time in one statement.

    On PostgreSQL an UPDATE … FROM (VALUES …): Django's bulk_update builds a CASE per column
    and row, which cost 300 ms per 200 clocks and was most of the sweep's time.
    """
    if connection.vendor != "postgresql":
        SlaClock.objects.bulk_update(clocks, ["next_step", "next_step_at", "breached_at"])
        return
    rows = ", ".join(["(%s::bigint, %s::integer, %s::timestamptz, %s::timestamptz)"] * len(clocks))
    params = [v for c in clocks for v in (c.pk, c.next_step, c.next_step_at, c.breached_at)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SlaClock._meta.db_table} AS c SET next_step = v.next_step, "  # noqa: S608 (no user input)
            f"next_step_at = v.next_step_at, breached_at = v.breached_at "
            f"FROM (VALUES {rows}) AS v(id, next_step, next_step_at, breached_at) WHERE c.id = v.id", params)


# Ladder options that change the order (each goes through `work_order_escalate`).
STEP_CHANGES = ("raise_priority", "raise_complaint_level", "reassign_to")


def _fire_chunk(*, now, engine: "ClockEngine", size: int) -> list[int]:
    """Fire the due step of up to `size` clocks in the caller's transaction; returns event ids.

    The claim: on PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED, so a second sweeper
    takes *other* due clocks instead of waiting, and re-reads a locked row only after this
    transaction commits (when its step has moved on). On SQLite every write transaction holds the
    database lock from BEGIN IMMEDIATE, so the read below is already exclusive. Either way a step
    is fired once; the unique (clock, step) row on Escalation is the last line of defence.
    Everything else is done in bulk: one query for the orders, one insert for the events, one for
    the escalations, one UPDATE for the clocks.
    """
    from kefu.workorders.services import work_order_escalate, work_order_record_system_events

    rows = SlaClock.objects.filter(stopped_at=None, paused_at=None, next_step_at__lte=now).order_by(
        "next_step_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    clocks = list(rows[:size])
    if not clocks:
        return []
    fired = []  # (clock, step, notify, event data, changes)
    for clock in clocks:
        clock.policy = engine.policy(clock.policy_id)
        clock.calendar = engine.calendar(clock.calendar_id)
        step = clock.next_step
        ladder = escalation_ladder(clock)
        rung = ladder[step - 1] if 1 <= step <= len(ladder) else {}
        notify = "assignee" if step == 0 else rung.get("notify", "supervisor")
        data = {"clock": clock.kind, "step": step, "kind": "warning" if step == 0 else "escalation",
                "notify": notify, "due_at": clock.due_at.isoformat()}
        fired.append((clock, step, notify, data, {k: rung[k] for k in STEP_CHANGES if rung.get(k)}))
        clock.next_step = step + 1
        clock.next_step_at = engine.step_time(clock, step + 1)
        if step >= 1 and clock.breached_at is None:
            clock.breached_at = clock.due_at
    _save_steps(clocks)

    plain = [(c, step, notify, data) for c, step, notify, data, changes in fired if not changes]
    events = work_order_record_system_events(rows=[(c.work_order_id, data) for c, _s, _n, data in plain],
                                             action="escalate", at=now) if plain else []
    escalations = [Escalation(clock=c, step=step, notify_role=notify, fired_at=now, event=event)
                   for (c, step, notify, _d), event in zip(plain, events, strict=True)]
    for clock, step, notify, data, changes in fired:
        if changes:  # rare: the step changes the order, through the work-order service
            event = work_order_escalate(work_order_id=clock.work_order_id, at=now, data=data, **changes)
            escalations.append(Escalation(clock=clock, step=step, notify_role=notify, fired_at=now, event=event))
            if event is not None:
                events.append(event)
    Escalation.objects.bulk_create(escalations)
    return [e.pk for e in events]


def _notify_events(event_ids: list[int]) -> None:
    from kefu.notifications.tasks import notify_work_order_events_task

    notify_work_order_events_task(event_ids)


def sla_sweep(*, now=None, chunk: int = 200, max_chunks: int = 1000) -> int:
    """Fire every due step of every live, unpaused clock; returns how many fired.

    Finds candidates through the partial index on `next_step_at`, one chunk per transaction (a
    commit and one notification task per chunk). Two sweepers share the work, and a sweeper
    restarted after a crash finds its uncommitted chunk due again: each step fires exactly once.
    Firing a step can make the clock's next step due too; the loop runs until nothing is due.
    """
    now = now or timezone.now()
    fired = 0
    engine = ClockEngine()
    for _chunk in range(max_chunks):
        with transaction.atomic():
            event_ids = _fire_chunk(now=now, engine=engine, size=chunk)
            if event_ids:
                transaction.on_commit(lambda ids=event_ids: _notify_events(ids))
        if not event_ids:
            break
        fired += len(event_ids)
    return fired
