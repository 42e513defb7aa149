"""The Django admin of callbacks, through its real views: nothing there edits a record of contact
with a customer, ratings are never deleted, and the deletes that remain (a callback nobody has
worked on, a wrongly drawn sample) run the services, so the order's history, its callback clock
and its report facts (ADR 0008) are right the moment the admin is done."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import DELETION, LogEntry

from kefu.callbacks import services
from kefu.callbacks.models import Callback, CallbackAttempt, RatingLink, SamplingRun
from kefu.callbacks.tests.factories import callback_of, make_resolved, make_rule, resolve
from kefu.core.errors import Conflict, NotAllowed
from kefu.customers.tests.factories import make_customer
from kefu.reports.facts import FLAGS, order_facts_check
from kefu.reports.models import OrderFact
from kefu.sla.models import SlaClock
from kefu.workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLBACKS = "/admin/callbacks/callback/"
RUNS = "/admin/callbacks/samplingrun/"
RATINGS = "/admin/callbacks/ratinglink/"


def _flags(order) -> dict:
    return dict(zip(FLAGS, OrderFact.objects.filter(work_order=order).values_list(*FLAGS).get(), strict=True))


def _no_drift(*orders) -> bool:
    result = order_facts_check(orders=WorkOrder.objects.filter(pk__in=[o.pk for o in orders]))
    return result["missing"] == 0 and result["different"] == 0 and result["checked"] == len(orders)


def _stale(order, **flags) -> None:
    """What a delete behind the services' back would leave: facts that no longer match the records."""
    OrderFact.objects.filter(work_order=order).update(**flags)


def _attempt(callback, user, **kwargs):
    return services.callback_attempt_record(callback=callback, actor_user=user, **kwargs)


def _bulk_delete(client, url, ids):
    return client.post(url, {"action": "delete_selected", "_selected_action": [str(pk) for pk in ids], "post": "yes"})


def _deletions() -> int:
    return LogEntry.objects.filter(action_flag=DELETION).count()


def _reopened_and_resolved_again(cast):
    """An order whose first callback found the customer dissatisfied (reopened), fixed and resolved
    again: one completed callback (the evidence) and a new open one."""
    order = make_resolved(actor=cast["agent"])
    first = callback_of(order)
    _attempt(first, cast["agent"], method="phone", reached=False)
    _attempt(first, cast["agent"], method="phone", reached=True, outcome="dissatisfied", solved=False,
             comment="还是漏水")
    order = resolve(WorkOrder.objects.get(pk=order.pk), cast["agent"])
    return order, Callback.objects.get(pk=first.pk), callback_of(order)


# --- callbacks ----------------------------------------------------------------------------------------

def test_administrator_deletes_an_untouched_callback_through_the_service(client, cast):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    assert SlaClock.objects.get(work_order=order, kind="callback").state == "running"
    _stale(order, callback_completed=True, callback_ended=True)
    events = order.events.count()
    client.force_login(cast["administrator"])

    page = client.get(f"{CALLBACKS}{callback.pk}/delete/")
    assert page.status_code == 200 and not page.context["protected"]
    response = client.post(f"{CALLBACKS}{callback.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302 and response["Location"] == CALLBACKS
    assert not Callback.objects.filter(pk=callback.pk).exists()
    # No callback is owed any more: the clock neither breaches nor escalates.
    assert SlaClock.objects.get(work_order=order, kind="callback").state == "cancelled"
    assert order.events.count() == events + 1
    event = order.events.latest("id")
    assert (event.action, event.actor, event.internal, event.from_status, event.to_status) == (
        "comment", None, True, "resolved", "resolved")
    assert event.body == f"回访 #{callback.pk}（工单办结，待回访）已由 {cast['administrator'].staff.display_name} 删除。"
    assert event.data == {"callback": callback.pk, "callback_deleted": True, "deleted_by": cast["administrator"].pk}
    assert _flags(order) == dict.fromkeys(FLAGS, False)
    assert _no_drift(order)
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(callback.pk)).count() == 1


