"""Exactness: the n-gram index returns exactly what a substring scan over the visible orders does.

Run on SQLite and on PostgreSQL (`KEFU_DATABASE_URL=postgres://…`), with ~2,000 orders of
adversarial text (tests/corpus.py), for every query of a list, for a role that reads internal
comments and one that does not, and again after comments, edits, a customer's rename and merge.
"""

import pytest

from kefu.customers.tests.factories import make_asset, make_customer
from kefu.knowledge import selectors
from kefu.knowledge.index import search_index_rebuild, search_index_refresh
from kefu.knowledge.models import WorkOrderSearch
from kefu.knowledge.tests.corpus import QUERIES, make_corpus, order_segments, reference_scan
from kefu.knowledge.text import parse_query
from kefu.org.selectors import require_actor
from kefu.workorders.models import WorkOrder
from kefu.workorders.selectors import work_order_list_for_actor
from kefu.workorders.services import work_order_transition

pytestmark = pytest.mark.django_db

N_ORDERS = 2000


@pytest.fixture
def corpus(cast, org):
    customers = [make_customer(name=name, phones=[]) for name in ("漏水张", "王电梯", "Ｋｅｆｕ", "李 四")]
    assets = [make_asset(code=code) for code in ("3-2-1201", "A-1203", "ＢＢ100001")]
    ids = make_corpus(n=N_ORDERS, actor=cast["agent"], customers=customers, assets=assets,
                      teams=[org["mep"], org["vend"]])
    result = search_index_rebuild()
    assert result["orders"] == N_ORDERS
    return {"ids": ids, "customers": customers}


def _search_ids(user, raw: str) -> set[int]:
    actor = require_actor(user)
    qs = selectors.work_order_search(work_order_list_for_actor(actor=actor), actor=actor, query=parse_query(raw))
    return set(qs.values_list("pk", flat=True))


def _visible_ids(user) -> list[int]:
    return list(work_order_list_for_actor(actor=require_actor(user)).values_list("pk", flat=True))


def _check_all(user, *, internal: bool, queries=QUERIES) -> int:
    visible = _visible_ids(user)
    segments = order_segments(visible, internal=internal)
    checked = 0
    for raw in queries:
        query = parse_query(raw)
        expected = reference_scan(segments, query)
        assert _search_ids(user, raw) == expected, raw
        checked += bool(expected)
    return checked


@pytest.mark.parametrize("rank_limit", [0, 100_000], ids=["subquery", "id-list"])
def test_every_query_returns_exactly_the_substring_scan(corpus, cast, monkeypatch, rank_limit):
    # Both plans: the index lookup as a subquery of the list (broad queries), and the ids it
    # returned as a literal list (narrow queries).
    monkeypatch.setattr(selectors, "RANK_LIMIT", rank_limit)
    # The agent reads internal comments; the vendor does not and sees only the vendor team's orders.
    matched = _check_all(cast["agent"], internal=True)
    assert matched >= len(QUERIES) * 3 // 4  # the corpus exercises most queries with real hits
    _check_all(cast["vendor"], internal=False)
    assert len(_visible_ids(cast["vendor"])) < N_ORDERS


def test_terms_spanning_fields_or_white_space_do_not_match(corpus, cast):
    order = WorkOrder.objects.get(pk=corpus["ids"][0])
    WorkOrder.objects.filter(pk=order.pk).update(title="前缀漏", description="水后缀 电 梯", resolution="")
    search_index_refresh(order_ids=[order.pk])
    row = WorkOrderSearch.objects.get(pk=order.pk)
    assert row.title == "前缀漏"
    assert order.pk not in _search_ids(cast["agent"], "漏水")
    assert order.pk not in _search_ids(cast["agent"], "电梯")
    assert order.pk in _search_ids(cast["agent"], "漏 水")  # two terms, each somewhere
    assert order.pk in _search_ids(cast["agent"], "缀漏")


def test_index_follows_comments_edits_renames_and_merges(corpus, cast):
    from kefu.customers.services import customer_update
    from kefu.workorders.services import work_orders_relink_customer

    agent, vendor = cast["agent"], cast["vendor"]
    order = WorkOrder.objects.filter(team__code="VEND", status="dispatched").order_by("pk").first()
    assert order is not None
    # a public comment: found by both; an internal one: by the agent only
    # (no explicit index call anywhere below: the gate's hook keeps the index, in its transaction)
    order = work_order_transition(work_order=order, action="comment", actor_user=agent, body="渗水点在吊顶ＸＹ７",
                                  internal=False)
    work_order_transition(work_order=order, action="comment", actor_user=agent, body="业主脾气暴躁请注意",
                          internal=True)
    assert order.pk in _search_ids(vendor, "吊顶xy7") and order.pk in _search_ids(agent, "吊顶xy7")
    assert order.pk in _search_ids(agent, "脾气暴躁") and order.pk not in _search_ids(vendor, "脾气暴躁")
    # the vendor works the order to resolution: the resolution text becomes searchable
    for action, data in (("start", {}), ("resolve", {"resolution": "更换角阀后不再渗漏"})):
        order = work_order_transition(work_order=order, action=action, actor_user=vendor, **data)
    assert order.pk in _search_ids(agent, "角阀")
    # a customer renamed: their orders follow
    customer = corpus["customers"][1]
    customer_update(customer=customer, actor_user=agent, name="王扶梯")  # the index follows (signals.py)
    theirs = set(WorkOrder.objects.filter(customer=customer).values_list("pk", flat=True))
    assert theirs and theirs <= _search_ids(agent, "王扶梯")
    # a merge moves orders to the surviving customer: found under the survivor's name
    survivor = corpus["customers"][0]
    moved = work_orders_relink_customer(from_customer=customer, to_customer=survivor, actor_user=agent)
    assert moved == len(theirs)
    assert not theirs & _search_ids(agent, "王扶梯")
    # and after all that, the whole list still agrees with the scan
    _check_all(agent, internal=True)
    _check_all(vendor, internal=False)


def test_the_ngram_index_follows_deletes_and_bulk_rewrites(cast):
    """SQLite's FTS5 table is kept by triggers (PostgreSQL's GIN index is the table's own): a
    deleted order (cascade), a rewritten row and a rebuild leave no stale n-gram behind."""
    from django.db import connection

    from kefu.knowledge import backends
    from kefu.workorders.tests.factories import make_work_order

    first = make_work_order(actor=cast["agent"], title="独一无二的标题甲", description="说明")
    second = make_work_order(actor=cast["agent"], title="独一无二的标题乙", description="说明")
    search_index_rebuild()
    assert _search_ids(cast["agent"], "独一无二") == {first.pk, second.pk}
    WorkOrder.objects.filter(pk=second.pk).update(title="换了标题")
    search_index_refresh(order_ids=[second.pk])
    first.delete()
    assert _search_ids(cast["agent"], "独一无二") == set()
    assert _search_ids(cast["agent"], "换了") == {second.pk}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # FTS5's integrity check compares the index with the content table's rows.
            cursor.execute(f"INSERT INTO {backends.FTS_TABLE}({backends.FTS_TABLE}) VALUES ('integrity-check')")
            cursor.execute(f"SELECT COUNT(*) FROM {backends.FTS_TABLE}")
            assert cursor.fetchone()[0] == WorkOrderSearch.objects.count() == 1
