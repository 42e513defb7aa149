"""Search latency at scale (issue 18): the n-gram index beside a LIKE scan, in the same run.

    KEFU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a bench database with demo orders> \\
        .venv/bin/python bench/search.py [--rebuild] [--rounds 20] [--like-rounds 3] [--label 1m]

On a database filled by `manage.py demo_data` (bench/README.md: `run.py setup`, or a copy):

1. `--rebuild`: empties the index and runs `search_index_rebuild` (the same code as the command),
   timing the load and the GIN build, and records the index's size.
2. Work-order search, whole requests through Django's test client (middleware, auth, filter,
   capped count, page of 25, serializer; no network): `GET /api/v1/work-orders/?search=q` for 2-,
   3- and 4-character queries, common ones included, as an agent (sees every order) and a
   supervisor (department visibility), with the default ranking and newest first.
3. The same membership side by side at the selector level (the capped count and the first page,
   as the list does): the n-gram index vs `LIKE '%q%'` over the same fields (title, description,
   resolution, contact name, customer name, unit code, comments).
4. The header box, `GET /api/v1/search/?q=`: a phone tail, pinyin initials, words, an order number,
   a unit code.

Prints p50/p95/max per case and writes the JSON summary to bench/results/. Not a test: nothing
asserts a time.
"""

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("KEFU_ALLOWED_HOSTS", "testserver,127.0.0.1")  # the test client's host

QUERIES = {
    2: ["漏水", "噪音", "电梯", "楼下", "处理"],
    3: ["物业费", "充电桩", "不抬杆", "下水道"],
    4: ["漏水到楼", "电梯异响", "光猫红灯", "装修噪音"],
}


def pct(values, p):
    values = sorted(values)
    if not values:
        return None
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return round(values[k], 2)


def summary(times):
    return {"n": len(times), "p50": pct(times, 50), "p95": pct(times, 95), "max": round(max(times), 2)}


def rebuild() -> dict:
    from django.db import connection

    from kefu.knowledge.index import search_index_rebuild

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE knowledge_workordersearch")
    started = time.perf_counter()
    result = search_index_rebuild(chunk=5000, progress=lambda n: n % 100000 < 5000 and print(f"  {n} orders", flush=True))
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE knowledge_workordersearch") if not connection.in_atomic_block else None
    return result


def timed_requests(client, url, params, rounds):
    times, server, last = [], [], None
    client.get(url, params)  # warm
    for _ in range(rounds):
        t = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - t) * 1000)
        timing = response.headers.get("Server-Timing", "")
        if "dur=" in timing:
            server.append(float(timing.split("dur=")[1].split(",")[0]))
        last = response
    return times, server, last


def like_queryset(actor, q):
    from django.db.models import Exists, OuterRef, Q

    from kefu.workorders.models import WorkOrderEvent
    from kefu.workorders.selectors import work_order_list_for_actor

    comments = WorkOrderEvent.objects.filter(work_order=OuterRef("pk"), action="comment", body__contains=q)
    fields = Q(title__contains=q) | Q(description__contains=q) | Q(resolution__contains=q) | Q(
        contact_name__contains=q) | Q(customer__name__contains=q) | Q(asset__code__contains=q) | Exists(comments)
    return work_order_list_for_actor(actor=actor).filter(fields).order_by("-received_at", "-id")


def index_queryset(actor, q):
    from kefu.knowledge.selectors import work_order_search
    from kefu.knowledge.text import parse_query
    from kefu.workorders.selectors import work_order_list_for_actor

    return work_order_search(work_order_list_for_actor(actor=actor), actor=actor,
                             query=parse_query(q)).order_by("-received_at", "-id")


def list_like(qs):
    """What a list does: the capped count, then the first page."""
    from kefu.core.pagination import CappedPaginator

    page = CappedPaginator(qs, 25).get_page(1)
    rows = list(page.object_list)
    return page.paginator.count, len(rows)