def test_bulk_delete_keeps_the_completed_callbacks_facts(client, cast):
    order, completed, new = _reopened_and_resolved_again(cast)
    other = make_resolved(actor=cast["agent"], type="repair")
    untouched = callback_of(other)
    expected = {**dict.fromkeys(FLAGS, False), "callback_completed": True, "callback_ended": True}
    assert _flags(order) == expected
    _stale(order, callback_satisfied=True)
    _stale(other, callback_ended=True)
    client.force_login(cast["administrator"])

    response = _bulk_delete(client, CALLBACKS, [new.pk, untouched.pk])

    assert response.status_code == 302
    assert set(Callback.objects.filter(work_order__in=[order, other]).values_list("pk", flat=True)) == {completed.pk}
    assert _flags(order) == expected
    assert _flags(other) == dict.fromkeys(FLAGS, False)
    assert _no_drift(order, other)
    assert WorkOrderEvent.objects.filter(data__callback_deleted=True).count() == 2
    assert _deletions() == 2


def test_a_worked_callback_cannot_be_deleted_and_nothing_changes(client, cast):
    order, completed, _new = _reopened_and_resolved_again(cast)
    facts, events, attempts = _flags(order), order.events.count(), CallbackAttempt.objects.count()
    client.force_login(cast["administrator"])

    assert client.get(f"{CALLBACKS}{completed.pk}/delete/").status_code == 403
    assert client.post(f"{CALLBACKS}{completed.pk}/delete/", {"post": "yes"}).status_code == 403
    # An unreachable one (attempts used up, never reached) is evidence too, and so is an open
    # callback that was tried once.
    unreachable_order = make_resolved(actor=cast["agent"], type="repair")
    unreachable = callback_of(unreachable_order)
    for _ in range(3):
        _attempt(unreachable, cast["agent"], method="phone", reached=False)
    tried_order = make_resolved(actor=cast["agent"], type="repair")
    tried = callback_of(tried_order)
    _attempt(tried, cast["agent"], method="sms", reached=False)
    for pk in (Callback.objects.get(pk=unreachable.pk).pk, tried.pk):
        assert client.post(f"{CALLBACKS}{pk}/delete/", {"post": "yes"}).status_code == 403

    assert Callback.objects.filter(pk__in=[completed.pk, unreachable.pk, tried.pk]).count() == 3
    assert CallbackAttempt.objects.count() == attempts + 4
    assert (_flags(order), order.events.count()) == (facts, events)
    assert _no_drift(order, unreachable_order, tried_order)
    assert _deletions() == 0


def test_bulk_delete_with_a_worked_callback_shows_it_protected_and_deletes_nothing(client, cast):
    order, completed, new = _reopened_and_resolved_again(cast)
    events = WorkOrderEvent.objects.count()
    client.force_login(cast["administrator"])

    response = _bulk_delete(client, CALLBACKS, [completed.pk, new.pk])

    assert response.status_code == 200  # the confirmation page again, with the refusal
    assert response.context["protected"] == [
        f"回访 #{completed.pk}：已有回访记录（尝试或结果）；与客户联系的记录予以保留。"]
    assert Callback.objects.filter(pk__in=[completed.pk, new.pk]).count() == 2
    assert WorkOrderEvent.objects.count() == events
    assert SlaClock.objects.get(work_order=order, kind="callback", stopped_at=None)
    assert _no_drift(order)
    assert _deletions() == 0


