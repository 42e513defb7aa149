"""The one way a work-order event is written, and the declared hooks that follow every event.

Every order event — a transition through the gate, an intake, an attachment, an escalation step,
a customer merge, a contact erasure, a callback completed, a rating received, a system note — is
inserted by `work_order_record_event(s)`, which then, in the writer's transaction, calls each hook
of `settings.KEFU_WORK_ORDER_HOOKS` in the order listed (ADR 0001):

    kefu.sla.clocks.clocks_on_events            start / pause / stop the SLA clocks, order.sla_due_at
    kefu.callbacks.hooks.callbacks_on_events    a callback task and rating link on resolve …
    kefu.reports.facts.order_facts_on_events    the per-order report facts (reads what the above wrote)
    …                                           (later apps append theirs: search index …)

and after commit each callable of `settings.KEFU_WORK_ORDER_ON_COMMIT` with the ids of the events
to notify about (notifications). Plain calls, not signals: the order is fixed, a failing hook
fails the write, and nothing runs twice. A hook is `hook(*, events, orders)`: the batch's events
(only those whose action is in `hook.actions`, when the hook declares it) and a mapping from order
id to the order as the writer holds it (loaded on demand for batch writers). Hooks read work
orders' models and choices and never call the gate back.

A hook that changes a column of the order itself (the SLA hook's `sla_due_at`) does not write
it: it calls `order_row_update(order, column=value)`, and the writer applies every hook's columns
in one UPDATE per order after the hooks — or, when the writer passes its own `RowUpdates`
(intake), together with its own last UPDATE of the row (the number), so an intake updates its
new row once.

The list lives in settings because the hooks belong to apps on higher floors than work orders:
the gate names no app above it (`docs/architecture.md`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.utils.module_loading import import_string

from kefu.workorders.models import WorkOrder, WorkOrderEvent

Hook = Callable[..., None]
H = TypeVar("H", bound=Callable[..., None])


def for_actions(*actions: str) -> Callable[[H], H]:
    """Declare that a hook wants only the events of these actions (`hook.actions`)."""
    def declare(hook: H) -> H:
        setattr(hook, "actions", frozenset(actions))  # noqa: B010  # an attribute functions do not declare
        return hook
    return declare

_loaded: dict[str, list[Any]] = {}


def _callables(setting: str) -> list[Any]:
    if setting not in _loaded:
        _loaded[setting] = [import_string(path) for path in getattr(settings, setting)]
    return _loaded[setting]


def _forget(*, setting: str, **kwargs: Any) -> None:
    _loaded.pop(setting, None)  # a test that overrides the list gets its own


setting_changed.connect(_forget, dispatch_uid="kefu.workorders.hooks")


def hooks() -> list[Hook]:
    """The declared hooks, in order (imported once per process)."""
    return _callables("KEFU_WORK_ORDER_HOOKS")


class OrderMap(Mapping[int, WorkOrder]):
    """The orders of a batch by id: those the writer passed, the others read in one query when a
    hook first asks for them."""

    def __init__(self, known: Mapping[int, WorkOrder], ids: Iterable[int]):
        self._orders = dict(known)
        self._ids = set(ids)

    def __getitem__(self, pk: int) -> WorkOrder:
        if pk not in self._orders:
            missing = self._ids - set(self._orders)
            self._orders.update(WorkOrder.objects.in_bulk(missing))
        return self._orders[pk]

    def given(self, pk: int) -> WorkOrder | None:
        """The order as the writer passed it (None: not passed; never loads)."""
        return self._orders.get(pk)

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class RowUpdates:
    """Column updates of work-order rows collected from the hooks, applied in one UPDATE per
    order (`apply`). The values are set on the order objects at once, so a later hook and the
    answer see them; the row itself changes when the writer applies them, in its transaction."""

    def __init__(self) -> None:
        self.columns: dict[int, dict[str, Any]] = {}

    def add(self, order_id: int, **columns: Any) -> None:
        self.columns.setdefault(order_id, {}).update(columns)

    def apply(self) -> None:
        for order_id, columns in self.columns.items():
            if columns:
                WorkOrder.objects.filter(pk=order_id).update(**columns)
        self.columns.clear()


_row_updates: ContextVar[RowUpdates | None] = ContextVar("kefu_work_order_row_updates", default=None)


def order_row_update(order: WorkOrder, **columns: Any) -> None:
    """A hook's change of the order's own row (e.g. `sla_due_at`): set on the object now, written
    by the event writer with the other hooks' columns in one UPDATE; outside a writer (a hook
    called on its own, as the demo loader does) written at once."""
    for name, value in columns.items():
        setattr(order, name, value)
    updates = _row_updates.get()
    if updates is None:
        WorkOrder.objects.filter(pk=order.pk).update(**columns)
    else:
        updates.add(order.pk, **columns)


def work_order_record_events(*, events: Sequence[WorkOrderEvent], orders: Mapping[int, WorkOrder] | None = None,
                             notify: bool = True, row_updates: RowUpdates | None = None) -> list[WorkOrderEvent]:
    """Insert these (unsaved) events — one statement — and run the hooks over them, in the
    caller's transaction; with `notify`, the notification callables get their ids after commit.
    The caller holds the orders' row locks (the gate does) or writes rows no one else writes.

    The hooks' changes of the order rows are applied after the hooks, one UPDATE per order;
    a writer that passes `row_updates` applies them itself (with its own last UPDATE)."""
    events = list(events)
    if not events:
        return []
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        events = WorkOrderEvent.objects.bulk_create(events)
    order_map = OrderMap(orders or {}, {event.work_order_id for event in events})
    updates = row_updates if row_updates is not None else RowUpdates()
    token = _row_updates.set(updates)
    try:
        for hook in hooks():
            actions = getattr(hook, "actions", None)
            selected = events if actions is None else [e for e in events if e.action in actions]
            if selected:
                hook(events=selected, orders=order_map)
    finally:
        _row_updates.reset(token)
    if row_updates is None:
        updates.apply()
    if notify:
        ids = [event.pk for event in events]
        for callback in _callables("KEFU_WORK_ORDER_ON_COMMIT"):
            transaction.on_commit(_notifier(callback, ids))
    return events


def _notifier(callback: Callable[[list[int]], object], ids: list[int]) -> Callable[[], None]:
    def notify() -> None:
        callback(ids)
    return notify


def work_order_record_event(*, order: WorkOrder, action: str, at: datetime, actor_user: Any = None,
                            from_status: str | None = None, to_status: str | None = None, body: str = "",
                            internal: bool = False, data: dict[str, Any] | None = None,
                            notify: bool = True, row_updates: RowUpdates | None = None) -> WorkOrderEvent:
    """Record one event on `order` (statuses default to the order's current one: a note that
    changes nothing) and run the hooks. Without `actor_user` the system acted."""
    status = order.status
    event = WorkOrderEvent(
        work_order=order, action=action, actor=actor_user, created_at=at,
        from_status=status if from_status is None else from_status,
        to_status=status if to_status is None else to_status,
        body=body, internal=internal, data=data or {})
    work_order_record_events(events=[event], orders={order.pk: order}, notify=notify, row_updates=row_updates)
    return event
