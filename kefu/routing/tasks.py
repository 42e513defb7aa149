"""Routing in the background: the intake's request only enqueues the order's id (after commit);
a worker makes the decision and dispatches through the gate. Idempotent: an order no longer new
is left alone."""

from huey.contrib.djhuey import db_task

from kefu.routing.services import route_work_order


@db_task()
def route_work_order_task(work_order_id: int) -> bool:
    return route_work_order(work_order_id=work_order_id) is not None