def test_other_roles_reach_neither_the_admin_nor_the_service(client, cast):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    client.force_login(cast["supervisor"])  # not staff: the admin's login page
    response = client.post(f"{CALLBACKS}{callback.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    with pytest.raises(NotAllowed):
        services.callbacks_delete(callback_ids=[callback.pk], actor_user=cast["supervisor"])
    assert Callback.objects.filter(pk=callback.pk, status="open").exists()
    assert not WorkOrderEvent.objects.filter(data__callback_deleted=True).exists()
    assert SlaClock.objects.get(work_order=order, kind="callback").state == "running"


def test_the_service_refuses_the_whole_request_when_one_callback_was_worked(cast):
    order, completed, new = _reopened_and_resolved_again(cast)
    with pytest.raises(Conflict) as refused:
        services.callbacks_delete(callback_ids=[new.pk, completed.pk], actor_user=cast["administrator"])
    assert refused.value.code == "callback_worked"
    assert Callback.objects.filter(pk__in=[completed.pk, new.pk]).count() == 2
    assert not WorkOrderEvent.objects.filter(data__callback_deleted=True).exists()


def test_a_superuser_may_delete_a_survey_follow_up_without_an_order(client, superuser, cast):
    customer = make_customer(name="钱七", phones=["13600136000"])
    callback = services.callback_create_follow_up(customer=customer, reason="问卷不满意", source="survey",
                                                  reference="survey:1")
    client.force_login(superuser)
    assert client.post(f"{CALLBACKS}{callback.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Callback.objects.filter(pk=callback.pk).exists()
    assert not WorkOrderEvent.objects.filter(data__callback_deleted=True).exists()


def test_callbacks_are_read_only_in_the_admin(client, cast):
    order = make_resolved(actor=cast["agent"])
    callback = callback_of(order)
    client.force_login(cast["administrator"])
    page = client.get(f"{CALLBACKS}{callback.pk}/change/")
    assert page.status_code == 200
    assert client.post(f"{CALLBACKS}{callback.pk}/change/", {"status": "completed"}).status_code == 403
    assert client.get(f"{CALLBACKS}add/").status_code == 403
    assert Callback.objects.get(pk=callback.pk).status == "open"


def test_the_callback_list_reads_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    for _ in range(8):
        make_resolved(actor=cast["agent"], type="repair")
    client.force_login(cast["administrator"])
    # Session, user, permissions, counts, the page and the admin banners' look-ups: none per row
    # (work order and customer are nullable, so they are joined by list_select_related).
    with django_assert_max_num_queries(14):
        response = client.get(CALLBACKS)
    assert response.status_code == 200 and response.context["cl"].result_count == 8


# --- sampling draws -----------------------------------------------------------------------------------

def _drawn_week(cast, n: int = 4):
    rule = make_rule(name="sample", types=["complaint"], mode="sample", sample_percent=50, onsite_percent=0)
    with time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI), tick=True):
        orders = [make_resolved(actor=cast["agent"]) for _ in range(n)]
    with time_machine.travel(datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI), tick=True):
        run = services.callback_sampling_run(rule=rule, period_start=date(2026, 11, 9))
    return rule, orders, run


def test_administrator_deletes_a_wrongly_drawn_sample_with_its_callbacks(client, cast):
    rule, orders, run = _drawn_week(cast)
    drawn = dict(Callback.objects.filter(sampling_run=run).values_list("pk", "work_order_id"))
    assert len(drawn) == 2
    for order in orders:
        _stale(order, callback_completed=True)
    client.force_login(cast["administrator"])

    page = client.get(f"{RUNS}{run.pk}/delete/")
    assert page.status_code == 200 and not page.context["protected"]
    assert dict(page.context["model_count"])["回访"] == 2
    response = client.post(f"{RUNS}{run.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not SamplingRun.objects.exists()
    assert not Callback.objects.filter(pk__in=drawn).exists()
    events = WorkOrderEvent.objects.filter(data__callback_deleted=True)
    assert sorted(events.values_list("work_order_id", "data__callback", "data__sampling_run")) == sorted(
        (order_id, pk, run.pk) for pk, order_id in drawn.items())
    pk = min(drawn)
    assert events.get(data__callback=pk).body == (
        f"回访 #{pk}（抽样，待回访）已由 {cast['administrator'].staff.display_name} 随 2026-11-09 的抽样一并删除。")
    # Orders outside the sample had stale facts too: only the sample's orders were refreshed.
    for order in orders:
        completed = order.pk not in drawn.values()
        assert _flags(order)["callback_completed"] is completed
    assert _no_drift(*[o for o in orders if o.pk in drawn.values()])
    # The period can be drawn again, and the seed picks the same orders.
    with time_machine.travel(datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI), tick=True):
        again = services.callback_sampling_run(rule=rule, period_start=date(2026, 11, 9))
    assert set(Callback.objects.filter(sampling_run=again).values_list("work_order_id", flat=True)) == set(
        drawn.values())


