"""Many threads acting on the same order at once (real connections, real commits).

PostgreSQL: row locks and the compare-and-swap on `version` must give exactly one winner per
conflicting pair, no lost events and unique numbers. After each test the root conftest puts the
database back to its seeded rows (roles, categories), as after every transactional test.

SQLite's test database is an in-memory shared-cache database, where a second writer gets
"database table is locked" at once instead of waiting; the SQLite variant of the numbering test
therefore copies it to a file and points its threads' connections there, with the production
options (WAL, busy_timeout, IMMEDIATE transactions). The other threaded tests need PostgreSQL.
"""

import sqlite3
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.db.utils import load_backend

from kefu.core.errors import Conflict
from kefu.org.selectors import actor_for_user
from kefu.workorders.models import PlanApproval, WorkOrder, WorkOrderEvent
from kefu.workorders.services import work_order_create, work_order_transition
from kefu.workorders.tests.factories import advance, category_for, make_work_order

THREADS = 8

IS_POSTGRES = connection.vendor == "postgresql"

postgres_only = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not IS_POSTGRES, reason="row locks under real concurrency need PostgreSQL "
                       "(the SQLite variant of the numbering test is below)"),
    pytest.mark.django_db(transaction=True),
]


def _postgres(test):
    for mark in reversed(postgres_only):
        test = mark(test)
    return test


