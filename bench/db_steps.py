"""The benchmark's steps that need Django (run as a separate process by bench/run.py).

    python bench/db_steps.py fixtures            ids the load generator needs (JSON on stdout)
    python bench/db_steps.py trim --above-id N   delete orders the intake phases added
    python bench/db_steps.py explain             EXPLAIN ANALYZE of the team-queue API's SQL

KEFU_DATABASE_URL selects the database, as for manage.py.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from kefu.customers.models import CustomerAsset  # noqa: E402
from kefu.org.models import Department  # noqa: E402
from kefu.workorders.choices import OPEN_STATUSES  # noqa: E402
from kefu.workorders.models import Category, WorkOrder  # noqa: E402

# The busiest team in the demo data: about half of all orders are dispatched to it.
QUEUE_TEAM = "CH-ENG-MEP"


def queue_path(team_id: int) -> str:
    statuses = "&".join(f"status={s}" for s in ("new", "accepted", "dispatched", "in_progress", "on_hold"))
    return f"/api/v1/work-orders/?team={team_id}&{statuses}"


def fixtures() -> dict:
    leaves = Category.objects.filter(industry="property", children__isnull=True, is_active=True)
    by_type: dict[str, list[int]] = {}
    for c in leaves:
        for t in c.types:
            if t in ("repair", "complaint", "inquiry"):
                by_type.setdefault(t, []).append(c.pk)
    pairs = list(CustomerAsset.objects.filter(ended_on=None, asset__kind="unit")
                 .order_by("pk").values_list("customer_id", "asset_id")[:200])
    team = Department.objects.get(code=QUEUE_TEAM)
    return {
        "orders": WorkOrder.objects.count(),
        "max_order_id": WorkOrder.objects.aggregate(m=Max("pk"))["m"] or 0,
        "team_id": team.pk,
        "team_open_orders": WorkOrder.objects.filter(team=team, status__in=OPEN_STATUSES).count(),
        "categories": by_type,
        "customer_assets": pairs,
    }


def trim(above_id: int) -> int:
    deleted, _ = WorkOrder.objects.filter(pk__gt=above_id).delete()
    return deleted


def explain(username: str = "supervisor") -> dict:
    """Run the team-queue API request in-process, capture its SQL, EXPLAIN ANALYZE each query on
    work orders. The request is made twice first so caches and buffers are warm."""
    user = get_user_model().objects.get(username=username)
    token, _ = Token.objects.get_or_create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", SERVER_NAME="127.0.0.1")
    path = queue_path(Department.objects.get(code=QUEUE_TEAM).pk)
    for _ in range(2):
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    plans = []
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            sql = q["sql"]
            if "workorders_workorder" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append({"sql": sql, "plan": "\n".join(row[0] for row in cursor.fetchall())})
    return {"path": path, "user": username, "queries": len(ctx.captured_queries),
            "all_sql": [q["sql"] for q in ctx.captured_queries], "plans": plans,
            "count": response.json()["count"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("fixtures")
    p = sub.add_parser("trim")
    p.add_argument("--above-id", type=int, required=True)
    p = sub.add_parser("explain")
    p.add_argument("--user", default="supervisor")
    args = parser.parse_args(argv)
    if args.cmd == "fixtures":
        print(json.dumps(fixtures()))
    elif args.cmd == "trim":
        print(json.dumps({"deleted": trim(args.above_id)}))
    else:
        print(json.dumps(explain(args.user), ensure_ascii=False))


if __name__ == "__main__":
    main()