def test_a_sample_someone_started_calling_cannot_be_deleted(client, cast):
    _rule, _orders, run = _drawn_week(cast)
    first, second = Callback.objects.filter(sampling_run=run).order_by("pk")
    _attempt(second, cast["agent"], method="phone", reached=False)
    events = WorkOrderEvent.objects.count()
    client.force_login(cast["administrator"])

    page = client.get(f"{RUNS}{run.pk}/delete/")
    assert page.status_code == 200
    assert page.context["protected"] == [f"回访 #{second.pk}：已有回访记录（尝试或结果）；与客户联系的记录予以保留。"]
    response = client.post(f"{RUNS}{run.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # shown the refusal again, not deleted
    assert _bulk_delete(client, RUNS, [run.pk]).status_code == 200
    with pytest.raises(Conflict):
        services.sampling_runs_delete(run_ids=[run.pk], actor_user=cast["administrator"])

    assert SamplingRun.objects.filter(pk=run.pk).exists()
    assert Callback.objects.filter(sampling_run=run).count() == 2
    assert WorkOrderEvent.objects.count() == events
    assert _deletions() == 0


# --- ratings --------------------------------------------------------------------------------------------

def test_ratings_are_never_deleted_nor_edited_in_the_admin(client, cast):
    customer = make_customer(name="赵六", phones=["13700137000"])
    order = make_resolved(actor=cast["agent"], type="repair", customer=customer)
    _link, token = services.rating_link_issue(order=order)
    link = services.rating_submit(token=token, speed=5, attitude=5, quality=4)
    links = RatingLink.objects.filter(work_order=order).count()
    client.force_login(cast["administrator"])

    assert client.get(f"{RATINGS}{link.pk}/delete/").status_code == 403
    assert client.post(f"{RATINGS}{link.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{RATINGS}{link.pk}/change/", {"speed": 1}).status_code == 403
    changelist = client.get(RATINGS)
    assert changelist.status_code == 200
    assert "delete_selected" not in dict(changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request))
    assert _bulk_delete(client, RATINGS, [link.pk]).status_code in (200, 302)

    link = RatingLink.objects.get(pk=link.pk)
    assert (link.speed, link.attitude, link.quality) == (5, 5, 4)
    assert RatingLink.objects.filter(work_order=order).count() == links
    assert (_flags(order)["rated"], _flags(order)["rated_low"]) == (True, False)
    assert _deletions() == 0


def test_a_rule_that_made_callbacks_is_deactivated_not_deleted(client, cast):
    order = make_resolved(actor=cast["agent"])
    rule = callback_of(order).rule
    unused = make_rule(name="试用规则")
    client.force_login(cast["administrator"])
    page = client.get(f"/admin/callbacks/callbackrule/{rule.pk}/delete/")
    assert page.status_code == 200 and page.context["protected"]  # listed as what stops the delete
    client.post(f"/admin/callbacks/callbackrule/{rule.pk}/delete/", {"post": "yes"})
    assert callback_of(order).rule_id == rule.pk
    client.post(f"/admin/callbacks/callbackrule/{unused.pk}/delete/", {"post": "yes"})
    assert not type(unused).objects.filter(pk=unused.pk).exists()
