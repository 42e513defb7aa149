"""The per-order report facts (ADR 0008) follow every writer: the gate, escalation, customer
merge, callbacks and ratings, the demo generator; drift is found and repaired; the migration fills
them; two writers of one order at once lose nothing (PostgreSQL)."""

import datetime as dt
import importlib
import threading
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

from kefu.callbacks.models import Callback
from kefu.callbacks.services import callback_attempt_record, rating_link_issue, rating_submit
from kefu.customers.tests.factories import make_asset, make_customer
from kefu.reports.facts import FLAGS, MIRRORED, order_facts_check, order_facts_rebuild, order_facts_refresh
from kefu.reports.models import OrderFact
from kefu.reports.tests.fixtures import NOW, SH, build_month
from kefu.workorders.models import WorkOrder
from kefu.workorders.services import work_order_escalate, work_order_transition, work_orders_relink_customer
from kefu.workorders.tests.factories import category_for, make_work_order

IS_POSTGRES = connection.vendor == "postgresql"


def fact(order):
    return OrderFact.objects.get(work_order_id=order.pk)


def assert_in_sync(n):
    result = order_facts_check()
    assert result == {"checked": n, "missing": 0, "different": 0, "order_ids": []}


@pytest.fixture
def month(cast, org):
    with time_machine.travel(NOW, tick=False):
        return build_month(cast, org)


def test_the_fixture_month_facts_equal_the_records(month, org):
    o = month["orders"]
    assert_in_sync(9)
    a1, a2, a4, a5, a7 = (fact(o[k]) for k in ("A1", "A2", "A4", "A5", "A7"))
    assert (a1.repeat_complaint, a2.repeat_complaint) == (False, True)
    assert (a1.callback_completed, a1.callback_ended, a1.callback_satisfied, a1.rated, a1.rated_low) == (
        True, True, True, True, False)
    # A2: callback neutral (completed, not satisfied); rating 3/3/3 (below 4 on average)
    assert (a2.callback_completed, a2.callback_satisfied, a2.rated, a2.rated_low) == (True, False, True, True)
    # A4: three unreachable attempts: ended, not completed
    assert (a4.callback_completed, a4.callback_ended) == (False, True)
    assert (a5.reopen_count, a5.status, a5.team_id) == (1, "resolved", org["mep"].pk)
    assert a7.status == "cancelled"
    assert fact(o["A1"]).received_at == dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


def _complaint(agent, customer, category, when, **kwargs):
    with time_machine.travel(when, tick=False):
        return make_work_order(actor=agent, type="complaint", customer=customer, category=category,
                               received_at=when, **kwargs)


def test_cancelling_or_logging_late_an_earlier_complaint_changes_the_later_ones_repeat_flag(cast):
    agent, supervisor = cast["agent"], cast["supervisor"]
    customer, category = make_customer(name="王五"), category_for("complaint")
    day = dt.datetime(2026, 5, 1, 10, 0, tzinfo=SH)
    first = _complaint(agent, customer, category, day)
    second = _complaint(agent, customer, category, day + dt.timedelta(days=10))
    assert (fact(first).repeat_complaint, fact(second).repeat_complaint) == (False, True)

    with time_machine.travel(day + dt.timedelta(days=11), tick=False):
        work_order_transition(work_order=first, action="cancel", actor_user=supervisor, reason="重复登记")
    assert fact(second).repeat_complaint is False  # its only earlier complaint is cancelled

    # a letter received on day 3, logged on day 12: the day-10 complaint repeats it
    with time_machine.travel(day + dt.timedelta(days=12), tick=False):
        late = make_work_order(actor=agent, type="complaint", customer=customer, category=category,
                               received_at=day + dt.timedelta(days=3), channel="letter")
    assert (fact(late).repeat_complaint, fact(second).repeat_complaint) == (False, True)
    assert_in_sync(3)


def test_a_customer_merge_makes_the_moved_complaints_count_as_repeats(cast):
    agent = cast["agent"]
    category = category_for("complaint")
    kept, merged = make_customer(name="赵六"), make_customer(name="赵六（重复档案）")
    day = dt.datetime(2026, 5, 1, 10, 0, tzinfo=SH)
    earlier = _complaint(agent, kept, category, day)
    later = _complaint(agent, merged, category, day + dt.timedelta(days=5))
    assert fact(later).repeat_complaint is False
    assert work_orders_relink_customer(from_customer=merged, to_customer=kept, actor_user=cast["administrator"]) == 1
    assert (fact(earlier).repeat_complaint, fact(later).repeat_complaint) == (False, True)
    assert_in_sync(2)


