"""Writes to work calendars and the holiday table, deadlines moved by a holiday change, the
due-time preview, and the sweeper that fires warnings and escalation steps (it calls the gate).

Clocks started, paused and stopped by work-order events are the gate's hook: `kefu.sla.clocks`."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput
from kefu.sla import business_time
from kefu.sla.choices import HOLIDAY_NAMES_ZH, ClockKind, HolidayKind
from kefu.sla.clocks import ClockEngine, relayout
from kefu.sla.models import (
    Escalation,
    Holiday,
    HolidayYear,
    SlaClock,
    WorkCalendar,
)
from kefu.sla.selectors import escalation_ladder, holidays_changed


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
        name = (row.get("name") or "").strip()
        parsed.append((day, kind, HOLIDAY_NAMES_ZH.get(name, name)[:100]))
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
        if not relayout(engine, clock, reference=reference, used=engine.used(clock, reference)):
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


# --- the sweeper: warnings, breaches and escalation steps ---------------------------------------

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
    Everything else is done in bulk: one query for the orders, one insert for the events (through
    the recorder that runs the order hooks and notifies after commit), one for the escalations,
    one UPDATE for the clocks.
    """
    from kefu.workorders.hooks import work_order_record_events
    from kefu.workorders.models import WorkOrder, WorkOrderEvent
    from kefu.workorders.services import work_order_escalate

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
    statuses = dict(WorkOrder.objects.filter(pk__in={c.work_order_id for c, *_rest in plain})
                    .values_list("pk", "status")) if plain else {}
    events = work_order_record_events(events=[
        WorkOrderEvent(work_order_id=c.work_order_id, action="escalate", actor=None, created_at=now,
                       from_status=statuses[c.work_order_id], to_status=statuses[c.work_order_id], internal=True,
                       data=data) for c, _s, _n, data in plain])
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


def sla_sweep(*, now=None, chunk: int = 200, max_chunks: int = 1000) -> int:
    """Fire every due step of every live, unpaused clock; returns how many fired.

    Finds candidates through the partial index on `next_step_at`, one chunk per transaction (a
    commit and one notification task per chunk, queued by the event recorder). Two sweepers share
    the work, and a sweeper restarted after a crash finds its uncommitted chunk due again: each step
    fires exactly once.
    Firing a step can make the clock's next step due too; the loop runs until nothing is due.
    """
    now = now or timezone.now()
    fired = 0
    engine = ClockEngine()
    for _chunk in range(max_chunks):
        with transaction.atomic():
            event_ids = _fire_chunk(now=now, engine=engine, size=chunk)
        if not event_ids:
            break
        fired += len(event_ids)
    return fired