def explain(qs) -> dict:
    """Work done by the list's two statements (the capped count, the first page), from EXPLAIN
    (ANALYZE, BUFFERS): execution time and buffers touched — the latter does not depend on how
    busy the machine is."""
    from django.db import connection

    from kefu.core.pagination import CAP

    result = {}
    for name, part in (("count", qs.order_by()[: CAP + 1]), ("page", qs[:25])):
        if name == "count":
            sql, params = part.query.get_compiler(using="default").as_sql()
            sql = f"SELECT COUNT(*) FROM ({sql}) subquery"
        else:
            sql, params = part.query.get_compiler(using="default").as_sql()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
        top = plan["Plan"]
        result[name] = {"ms": round(plan["Execution Time"], 2),
                        "buffers": top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)}
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--like-rounds", type=int, default=3)
    parser.add_argument("--label", default="run")
    parser.add_argument("--skip-like", action="store_true")
    parser.add_argument("--queries", help="comma-separated queries instead of the built-in list")
    parser.add_argument("--users", default="agent,supervisor")
    args = parser.parse_args()

    if args.queries:
        QUERIES.clear()
        for q in args.queries.split(","):
            QUERIES.setdefault(len(q), []).append(q)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from kefu.customers.models import Asset, Customer, CustomerPhone
    from kefu.knowledge import backends
    from kefu.org.selectors import actor_for_user
    from kefu.workorders.models import WorkOrder

    out = {"date": date.today().isoformat(), "label": args.label, "database": connection.settings_dict["NAME"],
           "orders": WorkOrder.objects.count()}
    print(f"{out['orders']:,} orders in {out['database']}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        out["postgres"] = cursor.fetchone()[0].split(" on ")[0]
    if args.rebuild:
        out["build"] = rebuild()
        print("build", out["build"], flush=True)
    out["index_size"] = backends.index_size_bytes()
    print("index size", out["index_size"], flush=True)

    users = {u.username: u for u in get_user_model().objects.filter(username__in=args.users.split(","))}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)

    ping_times, _s, _r = timed_requests(clients["agent"], "/ping/", {}, 50)
    out["ping"] = summary(ping_times)
    print(f"ping (no database) p50={out['ping']['p50']} p95={out['ping']['p95']} ms", flush=True)
    rows = []
    out["api"] = rows
    for username, client in clients.items():
        for length, queries in QUERIES.items():
            for q in queries:
                for ordering in ("", "-received_at"):
                    params = {"search": q, **({"ordering": ordering} if ordering else {})}
                    times, server, response = timed_requests(client, "/api/v1/work-orders/", params, args.rounds)
                    body = response.json()
                    row = {"user": username, "q": q, "chars": length, "ordering": ordering or "relevance",
                           "count": body["count"], "capped": body["count_capped"], "client": summary(times),
                           "server": summary(server) if server else None}
                    rows.append(row)
                    print(f"api {username:10} {q:6} {row['ordering']:12} count={row['count']:>6}"
                          f"{'+' if row['capped'] else ' '} p50={row['client']['p50']:7.1f} "
                          f"p95={row['client']['p95']:7.1f} ms", flush=True)

    side = []
    out["side_by_side"] = side
    for username in users:
        actor = actor_for_user(users[username])
        for length, queries in QUERIES.items():
            for q in queries:
                entry = {"user": username, "q": q, "chars": length}
                for kind, build, rounds in (("ngram", index_queryset, args.rounds), ("like", like_queryset,
                                                                                     args.like_rounds)):
                    if kind == "like" and args.skip_like:
                        continue
                    times = []
                    result = None
                    for _ in range(rounds):
                        t = time.perf_counter()
                        result = list_like(build(actor, q))
                        times.append((time.perf_counter() - t) * 1000)
                    entry[kind] = {"count": result[0], **summary(times)}
                entry["ngram"]["explain"] = explain(index_queryset(actor, q))
                if "like" in entry:
                    entry["like"]["explain"] = explain(like_queryset(actor, q))
                if "like" in entry:
                    entry["same_count"] = entry["like"]["count"] == entry["ngram"]["count"]
                side.append(entry)
                like = entry.get("like", {})
                print(f"     explain ngram {entry['ngram']['explain']}  like {like.get('explain')}", flush=True)
                print(f"side {username:10} {q:6} ngram p50={entry['ngram']['p50']:7.1f} count={entry['ngram']['count']:>6}"
                      f"  like p50={like.get('p50') or 0:8.1f} count={like.get('count')}", flush=True)

    customer = Customer.objects.exclude(name_initials="").order_by("pk").first()
    phone = CustomerPhone.objects.order_by("pk").first()
    order = WorkOrder.objects.order_by("-pk").first()
    unit = Asset.objects.filter(kind="unit").order_by("pk").first()
    header_queries = [phone.number[-4:] if phone else "5678", customer.name_initials if customer else "wxm", "漏水",
                      "电梯 异响", order.number, unit.code.split("-", 1)[-1] if unit else "3-2-1201", "王"]
    header = []
    out["header"] = header
    for username, client in clients.items():
        for q in header_queries:
            times, server, response = timed_requests(client, "/api/v1/search/", {"q": q}, args.rounds)
            body = response.json()
            row = {"user": username, "q": q, "groups": {k: len(body[k]) for k in ("orders", "customers", "units",
                                                                                 "articles")},
                   "client": summary(times)}
            header.append(row)
            print(f"header {username:10} {q:16} {row['groups']} p50={row['client']['p50']:7.1f} "
                  f"p95={row['client']['p95']:7.1f} ms", flush=True)

    from kefu.workorders.models import Category

    category = Category.objects.filter(code__startswith="prop.repair", children__isnull=True).order_by("code").first()
    assist = []
    out["intake_assist"] = assist
    for title, description in (("卫生间漏水", "楼下天花板渗水"), ("电梯异响", "三号梯运行有噪音"), ("道闸不抬杆", "车辆无法进出")):
        params = {"title": title, "description": description, "category": category.pk if category else ""}
        times, _server, response = timed_requests(clients["agent"], "/knowledge/intake-assist/", params,
                                                  max(3, args.rounds // 3))
        row = {"title": title, "description": description, "status": response.status_code, "client": summary(times)}
        assist.append(row)
        print(f"intake-assist {title} p50={row['client']['p50']:7.1f} p95={row['client']['p95']:7.1f} ms", flush=True)

    def overall(rows_, key="client"):
        values = [r[key]["p95"] for r in rows_ if r.get(key)]
        return max(values) if values else None

    out["verdict"] = {
        "api_worst_p95_relevance": overall([r for r in rows if r["ordering"] == "relevance"]),
        "api_worst_p95_newest": overall([r for r in rows if r["ordering"] != "relevance"]),
        "header_worst_p95": overall(header),
        "intake_assist_worst_p95": overall(assist),
    }
    print("verdict", out["verdict"], flush=True)
    path = ROOT / "bench" / "results" / f"{out['date']}-search-{args.label}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