def test_a_repeat_by_unit_and_a_complaint_of_another_category_is_not(cast):
    agent = cast["agent"]
    unit = make_asset()
    category = category_for("complaint")
    day = dt.datetime(2026, 5, 1, 10, 0, tzinfo=SH)
    first = _complaint(agent, None, category, day, asset=unit)
    second = _complaint(agent, make_customer(name="孙七"), category, day + dt.timedelta(days=29), asset=unit)
    outside = _complaint(agent, None, category, day + dt.timedelta(days=61), asset=unit)
    assert [fact(o).repeat_complaint for o in (first, second, outside)] == [False, True, False]
    assert_in_sync(3)


def test_an_escalation_that_moves_the_order_moves_its_facts(cast, org):
    order = make_work_order(actor=cast["agent"], type="complaint", complaint_level=1)
    with transaction.atomic():
        work_order_escalate(work_order_id=order.pk, at=order.received_at, data={"step": 1},
                            raise_complaint_level=True, reassign_to=org["mep"].code)
    row = fact(order)
    assert (row.team_id, row.assignee_id, row.complaint_level) == (org["mep"].pk, None, 2)
    assert_in_sync(1)


def test_drift_is_found_reported_and_repaired_and_check_alone_writes_nothing(month, capsys):
    o = month["orders"]
    OrderFact.objects.filter(work_order_id=o["A1"].pk).update(rated=False)
    OrderFact.objects.filter(work_order_id=o["A2"].pk).delete()
    expected = {"checked": 9, "missing": 1, "different": 1, "order_ids": sorted([o["A1"].pk, o["A2"].pk])}
    result = order_facts_check()
    assert {**result, "order_ids": sorted(result["order_ids"])} == expected

    with pytest.raises(SystemExit) as exit_:
        call_command("report_facts", "--check")
    assert exit_.value.code == 1
    assert "9 checked, 1 missing, 1 different" in capsys.readouterr().out
    # checking is read-only
    assert fact(o["A1"]).rated is False and not OrderFact.objects.filter(work_order_id=o["A2"].pk).exists()

    call_command("report_facts", "--check", "--repair")
    assert "9 checked, 1 missing, 1 different (repaired)" in capsys.readouterr().out
    assert fact(o["A1"]).rated is True and fact(o["A2"]).repeat_complaint is True
    assert_in_sync(9)


def test_rebuild_and_the_migration_fill_give_the_same_rows(month):
    stored = sorted(OrderFact.objects.values_list("work_order_id", *_field_names()))
    OrderFact.objects.all().delete()
    assert order_facts_rebuild(batch=4) == 9
    assert sorted(OrderFact.objects.values_list("work_order_id", *_field_names())) == stored

    OrderFact.objects.all().delete()
    migration = importlib.import_module("kefu.reports.migrations.0004_fill_order_facts")
    migration.fill(apps, SimpleNamespace(connection=connection))
    assert sorted(OrderFact.objects.values_list("work_order_id", *_field_names())) == stored


def _field_names():
    return [name.removesuffix("_id") if name.endswith("_id") else name for name in MIRRORED] + list(FLAGS)


def test_refresh_of_nothing_writes_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert order_facts_refresh(order_ids=[]) == 0
        assert order_facts_refresh(order_ids=[None]) == 0


def test_the_demo_generator_writes_facts_for_its_bulk_orders(db):
    from kefu.workspace.demo import create_demo_org, generate_work_orders

    create_demo_org(customers=30)
    assert generate_work_orders(count=400, days=20) == 400
    assert_in_sync(400)
    assert OrderFact.objects.filter(repeat_complaint=True).count() == WorkOrder.objects.filter(
        _repeat_q()).count() > 0


