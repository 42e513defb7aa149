"""Callbacks: the gate's hook (ADR 0001) — a callback task and a rating link when an order is
resolved, open callbacks cancelled when it is reopened or cancelled.

Runs in the writer's transaction after the SLA hook (a callback created on "resolve" reads the
callback clock's due time), reads work orders' models and choices, and never calls the gate back.
"""

from django.conf import settings

from kefu.callbacks.choices import CallbackStatus, RuleMode, Source
from kefu.callbacks.models import Callback, RatingLink
from kefu.callbacks.selectors import rule_for
from kefu.callbacks.services import callback_create_for_order, rating_link_issue
from kefu.sla.choices import ClockKind
from kefu.sla.clocks import callback_clock_stop
from kefu.sla.models import SlaClock
from kefu.workorders.choices import Action
from kefu.workorders.hooks import for_actions
from kefu.workorders.models import WorkOrder, WorkOrderEvent


@for_actions(Action.RESOLVE, Action.REOPEN, Action.CANCEL)
def callbacks_on_events(*, events, orders) -> None:
    """The gate's callbacks hook: each resolve, reopen and cancel event of the batch."""
    for event in events:
        _on_event(order=orders[event.work_order_id], event=event)




def _on_event(*, order, event: WorkOrderEvent) -> None:
    """React to one work-order event in the gate's transaction.

    resolve: the first matching rule decides. "all" creates the callback now (due with the
    callback clock); "sample" leaves it to the period's draw and cancels the clock (no callback is
    owed yet); "none" cancels the clock. Without a rule, a running callback clock (the SLA policy
    has a callback target) means a callback is owed, so one is created. A rating link goes out.
    reopen/cancel: open callbacks of the order are cancelled (the next resolution starts a new
    one) and unused rating links expire. close: nothing; a callback may follow the closure.
    """
    action = event.action
    now = event.created_at
    if action == Action.RESOLVE:
        order = WorkOrder.objects.select_related("category", "customer", "intake_department",
                                                 "first_contact_owner__staff").get(pk=order.pk)
        rule = rule_for(order=order)
        mode = rule.mode if rule is not None else None
        if mode == RuleMode.ALL or (mode is None and _has_callback_clock(order)):
            callback_create_for_order(order=order, source=Source.RESOLUTION, now=now, rule=rule)
        elif mode in (RuleMode.SAMPLE, RuleMode.NONE):
            callback_clock_stop(order=order, at=now, cancelled=True)
        if getattr(settings, "KEFU_RATING_LINKS", True):
            rating_link_issue(order=order, now=now)
        return
    Callback.objects.filter(work_order=order, status=CallbackStatus.OPEN).update(
        status=CallbackStatus.CANCELLED, completed_at=now)
    RatingLink.objects.filter(work_order=order, used_at=None, expires_at__gt=now).update(expires_at=now)


def _has_callback_clock(order) -> bool:
    return SlaClock.objects.filter(work_order=order, kind=ClockKind.CALLBACK, stopped_at=None).exists()
