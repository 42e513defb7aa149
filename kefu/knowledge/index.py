"""Keeping the work-order search index: one row per order, written in the writer's transaction.

`search_index_on_events(events=…, orders=…)` is a work-order event hook (a plain call inside the
gate's transaction, like the SLA clocks): after any event that can change the searchable text it
rewrites the orders' rows from the database (so they hold what the transaction wrote). A customer's
rename reaches their orders through `search_index_refresh_customers`. `search_index_rebuild`
(the management command of the same name) fills the table in bulk.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from kefu.customers.phones import normalize_phone
from kefu.knowledge import backends
from kefu.knowledge.models import WorkOrderSearch
from kefu.knowledge.text import FIELD_SEPARATOR, normalise, text_grams
from kefu.workorders.choices import Action
from kefu.workorders.models import WorkOrder, WorkOrderEvent

# Events that change nothing the index holds (title, description, resolution, contact, customer,
# unit, comments). Any other event — including actions added later — rewrites the row.
_UNCHANGED_BY = frozenset({
    Action.ACCEPT, Action.DISPATCH, Action.START, Action.HOLD, Action.RESUME, Action.CLOSE, Action.CANCEL,
    Action.ESCALATE, Action.SUBMIT_PLAN, Action.APPROVE_PLAN, Action.REJECT_PLAN, Action.ATTACH,
    Action.CALLBACK_COMPLETED, Action.RATING_RECEIVED,
})
_ORDER_COLUMNS = ("pk", "title", "description", "resolution", "contact_name", "contact_phone",
                  "customer__name", "asset__code")
CHUNK = 2000


def _phone_key(raw: str) -> str:
    digits = "".join(c for c in normalize_phone(raw) if c.isdigit())
    return digits[::-1][:40]


def _rows(order_ids: list[int], now) -> list[WorkOrderSearch]:
    comments: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for order_id, body, internal in (WorkOrderEvent.objects.filter(work_order_id__in=order_ids, action=Action.COMMENT)
                                     .exclude(body="").order_by("id")
                                     .values_list("work_order_id", "body", "internal")):
        comments[order_id].append((body, internal))
    rows = []
    for values in WorkOrder.objects.filter(pk__in=order_ids).order_by().values(*_ORDER_COLUMNS):
        rows.append(build_row(values, comments.get(values["pk"], ()), now))
    return rows


def build_row(values: dict, comments: Iterable[tuple[str, bool]], now) -> WorkOrderSearch:
    """The index row of one order from its column values and its (body, internal) comments."""
    title = normalise(values["title"])
    public = [title] + [normalise(values[k]) for k in ("description", "resolution", "contact_name",
                                                       "customer__name", "asset__code")]
    internal: list[str] = []
    for body, is_internal in comments:
        (internal if is_internal else public).append(normalise(body))
    public = [s for s in public if s]
    return WorkOrderSearch(
        work_order_id=values["pk"], title=title, text=FIELD_SEPARATOR.join(public),
        internal_text=FIELD_SEPARATOR.join(internal), grams=(text_grams(public), text_grams(internal)),
        phone_reversed=_phone_key(values["contact_phone"]), indexed_at=now)


def _upsert(rows: list[WorkOrderSearch]) -> None:
    if rows:
        WorkOrderSearch.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["work_order"],
            update_fields=["title", "text", "internal_text", "grams", "phone_reversed", "indexed_at"])


def search_index_refresh(*, order_ids: Iterable[int]) -> int:
    """Rewrite the index rows of these orders from the database (in the caller's transaction)."""
    ids = sorted(set(order_ids))
    now = timezone.now()
    for start in range(0, len(ids), CHUNK):
        _upsert(_rows(ids[start:start + CHUNK], now))
    return len(ids)


def _as_written(order: WorkOrder) -> dict:
    """An order's indexed columns from the object its intake just inserted (the values of
    `_ORDER_COLUMNS`, as `.values()` would read them back)."""
    values = {column: getattr(order, column) for column in _ORDER_COLUMNS if "__" not in column}
    values["customer__name"] = order.customer.name if order.customer is not None else None
    values["asset__code"] = order.asset.code if order.asset is not None else None
    return values


def search_index_on_events(*, events, orders=None) -> None:
    """Work-order event hook (settings.KEFU_WORK_ORDER_HOOKS): the index rows of the orders these
    events touched follow them, in the writer's transaction, read back from the database (so they
    hold what the transaction wrote). Events that change no indexed text are skipped.

    A new order the writer passed in (an intake) is indexed from that object: it holds exactly
    what was inserted, and a new order has no comments yet — no need to read either back."""
    ids = {event.work_order_id for event in events if event.action not in _UNCHANGED_BY}
    given = getattr(orders, "given", None) or (orders.get if isinstance(orders, dict) else None)
    # Only an order whose one event in this batch is its creation (nothing else written to it yet).
    per_order = Counter(event.work_order_id for event in events)
    created = {event.work_order_id for event in events
               if event.action == Action.CREATE and per_order[event.work_order_id] == 1} if given else set()
    now = timezone.now()
    new_rows = []
    for order_id in sorted(created):
        order = given(order_id) if given is not None else None
        if order is not None:
            new_rows.append(build_row(_as_written(order), (), now))
            ids.discard(order_id)
    _upsert(new_rows)
    if ids:
        search_index_refresh(order_ids=ids)


def search_index_refresh_customers(*, customer_ids: Iterable[int]) -> int:
    """After customers are renamed (or erased): their orders' rows carry the new name."""
    ids = list(WorkOrder.objects.filter(customer_id__in=list(customer_ids)).values_list("pk", flat=True))
    return search_index_refresh(order_ids=ids)


def search_index_rebuild(*, chunk: int = CHUNK, progress=None) -> dict:
    """Index every order (idempotent). An empty index on PostgreSQL is filled without its GIN
    index, which is built once at the end (much faster than maintaining it row by row).
    Returns counts, seconds and sizes."""
    started = time.monotonic()
    # (Not inside a caller's transaction: PostgreSQL cannot create an index on a table with
    # pending deferred-constraint checks, and the caller's work would hold the locks meanwhile.)
    bulk = (connection.vendor == "postgresql" and not connection.in_atomic_block
            and not WorkOrderSearch.objects.exists())
    if bulk:
        with connection.cursor() as cursor:
            for sql in backends.PG_SCHEMA_DROP:
                cursor.execute(sql)
    done, last = 0, 0
    try:
        while True:
            ids = list(WorkOrder.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            with transaction.atomic():
                _upsert(_rows(ids, timezone.now()))
            done, last = done + len(ids), ids[-1]
            if progress:
                progress(done)
    finally:
        load_seconds = time.monotonic() - started
        if bulk:  # the GIN index comes back even when the load was interrupted
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for sql in backends.PG_SCHEMA:
                    cursor.execute(sql)
                cursor.execute(f"ANALYZE {backends.TABLE}")
    # Rows of orders deleted meanwhile go with their orders (CASCADE); nothing else to remove.
    return {"orders": done, "load_seconds": round(load_seconds, 1),
            "seconds": round(time.monotonic() - started, 1), "sizes": backends.index_size_bytes()}