def _run(jobs):
    """Run each callable in its own thread, released together; returns [(label, result|exception)]."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, label, job):
        try:
            barrier.wait(timeout=10)
            results[i] = (label, job())
        except Exception as exc:  # collected and asserted on by the test
            results[i] = (label, exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, label, job)) for i, (label, job) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def _warm(*users):
    # resolve each actor once in the main thread: threads then share the cached, read-only Actor
    for user in users:
        assert actor_for_user(user) is not None


def _outcomes(results):
    return Counter("ok" if isinstance(r, WorkOrder) else type(r).__name__ for _label, r in results)


@_postgres
def test_many_accepts_exactly_one_wins(cast):
    order = make_work_order(actor=cast["agent"])
    users = [cast["agent"], cast["administrator"], cast["supervisor"], cast["manager"], cast["director"],
             cast["administrator"], cast["agent"], cast["supervisor"]]
    _warm(*users)
    results = _run([(u.username, lambda u=u: work_order_transition(work_order=order.pk, action="accept",
                                                                    actor_user=u)) for u in users])
    assert _outcomes(results) == Counter({"ok": 1, "Conflict": THREADS - 1})
    assert {r.code for _l, r in results if isinstance(r, Conflict)} <= {"concurrent_change", "invalid_transition"}
    order.refresh_from_db()
    assert (order.status, order.version) == ("accepted", 2)
    accepts = WorkOrderEvent.objects.filter(work_order=order, action="accept")
    assert accepts.count() == 1
    winner = next(label for label, r in results if isinstance(r, WorkOrder))
    assert accepts.get().actor.username == winner


@_postgres
def test_dispatch_against_cancel_with_expected_version(cast, org):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept")
    _warm(cast["agent"], cast["supervisor"])
    jobs = []
    for i in range(THREADS):
        if i % 2:
            jobs.append(("cancel", lambda: work_order_transition(
                work_order=order.pk, action="cancel", actor_user=cast["supervisor"], reason="撤回",
                expected_version=2)))
        else:
            jobs.append(("dispatch", lambda: work_order_transition(
                work_order=order.pk, action="dispatch", actor_user=cast["agent"], team=org["mep"],
                expected_version=2)))
    results = _run(jobs)
    assert _outcomes(results) == Counter({"ok": 1, "Conflict": THREADS - 1})
    winner = next(label for label, r in results if isinstance(r, WorkOrder))
    order.refresh_from_db()
    assert order.version == 3
    assert order.status == {"cancel": "cancelled", "dispatch": "dispatched"}[winner]
    events = list(WorkOrderEvent.objects.filter(work_order=order).order_by("id"))
    assert [e.action for e in events] == ["create", "accept", winner]
    assert events[-1].to_status == order.status


@_postgres
def test_dispatch_against_cancel_events_match_final_state(cast, org):
    # without an expected version a dispatch may legitimately follow another (re-dispatch), but
    # nothing may follow a cancel, and every success is exactly one event and one version
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept")
    _warm(cast["agent"], cast["supervisor"])
    jobs = [("cancel", lambda: work_order_transition(work_order=order.pk, action="cancel",
                                                     actor_user=cast["supervisor"], reason="撤回"))
            if i % 2 else
            ("dispatch", lambda: work_order_transition(work_order=order.pk, action="dispatch",
                                                       actor_user=cast["agent"], team=org["mep"]))
            for i in range(THREADS)]
    results = _run(jobs)
    successes = [label for label, r in results if isinstance(r, WorkOrder)]
    failures = [r for _l, r in results if not isinstance(r, WorkOrder)]
    assert successes and all(isinstance(f, Conflict) for f in failures)
    assert successes.count("cancel") <= 1
    order.refresh_from_db()
    events = list(WorkOrderEvent.objects.filter(work_order=order).order_by("id"))
    actions = [e.action for e in events][2:]
    assert sorted(actions) == sorted(successes)
    assert order.version == 2 + len(successes)
    assert events[-1].to_status == order.status
    if "cancel" in actions:
        assert actions[-1] == "cancel"
    # each event starts where the previous one ended: no lost or interleaved update
    for before, after in zip(events, events[1:], strict=False):
        assert after.from_status == before.to_status


@_postgres
def test_approve_against_reject_one_decision(cast):
    order = advance(make_work_order(actor=cast["agent"]), cast["agent"], "accept", ("submit_plan", {"plan": "p"}))
    _warm(cast["supervisor"], cast["manager"], cast["director"])
    approvers = [cast["supervisor"], cast["manager"], cast["director"], cast["supervisor"]] * 2
    jobs = [(("approve" if i % 2 else "reject"), lambda u=u, i=i: work_order_transition(
        work_order=order.pk, action="approve_plan" if i % 2 else "reject_plan", actor_user=u, note="n"))
        for i, u in enumerate(approvers)]
    results = _run(jobs)
    assert _outcomes(results) == Counter({"ok": 1, "Conflict": THREADS - 1})
    order.refresh_from_db()
    [approval] = PlanApproval.objects.filter(work_order=order)
    assert approval.decision == order.plan_status
    assert approval.decision in ("approved", "rejected")
    assert WorkOrderEvent.objects.filter(work_order=order, action__in=["approve_plan", "reject_plan"]).count() == 1


@_postgres
def test_concurrent_creates_get_unique_consecutive_numbers(cast):
    category = category_for("repair")
    _warm(cast["agent"])

    def create_ten():
        return [work_order_create(actor_user=cast["agent"], type="repair", channel="phone", category=category,
                                  title="t", description="d").number for _ in range(10)]

    results = _run([(str(i), create_ten) for i in range(THREADS)])
    numbers = [n for _l, r in results for n in r]
    assert len(numbers) == THREADS * 10
    assert len(set(numbers)) == THREADS * 10
    prefix = numbers[0].rsplit("-", 1)[0]
    assert sorted(numbers) == [f"{prefix}-{i:04d}" for i in range(1, THREADS * 10 + 1)]
    assert WorkOrderEvent.objects.filter(action="create").count() == THREADS * 10


@_postgres
def test_concurrent_comments_are_all_recorded(cast):
    order = make_work_order(actor=cast["agent"])
    users = [cast[r] for r in ("agent", "administrator", "supervisor", "qa", "clerk", "manager", "director", "agent")]
    _warm(*users)

    def comment(user, i):
        def job():
            for n in range(5):
                work_order_transition(work_order=order.pk, action="comment", actor_user=user, body=f"{i}-{n}")
            return WorkOrder.objects.get(pk=order.pk)
        return job

    results = _run([(str(i), comment(u, i)) for i, u in enumerate(users)])
    assert _outcomes(results) == Counter({"ok": THREADS})
    bodies = set(WorkOrderEvent.objects.filter(work_order=order, action="comment").values_list("body", flat=True))
    assert bodies == {f"{i}-{n}" for i in range(THREADS) for n in range(5)}
    order.refresh_from_db()
    assert (order.status, order.version) == ("new", 1)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite variant")
@pytest.mark.django_db
def test_sqlite_concurrent_creates_get_unique_consecutive_numbers(tmp_path):
    # given a copy of the migrated test database in a file (roles, categories)
    path = tmp_path / "kefu.sqlite3"
    connection.ensure_connection()
    # (the backup API would wait forever on the test transaction's lock; a dump reads through it)
    target = sqlite3.connect(path)
    target.executescript("\n".join(connection.connection.iterdump()))
    target.close()
    file_settings = {**connection.settings_dict, "NAME": str(path)}
    assert file_settings["OPTIONS"]["transaction_mode"] == "IMMEDIATE"

    def on_file(job):
        def run():
            # this thread's "default" connection is the file database
            connections["default"] = load_backend(file_settings["ENGINE"]).DatabaseWrapper(file_settings, "default")
            return job()
        return run

    def setup():
        from kefu.org.tests.factories import make_department, make_staff

        team = make_department(kind="team", code="SQ", name="sqlite")
        return make_staff(role="agent", department=team, username="sqlite_agent").user

    [(_l, agent)] = _run([("setup", on_file(setup))])
    assert not isinstance(agent, Exception), agent
    _warm(agent)

    def create_ten():
        category = category_for("repair")
        return [work_order_create(actor_user=agent, type="repair", channel="phone", category=category,
                                  title="t", description="d").number for _ in range(10)]

    # when 8 threads create 10 orders each
    results = _run([(str(i), on_file(create_ten)) for i in range(THREADS)])
    errors = [r for _l, r in results if isinstance(r, Exception)]
    assert errors == []
    numbers = [n for _l, r in results for n in r]
    prefix = numbers[0].rsplit("-", 1)[0]
    assert sorted(numbers) == [f"{prefix}-{i:04d}" for i in range(1, THREADS * 10 + 1)]
    [(_l, counts)] = _run([("count", on_file(lambda: (WorkOrder.objects.count(),
                                                      WorkOrderEvent.objects.filter(action="create").count())))])
    assert counts == (THREADS * 10, THREADS * 10)
    # and the in-memory test database was not touched
    assert WorkOrder.objects.count() == 0
