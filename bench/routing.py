"""Routing A/B in one run: what the routing decision adds to an intake (issue #23: ≤ 5 ms).

Not a test. Creates a throwaway database (Django's test database machinery: SQLite in memory by
default, or PostgreSQL with KEFU_DATABASE_URL), an organisation with a team of 8 members and 10
routing rules, then measures in one process, interleaved in rounds so load drifts hit all alike:

- ping:      GET /ping/ through the test client (the run's yardstick: results are ratios to it);
- intake A:  work_order_create of a repair in a category no rule matches (matching only);
- decision:  matching_rule + choose_assignee (round robin) for a new order, in a transaction;
- intake B:  work_order_create whose order a rule dispatches after commit (decision + the gate's
             dispatch, as the system), i.e. the whole extra work an intake now does.

    .venv/bin/python bench/routing.py [--orders 200]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="profile the decision and print the top entries")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.orders, Client(), transaction, profile=args.profile)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(n: int, client, transaction, profile: bool = False) -> None:
    from django.utils import timezone

    import conftest
    from kefu.org.tests.factories import make_department, make_staff
    from kefu.routing import selectors, services
    from kefu.routing.models import RoutingRule
    from kefu.workorders.tests.factories import category_for, make_work_order

    conftest.ensure_seed_data()
    org = conftest._build_org()
    conftest._build_cast(org)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(["agent", "supervisor"], field_name="username")
    agent, supervisor = users["agent"], users["supervisor"]
    team = org["mep"]
    for _ in range(7):
        make_staff(role="technician", department=team)
    category = category_for("repair")
    from kefu.workorders.models import Category

    other = next(c for c in Category.objects.filter(is_active=True, children__isnull=True).order_by("code")
                 if c.allows_type("repair") and category.parent_id not in selectors._category_and_ancestors(c.pk))
    extra = make_department(kind="team", parent=org["eng"], code="BENCH-T", name="基准组")

    def rules(active: bool) -> None:
        RoutingRule.objects.update(is_active=active)
        selectors.rules_changed()  # as the services do after a change

    for i in range(9):  # rules that do not match a phone repair, tried first
        services.routing_rule_create(actor_user=supervisor, team=extra, priority=i, channel="email", type="inquiry")
    services.routing_rule_create(actor_user=supervisor, team=team, priority=50, type="repair",
                                 category=category.parent, assignment="round_robin")
    samples: dict[str, list[float]] = {"ping": [], "intake_a": [], "decision": [], "intake_b": []}

    def timed(key, fn):
        start = time.perf_counter()
        fn()
        samples[key].append((time.perf_counter() - start) * 1000)

    def intake(of=category):
        with transaction.atomic():
            order = make_work_order(actor=agent, type="repair", category=of)
        return order

    for _ in range(20):  # warm-up
        client.get("/ping/")
        intake()
    probe = make_work_order(actor=agent, type="repair", category=category)
    for _ in range(n):
        timed("ping", lambda: client.get("/ping/"))
        timed("intake_a", lambda: intake(other))  # no rule matches: the hook's cost only

        def decide():
            with transaction.atomic():
                rule = selectors.matching_rule(probe)
                services.choose_assignee(team=rule.team, assignment=rule.assignment, at=timezone.now())
        timed("decision", decide)
        timed("intake_b", intake)

    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            decide()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    def p(values, q):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    from kefu.workorders.models import WorkOrder

    dispatched = dict(WorkOrder.objects.filter(status="dispatched").values_list("category_id").annotate(
        n=__import__("django.db.models", fromlist=["Count"]).Count("id")))
    print(f"dispatched by routing: B category {dispatched.get(category.pk, 0)}, A category {dispatched.get(other.pk, 0)}")
    ping = statistics.median(samples["ping"])
    print(f"database: {transaction.get_connection().vendor}, {n} rounds")
    print(f"{'phase':<10} {'p50 ms':>8} {'p95 ms':>8} {'p50/ping':>9}")
    for key, values in samples.items():
        print(f"{key:<10} {statistics.median(values):8.2f} {p(values, 0.95):8.2f} {statistics.median(values) / ping:9.1f}")
    added = statistics.median(samples["intake_b"]) - statistics.median(samples["intake_a"])
    print(f"intake B − A (p50): {added:.2f} ms; decision alone (p50): {statistics.median(samples['decision']):.2f} ms")


if __name__ == "__main__":
    main()