def _repeat_q():
    from kefu.reports import metrics

    return metrics.condition_q("repeat_complaint", metrics.Period(dt.date(2026, 1, 1), dt.date(2026, 1, 1)), None)


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_POSTGRES, reason="two writers at once need PostgreSQL's row and advisory locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rating_and_a_callback_ending_at_once_both_reach_the_facts(cast):
    """The rating's transaction is held open; the callback must wait for it and then see the
    rating. Without a lock it would compute `rated = false` from its snapshot and overwrite the
    rating's row once the rating commits. Both take the order's row first (ADR 0002), so the
    callback waits there, before any of its writes."""
    agent = cast["agent"]
    order = make_work_order(actor=agent, type="complaint", customer=make_customer(name="周八"))
    work_order_transition(work_order=order, action="accept", actor_user=agent)
    work_order_transition(work_order=order, action="resolve", actor_user=agent, resolution="已处理")
    task = Callback.objects.get(work_order=order, status="open")
    _link, token = rating_link_issue(order=order)
    rated, release, errors = threading.Event(), threading.Event(), []

    def rate():
        try:
            with transaction.atomic():
                rating_submit(token=token, speed=5, attitude=5, quality=5)
                rated.set()
                release.wait(10)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    def call_back():
        try:
            rated.wait(10)
            callback_attempt_record(callback=task.pk, actor_user=agent, method="phone", reached=True,
                                    outcome="satisfied", solved=True)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate), threading.Thread(target=call_back)]
    for t in threads:
        t.start()
    assert rated.wait(10)
    waiting = 0
    with connection.cursor() as cursor:
        for _ in range(200):  # until the callback waits for the rating's transaction (the order's row)
            cursor.execute("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                           "WHERE NOT l.granted AND a.datname = current_database()")
            waiting = cursor.fetchone()[0]
            if waiting:
                break
            threading.Event().wait(0.05)
    release.set()
    for t in threads:
        t.join(20)
    assert errors == [] and waiting == 1
    row = fact(order)
    assert (row.rated, row.rated_low, row.callback_completed, row.callback_satisfied) == (True, False, True, True)
    assert order_facts_check()["different"] == 0


def test_every_report_clock_stops_no_later_than_its_orders_last_change(month):
    """The invariant the clock figures' semi-join relies on (OrderFact.updated_at): a first-response
    or resolution clock stops only in a work-order event, which sets the order's updated_at and
    refreshes its facts."""
    from kefu.reports.metrics import CLOCK_KINDS
    from kefu.sla.models import SlaClock

    rows = list(SlaClock.objects.filter(kind__in=CLOCK_KINDS, stopped_at__isnull=False).values_list(
        "stopped_at", "work_order__updated_at", "work_order__report_fact__updated_at"))
    assert len(rows) == 16  # B2 2, A1 2, A2 2, A3 1 (resolution running), A4 2, A5 3, A6 2, A7 2 (cancelled)
    assert all(stopped <= updated and updated == fact_updated for stopped, updated, fact_updated in rows)


def test_the_nightly_check_repairs_the_last_40_days_and_logs_it(month, caplog):
    from kefu.reports.facts import order_facts_check_recent

    o = month["orders"]
    OrderFact.objects.filter(work_order_id__in=[o["A1"].pk, o["B2"].pk]).update(callback_completed=False)
    with caplog.at_level("WARNING", logger="kefu.reports.facts"):
        result = order_facts_check_recent(now=NOW)
    # since 6 March 12:00: A1 A2 A4 A5 A6 A7 B1; not B2 (February) nor A3 (received 5 March, open)
    assert result == {"checked": 7, "missing": 0, "different": 1, "order_ids": [o["A1"].pk]}
    assert fact(o["A1"]).callback_completed is True and fact(o["B2"]).callback_completed is False
    assert "report facts drifted: 0 missing, 1 different (repaired)" in caplog.text


def test_a_comment_does_not_touch_the_facts(cast):
    from django.test.utils import CaptureQueriesContext

    order = make_work_order(actor=cast["agent"])
    before = list(OrderFact.objects.filter(work_order_id=order.pk).values_list(*_field_names()))
    with CaptureQueriesContext(connection) as captured:
        work_order_transition(work_order=order, action="comment", actor_user=cast["agent"], body="客户已知悉")
    assert [q["sql"] for q in captured.captured_queries if "reports_orderfact" in q["sql"]] == []
    assert list(OrderFact.objects.filter(work_order_id=order.pk).values_list(*_field_names())) == before
    assert_in_sync(1)
