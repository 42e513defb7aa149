"""The services that own OrderFact, the per-order report facts (ADR 0008).

A fact row is a function of the records: the order's own columns, and flags computed with the
definitions of kefu.reports.metrics (repeat complaint, callbacks, ratings). `order_facts_refresh`
recomputes the rows of some orders from the records in one SELECT and one upsert, in the caller's
transaction, so a figure read after a change already counts it. It is called by every writer of
what a fact holds, in one place: `order_facts_on_events`, the last of the hooks that follow every
recorded order event (`kefu.workorders.hooks`) — transitions, escalations that change the order,
customer merges, contact erasures, callbacks ended (`callback_completed`), ratings received
(`rating_received`). Bulk loaders (the demo generator, `report_facts --rebuild`) call
`order_facts_refresh`/`order_facts_rebuild` themselves.

A complaint's repeat flag depends on the other complaints of its customer and unit, so creating,
cancelling or moving a complaint refreshes the later complaints that may count it
(`repeat_neighbours`). `order_facts_check` recomputes and compares (the nightly task repairs any
drift and logs it); `order_facts_rebuild` fills the table in batches (migration, upgrades).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from kefu.reports import metrics
from kefu.reports.models import OrderFact
from kefu.workorders.choices import Status, WorkOrderType
from kefu.workorders.models import WorkOrder

log = logging.getLogger(__name__)

# Copied as they are from the work order (same column names, so visibility_q and Scope.q apply).
MIRRORED = ("received_at", "resolved_at", "updated_at", "type", "channel", "status", "reopen_count", "complaint_level",
            "category_id", "site_id", "team_id", "intake_department_id", "assignee_id", "first_contact_owner_id")
FLAGS = ("repeat_complaint", "callback_completed", "callback_ended", "callback_satisfied", "rated", "rated_low")
BATCH = 5000
REFRESH_CHUNK = 500
# pg_advisory_xact_lock(class, key): the class keeps these keys apart from any other advisory lock.
FACTS_LOCK_CLASS = 0x4B46  # "KF"


def _flag_conditions() -> dict[str, Q]:
    """Each flag as a condition on WorkOrder: the metrics definitions themselves, so a fact flag
    and the drill-down list of its figure are the same set of orders."""
    # The conditions below depend on neither the period nor the time of reading.
    period, now = metrics.Period(dt.date(2000, 1, 1), dt.date(2000, 1, 1)), None
    conditions = {"repeat_complaint": metrics.condition_q("repeat_complaint", period, now)}
    if metrics.callbacks_installed():
        for name in ("callback_completed", "callback_ended", "callback_satisfied", "rated"):
            conditions[name] = metrics.condition_q(name, period, now)
        conditions["rated_low"] = Q(metrics.ratings_below())
    return conditions


def _computed(orders: QuerySet[WorkOrder]) -> QuerySet:
    """(pk, *MIRRORED, *FLAGS) of `orders`, computed from the records."""
    conditions = _flag_conditions()
    flags = {f"fact_{name}": Case(When(conditions[name], then=Value(True)), default=Value(False),
                                  output_field=BooleanField()) if name in conditions else Value(False)
             for name in FLAGS}
    return orders.order_by().annotate(**flags).values_list("pk", *MIRRORED, *flags)


def _write(orders: QuerySet[WorkOrder]) -> int:
    """INSERT … SELECT … ON CONFLICT DO UPDATE: the facts of `orders` are computed and written by
    the database in one statement (PostgreSQL and SQLite ≥ 3.24), nothing travels through Python.
    `orders` must be filtered (SQLite reads a bare "SELECT … FROM t ON CONFLICT" as a join)."""
    sql, params = _computed(orders).query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ["work_order_id", *MIRRORED, *FLAGS]
    updates = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(OrderFact._meta.db_table)} ({', '.join(qn(c) for c in columns)}) {sql} "
                       f"ON CONFLICT ({qn('work_order_id')}) DO UPDATE SET {updates}", params)
        return cursor.rowcount


def repeat_neighbours(order_ids: Iterable[int]) -> set[int]:
    """Complaints whose repeat flag may change with these orders: later complaints (within the
    repeat window) of the same customer or unit and category, which may count them as their
    earlier complaint."""
    window = dt.timedelta(days=metrics.REPEAT_WINDOW_DAYS)
    rows = list(WorkOrder.objects.filter(pk__in=list(order_ids), type=WorkOrderType.COMPLAINT).values_list(
        "customer_id", "asset_id", "category_id", "received_at"))
    found: set[int] = set()
    # A few hundred OR branches per query: SQLite refuses expression trees deeper than 1,000.
    for start in range(0, len(rows), 200):
        q = Q()
        for customer_id, asset_id, category_id, received_at in rows[start:start + 200]:
            later = Q(category_id=category_id, received_at__gt=received_at, received_at__lte=received_at + window)
            if customer_id:
                q |= later & Q(customer_id=customer_id)
            if asset_id:
                q |= later & Q(asset_id=asset_id)
        if q:
            found.update(WorkOrder.objects.filter(q, type=WorkOrderType.COMPLAINT).values_list("pk", flat=True))
    return found


def _lock(ids: list[int]) -> None:
    """Serialise the refreshes of an order's facts until the end of the transaction (PostgreSQL).

    Two writers of the same order that are not otherwise serialised (a callback ending while the
    customer submits a rating) would each compute the facts from a snapshot without the other's
    change, and the second upsert would undo the first one's flag. Taking this lock before
    computing makes the second wait for the first to commit, and its SELECT then sees it.
    Taken last in every writer (after the rows it changes), in id order."""
    if connection.vendor != "postgresql":
        return  # SQLite runs one write transaction at a time
    with connection.cursor() as cursor:
        for pk in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FACTS_LOCK_CLASS, pk % 2147483647])


def order_facts_refresh(*, order_ids: Iterable[int], neighbours: bool = False) -> int:
    """Recompute the facts of these orders (and, with `neighbours`, of the complaints whose repeat
    flag they may change) from the records, in the caller's transaction. Returns the number of
    rows written."""
    ids = {pk for pk in order_ids if pk}
    if neighbours:
        ids |= repeat_neighbours(ids)
    if not ids:
        return 0
    ordered = sorted(ids)
    written = 0
    with transaction.atomic(savepoint=False):
        # Chunks keep each statement's parameter list short, however many orders a writer touched.
        for start in range(0, len(ordered), REFRESH_CHUNK):
            chunk = ordered[start:start + REFRESH_CHUNK]
            _lock(chunk)
            written += _write(WorkOrder.objects.filter(pk__in=chunk))
    return written


# The actions that can change another complaint's repeat flag: a complaint appears (possibly
# received earlier than others, e.g. a letter logged late) or leaves the count (cancelled).
_NEIGHBOUR_ACTIONS = {"create", "cancel"}


# Events that change no column of the order nor any callback or rating: a comment or an
# attachment writes only its own rows (the gate does not even bump the order's version)...
_NO_FACT_ACTIONS = {"comment", "attach"}
# ...except the comments that record such a change made by the system: a customer merge moved the
# order (and may change repeat flags on both customers' complaints), a contact was erased (its
# `updated_at` moved), a callback was deleted.
_FACT_COMMENT_KEYS = ("customer_relinked", "erased", "callback_deleted")


def order_facts_on_events(*, events, orders) -> None:
    """The gate's last hook (ADR 0001, ADR 0008): recompute the facts of the batch's orders after
    the SLA and callback hooks wrote what the facts read — one refresh for the whole batch (two
    when some events may change other complaints' repeat flags)."""
    plain: set[int] = set()
    wide: set[int] = set()
    for event in events:
        data = event.data or {}
        if event.action in _NO_FACT_ACTIONS and not any(key in data for key in _FACT_COMMENT_KEYS):
            continue
        if event.action == "escalate" and not data.get("changes"):
            continue  # a warning, or a step that found nothing to change
        order = orders[event.work_order_id]
        if "customer_relinked" in data or (order.type == WorkOrderType.COMPLAINT and (
                event.action in _NEIGHBOUR_ACTIONS or Status.CANCELLED in (event.from_status, event.to_status))):
            wide.add(order.pk)
        else:
            plain.add(order.pk)
    if wide:
        order_facts_refresh(order_ids=wide, neighbours=True)
    if plain - wide:
        order_facts_refresh(order_ids=plain - wide)


def order_facts_rebuild(*, orders: QuerySet[WorkOrder] | None = None, batch: int = BATCH) -> int:
    """Recompute the facts of `orders` (default: all) in primary-key batches, one transaction each
    (a deleted order's facts go with it: the key cascades). Returns the number of rows written."""
    orders = WorkOrder.objects.all() if orders is None else orders
    written, last = 0, 0
    while True:
        ids = list(orders.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            written += _write(WorkOrder.objects.filter(pk__in=ids))
        last = ids[-1]
    return written


def order_facts_check(*, orders: QuerySet[WorkOrder] | None = None, repair: bool = False,
                      batch: int = BATCH) -> dict:
    """Compare the stored facts of `orders` (default: all) with the records.

    Returns {"checked", "missing", "different", "order_ids"} (ids: up to 100 of the orders whose
    facts were missing or different); with `repair`, rewrites those rows."""
    orders = WorkOrder.objects.all() if orders is None else orders
    fields = ["work_order_id", *MIRRORED, *FLAGS]
    checked, missing, different, last = 0, 0, 0, 0
    bad: list[int] = []
    while True:
        ids = list(orders.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        last = ids[-1]
        expected = {row[0]: row for row in _computed(WorkOrder.objects.filter(pk__in=ids))}
        stored = {row[0]: row for row in OrderFact.objects.filter(work_order_id__in=ids).values_list(*fields)}
        wrong = []
        for pk, row in expected.items():
            if pk not in stored:
                missing += 1
                wrong.append(pk)
            elif tuple(stored[pk]) != tuple(row):
                different += 1
                wrong.append(pk)
        checked += len(expected)
        bad.extend(wrong[:100 - len(bad)])
        if repair and wrong:
            order_facts_refresh(order_ids=wrong)
    return {"checked": checked, "missing": missing, "different": different, "order_ids": bad}


def order_facts_check_recent(*, days: int = 40, now=None) -> dict:
    """The nightly check: orders received or resolved in the last `days` days (what this month's
    and last month's reports read) are compared with the records, and any drift is repaired and
    logged. A writer that forgot to refresh shows up here before it shows up in a report."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    result = order_facts_check(orders=WorkOrder.objects.filter(Q(received_at__gte=since) | Q(resolved_at__gte=since)),
                               repair=True)
    if result["missing"] or result["different"]:
        log.warning("report facts drifted: %(missing)s missing, %(different)s different (repaired); orders %(ids)s",
                    {**result, "ids": result["order_ids"][:20]})
    return result
