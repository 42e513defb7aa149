"""Units are listed in the natural order of their codes (101 before 1001, building 2 before 10),
by a digits-only key that every database collation orders alike."""

import pytest

from kefu.customers.codes import asset_sort_key
from kefu.customers.models import Asset, Building, Site
from kefu.customers.selectors import asset_search, unit_list

CODES = ["CH-10-101", "CH-1-1001", "CH-1-101", "CH-2-101", "CH-1-0102", "CH-1-1801", "CH-1-99", "CH-1A-101"]
NATURAL = ["CH-1-99", "CH-1-101", "CH-1-0102", "CH-1-1001", "CH-1-1801", "CH-1A-101", "CH-2-101", "CH-10-101"]


def test_the_key_orders_codes_naturally():
    assert sorted(CODES, key=asset_sort_key) == NATURAL
    assert asset_sort_key("CH-1-101") == "20000067" "20000072" "0" "1011" "0" "103101"
    assert asset_sort_key("3栋2单元1201") == asset_sort_key("3-2-1201")
    assert asset_sort_key("CH-1-101").isdigit()


@pytest.mark.django_db
def test_the_unit_list_and_the_lookup_sort_naturally_in_the_database(superuser):
    site = Site.objects.create(code="CH", name="翠湖花园")
    building = Building.objects.create(site=site, code="1", name="1栋")
    for code in CODES:
        Asset.objects.create(kind="unit", code=code, site=site, building=building)
    from kefu.org.selectors import actor_for_user

    actor = actor_for_user(superuser)
    assert [a.code for a in unit_list(actor=actor)] == NATURAL
    # "CH-1-" is looked up as the prefix "CH-1" (the key drops a trailing separator)
    assert [a.code for a in asset_search(q="CH-1-", actor=actor)] == [*NATURAL[:6], "CH-10-101"]
    assert list(Asset.objects.values_list("code", flat=True)) == NATURAL  # the model's default order
