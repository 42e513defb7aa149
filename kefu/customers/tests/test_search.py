"""The ranked lookup: exact before prefix before fragment; unit codes in any spelling, account
numbers, ID numbers and their tails; soft-deleted customers never found."""

import pytest

from kefu.customers.selectors import customer_search
from kefu.customers.services import customer_create, customer_delete
from kefu.customers.tests.factories import VALID_RESIDENT_ID, make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "zhang": customer_create(name="张三", phones=["13800138000"], assets=[make_asset(code="3-2-1201")],
                                 id_type="resident_id", id_number=VALID_RESIDENT_ID),
        "zhangsan_feng": customer_create(name="张三丰", phones=["13800138001"],
                                         assets=[make_asset(code="3-2-1202")]),
        "li_zhangsan": customer_create(name="李张三", phones=["13912348000"]),
        "broadband": customer_create(name="华悦网吧", kind="organisation", phones=[],
                                     assets=[make_asset(code="BB100001", kind="account")]),
    }


def _found(people, q):
    names = {c.pk: k for k, c in people.items()}
    return [(names[c.pk], c.search_rank) for c in customer_search(q=q)]


@pytest.mark.parametrize(("q", "expected"), [
    ("张三", [("zhang", 0), ("zhangsan_feng", 1), ("li_zhangsan", 2)]),
    ("zs", [("zhang", 1), ("zhangsan_feng", 1)]),
    ("zsf", [("zhangsan_feng", 1)]),
    ("13800138000", [("zhang", 0)]),
    ("138 0013 800", [("zhang", 1), ("zhangsan_feng", 1)]),
    ("8000", [("zhang", 2), ("li_zhangsan", 2)]),
    ("3-2-1201", [("zhang", 0)]),
    ("3栋2单元1201", [("zhang", 0)]),
    ("3号楼2单元1201室", [("zhang", 0)]),
    ("3-2-120", [("zhang", 1), ("zhangsan_feng", 1)]),
    ("BB100001", [("broadband", 0)]),
    ("bb1000", [("broadband", 1)]),
    (VALID_RESIDENT_ID, [("zhang", 0)]),
    ("002X", [("zhang", 2)]),
    ("002x", [("zhang", 2)]),
    ("网吧", [("broadband", 2)]),
], ids=["name_exact_prefix_fragment_case", "initials_case", "initials_three_case", "phone_exact_case", "phone_prefix_case",
        "phone_tail_case", "unit_code_case", "unit_chinese_case", "unit_chinese_room_case", "unit_prefix_case",
        "account_case", "account_prefix_lower_case", "id_exact_case", "id_tail_case", "id_tail_lower_case",
        "org_fragment_case"])
def test_ranked_lookup(people, q, expected):
    assert _found(people, q) == expected


def test_deleted_customer_is_not_found(people, cast):
    customer_delete(customer=people["zhang"], actor_user=cast["manager"])
    assert [k for k, _r in _found(people, "张三")] == ["zhangsan_feng", "li_zhangsan"]
    assert _found(people, "3-2-1201") == []


def test_unit_code_within_a_site_prefixed_code(db):
    customer = customer_create(name="赵六", phones=[], assets=[make_asset(code="CH-3-2-1201")])
    for q in ("3-2-1201", "3栋2单元1201", "CH-3-2-1201"):
        assert [c.pk for c in customer_search(q=q)] == [customer.pk], q
    assert customer_search(q="3栋2单元1201")[0].search_rank == 2
    assert customer_search(q="CH-3-2-1201")[0].search_rank == 0


def test_limit_keeps_the_best(people):
    assert [c.name for c in customer_search(q="张三", limit=1)] == ["张三"]
