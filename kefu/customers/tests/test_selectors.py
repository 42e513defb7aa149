"""The as-you-type customer lookup: phone in any format (leading or trailing digits), name,
pinyin initials, unit code; and customer creation with normalised phones."""

import pytest

from kefu.core.errors import InvalidInput
from kefu.customers.models import Customer, CustomerPhone
from kefu.customers.selectors import asset_search, customer_get, customer_search
from kefu.customers.services import customer_create, name_initials
from kefu.customers.tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    unit = make_asset(code="A-1203")
    other_unit = make_asset(code="B-0801")
    return {
        "zhang": customer_create(name="张三", phones=["+86 138-0013-8000", "021-12345678"], assets=[unit]),
        "zhao": customer_create(name="赵六", phones=["13900008000"], assets=[other_unit]),
        "li": customer_create(name="李小三", phones=["18612345678"]),
        "acme": customer_create(name="ACME 物流", kind="organisation", phones=["4008108888"]),
    }


@pytest.mark.parametrize(("q", "expected"), [
    ("+86 138-0013-8000", ["zhang"]),
    ("13800138000", ["zhang"]),
    ("138 0013", ["zhang"]),
    ("138", ["zhang"]),
    ("8000", ["zhang", "zhao"]),
    ("0013-8000", ["zhang"]),
    ("021 1234", ["zhang"]),
    ("5678", ["zhang", "li"]),
    ("zs", ["zhang"]),
    ("ZS", ["zhang"]),
    ("lxs", ["li"]),
    ("张", ["zhang"]),
    ("小三", ["li"]),
    ("A-12", ["zhang"]),
    ("a-1203", ["zhang"]),
    ("B-08", ["zhao"]),
    ("acme", ["acme"]),
    ("12", []),
    ("nobody", []),
    ("   ", []),
], ids=["plus86_dashes_case", "full_case", "spaced_prefix_case", "three_digit_prefix_case", "tail_case",
        "dashed_tail_case", "landline_prefix_case", "tail_two_matches_case", "initials_case",
        "initials_upper_case", "three_initials_case", "name_prefix_case", "name_contains_case", "unit_code_case",
        "unit_code_lower_case", "other_unit_case", "latin_name_case", "too_short_digits_case", "no_match_case",
        "blank_case"])
def test_customer_search(people, q, expected):
    names = {c.pk: k for k, c in people.items()}
    assert sorted(names[c.pk] for c in customer_search(q=q)) == sorted(expected)


def test_search_limit(db):
    for i in range(5):
        customer_create(name=f"王{i}", phones=[f"1370000000{i}"])
    assert len(customer_search(q="137", limit=3)) == 3


def test_ended_asset_link_is_not_found_by_unit(people):
    people["zhang"].asset_links.update(ended_on="2026-01-01")
    assert list(customer_search(q="A-1203")) == []


def test_create_normalises_and_deduplicates_phones(db):
    customer = customer_create(name=" 王五 ", phones=["+86 139-0000-1111", "13900001111", "0086 139 0000 2222"])
    assert customer.name == "王五"
    assert customer.name_initials == "ww"
    rows = list(CustomerPhone.objects.filter(customer=customer).order_by("id")
                .values_list("number", "number_reversed", "raw", "is_primary"))
    assert rows == [("13900001111", "11110000931", "+86 139-0000-1111", True),
                    ("13900002222", "22220000931", "0086 139 0000 2222", False)]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": " "}, "name"),
    ({"name": "王五", "phones": ["12"]}, "phones"),
    ({"name": "王五", "phones": ["电话"]}, "phones"),
    ({"name": "王五", "kind": "alien"}, "kind"),
], ids=["blank_name_case", "short_phone_case", "no_digits_phone_case", "bad_kind_case"])
def test_create_refused(db, kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        customer_create(**kwargs)
    assert list(exc.value.fields) == [field]
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(("name", "expected"), [("张三", "zs"), ("李小三", "lxs"), ("ACME物流", "acmewl"), ("", "")],
                         ids=["two_chars_case", "three_chars_case", "mixed_case", "empty_case"])
def test_name_initials(name, expected):
    assert name_initials(name) == expected


def test_customer_get_prefetches(people, django_assert_num_queries):
    with django_assert_num_queries(3):
        customer = customer_get(pk=people["zhang"].pk)
        assert [p.number for p in customer.phones.all()] == ["13800138000", "02112345678"]
        assert [link.asset.code for link in customer.asset_links.all()] == ["A-1203"]
    assert customer_get(pk=999999) is None


def test_asset_search(people):
    assert [a.code for a in asset_search(q="a-1")] == ["A-1203"]
    assert list(asset_search(q="")) == []
