"""The fixture month of issue #21: bills, part payments, a refund and an import correcting a bill
give the hand-calculated balances, ageing and collection rate; the import is checked row by row,
writes nothing when a row is wrong, and a second import of the same file changes nothing."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook

from kefu.core.errors import InvalidInput, NotAllowed
from kefu.frontdesk import selectors
from kefu.frontdesk.models import Bill, UnitBalance
from kefu.frontdesk.services import bills_import
from kefu.frontdesk.tests.factories import bill, make_unit, pay
from kefu.org.selectors import actor_for_user

pytestmark = pytest.mark.django_db

HEADER = ["unit", "item", "period", "amount", "due_date"]


def xlsx(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def month(estate, cast):
    """Units A, B, C of 100 m² (management fee ¥250/month), A with a parking space (¥300).
    Bills: B September; A, B, C October (A's parking too). Payments: B ¥250 on 10-10 (its
    September bill first), C ¥300 on 11-01 and ¥50 refunded on 11-02, A ¥400 on 11-05.
    The finance import corrects C's October bill to ¥200 and adds A's November bill."""
    clerk = cast["clerk"]
    a, _ = make_unit(estate, "CH-1-0001", occupant="甲")
    b, _ = make_unit(estate, "CH-1-0002", occupant="乙")
    c, _ = make_unit(estate, "CH-1-0003", occupant="丙")
    mgmt, park = estate["mgmt"], estate["parking"]
    bill(clerk, b, mgmt, "2026-09", "250.00", date(2026, 9, 30))
    for unit in (a, b, c):
        bill(clerk, unit, mgmt, "2026-10", "250.00", date(2026, 10, 31))
    bill(clerk, a, park, "2026-10", "300.00", date(2026, 10, 31))
    pay(clerk, b, "250.00", date(2026, 10, 10))
    pay(clerk, c, "300.00", date(2026, 11, 1))
    pay(clerk, c, "50.00", date(2026, 11, 2), kind="refund")
    pay(clerk, a, "400.00", date(2026, 11, 5))
    result = bills_import(actor_user=clerk, content=xlsx([["CH-1-0003", "MGMT", "2026-10", 200, "2026-10-31"],
                                                          ["CH-1-0001", "MGMT", "2026-11", "250.00",
                                                           date(2026, 11, 30)]]))
    assert result == {"created": 1, "corrected": 1, "unchanged": 0, "errors": []}
    return {"a": a, "b": b, "c": c}


def test_balances_ageing_and_collection_rate_are_the_hand_calculated_ones(month, estate, cast):
    rows = {r.unit_id: (r.billed, r.paid, r.balance, r.oldest_unpaid_due) for r in UnitBalance.objects.all()}
    assert rows == {
        month["a"].pk: (Decimal("800.00"), Decimal("400.00"), Decimal("400.00"), date(2026, 10, 31)),
        month["b"].pk: (Decimal("500.00"), Decimal("250.00"), Decimal("250.00"), date(2026, 10, 31)),
        month["c"].pk: (Decimal("200.00"), Decimal("250.00"), Decimal("-50.00"), None),
    }
    actor = actor_for_user(cast["clerk"])
    ageing = {a["bucket"]: (a["units"], a["amount"]) for a in selectors.ageing(actor=actor, today=date(2026, 12, 15))}
    assert ageing == {"0-30": (0, Decimal("0.00")), "31-90": (2, Decimal("650.00")), "91-180": (0, Decimal("0.00")),
                      "180+": (0, Decimal("0.00"))}
    site = estate["site"].pk
    # October billed: A 250 + 300, B 250, C 200 = 1000. By 11-30: A's 400 pays both its October
    # bills (250 + 150), B's 250 pays September, C's net 250 pays its 200: collected 600.
    october = selectors.collection_rate(actor=actor, site_id=site, period="2026-10", as_of=date(2026, 11, 30))
    assert (october["billed"], october["collected"], october["rate"]) == (Decimal("1000.00"), Decimal("600.00"),
                                                                          Decimal("60.00"))
    # By 11-01 only C's 300 (its refund came the next day) had come in: 200 of it on October.
    early = selectors.collection_rate(actor=actor, site_id=site, period="2026-10", as_of=date(2026, 11, 1))
    assert (early["collected"], early["rate"]) == (Decimal("200.00"), Decimal("20.00"))
    september = selectors.collection_rate(actor=actor, site_id=site, period="2026-09", as_of=date(2026, 11, 30))
    assert (september["billed"], september["collected"], september["rate"]) == (
        Decimal("250.00"), Decimal("250.00"), Decimal("100.00"))
    assert selectors.collection_rate(actor=actor, site_id=site, period="2026-01")["rate"] is None


def test_the_same_file_again_changes_nothing(month, cast):
    before = list(UnitBalance.objects.order_by("pk").values_list("balance", "updated_at"))
    again = bills_import(actor_user=cast["clerk"], content=xlsx([["CH-1-0003", "MGMT", "2026-10", 200, "2026-10-31"],
                                                                  ["CH-1-0001", "MGMT", "2026-11", "250.00",
                                                                   "2026-11-30"]]))
    assert again == {"created": 0, "corrected": 0, "unchanged": 2, "errors": []}
    assert list(UnitBalance.objects.order_by("pk").values_list("balance", "updated_at")) == before
    assert Bill.objects.filter(source="import").count() == 2


def test_a_wrong_row_is_reported_per_row_and_nothing_is_written(month, cast):
    bills = list(Bill.objects.order_by("pk").values_list("pk", "amount"))
    result = bills_import(actor_user=cast["clerk"], content=xlsx([
        ["CH-1-0002", "MGMT", "2026-12", "250.00", "2026-12-31"],  # fine, but not written
        ["CH-9-9999", "MGMT", "2026-12", "250.00", "2026-12-31"],
        ["CH-1-0001", "NOPE", "2026-12", "250.00", "2026-12-31"],
        ["CH-1-0001", "MGMT", "2026-13", "250.00", "2026-12-31"],
        ["CH-1-0001", "MGMT", "2026-12", "-5", "2026-12-31"],
        ["CH-1-0001", "MGMT", "2026-12", "250.00", "tomorrow"],
        ["CH-1-0002", "MGMT", "2026-12", "250.00", "2026-12-31"],  # twice in the file
    ]))
    assert [(e["row"], e["field"]) for e in result["errors"]] == [
        (3, "unit"), (4, "item"), (5, "period"), (6, "amount"), (7, "due_date"), (8, "period")]
    assert (result["created"], result["corrected"]) == (0, 0)
    assert list(Bill.objects.order_by("pk").values_list("pk", "amount")) == bills


def test_not_an_xlsx_or_wrong_columns_or_wrong_role(month, cast):
    with pytest.raises(InvalidInput) as garbage:
        bills_import(actor_user=cast["clerk"], content=b"unit,item\n")
    assert list(garbage.value.fields) == ["file"]
    with pytest.raises(InvalidInput) as columns:
        bills_import(actor_user=cast["clerk"], content=xlsx([], header=["unit", "amount"]))
    assert "item" in columns.value.message
    with pytest.raises(NotAllowed):
        bills_import(actor_user=cast["agent"], content=xlsx([]))


def test_import_page_and_collection_figure(client, month, estate, cast, django_assert_max_num_queries):
    client.force_login(cast["clerk"])
    assert "导入" in client.get("/frontdesk/fees/import/").content.decode()
    upload = BytesIO(xlsx([["CH-9-9999", "MGMT", "2026-12", "250.00", "2026-12-31"]]))
    upload.name = "bills.xlsx"
    wrong = client.post("/frontdesk/fees/import/", {"file": upload})
    assert wrong.status_code == 400 and "kefu-import-error" in wrong.content.decode()
    upload = BytesIO(xlsx([["CH-1-0002", "MGMT", "2026-12", "250.00", "2026-12-31"]]))
    upload.name = "bills.xlsx"
    done = client.post("/frontdesk/fees/import/", {"file": upload})
    assert done.status_code == 200 and 'id="import-result"' in done.content.decode()
    assert Bill.objects.filter(unit=month["b"], period="2026-12").count() == 1
    with django_assert_max_num_queries(20):
        page = client.get(f"/frontdesk/fees/arrears/?site={estate['site'].pk}&period=2026-09")
    assert 'id="collection-rate-value">100.00%' in page.content.decode()
