"""The KPI on-time line is the reports' resolution on-time rate (ADR 0007): counted per order, the
same numerator and denominator for the same orders and period, and its drill-down lists those
orders — the count is the denominator, the ones on time the numerator.

The orders are the reports' hand-calculated fixture (kefu/reports/tests/fixtures.py), all taken by
the agent; the agent's scorecard of 2026 Q1 therefore covers all of them. Q1 holds B2 (February,
met) and March's A1 met, A2 breached, A3 running past due, A4 met, A5 resolved late then reopened
and resolved on time, A6 met: per order 4 of 7 (per clock it would be 5 of 8).
"""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlparse

import pytest
import time_machine
from django.http import QueryDict

from kefu.kpi import selectors
from kefu.kpi.services import scorecard_generate, scorecard_template_create
from kefu.org.selectors import actor_for_user
from kefu.reports import selectors as reports
from kefu.reports.metrics import Period
from kefu.reports.tests.fixtures import NOW, build_month

pytestmark = pytest.mark.django_db

Q1 = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31), "Asia/Shanghai")


@pytest.fixture
def month(cast, org):
    return build_month(cast, org)


def _card(cast, *, order_type=""):
    rows = [{"code": "ontime", "name": "处理及时率", "name_en": "Resolution on time", "weight": "100",
             "source": "on_time_rate", "rule": "linear", "floor": "50", "target": "100", "order_type": order_type}]
    template = scorecard_template_create(actor_user=cast["administrator"], code=f"AG-OT{order_type}",
                                         name="客服员及时率", role="agent", indicators=rows)
    with time_machine.travel(NOW, tick=False):
        card = scorecard_generate(template=template, staff=cast["agent"].staff, year=2026, quarter=1)
    return card, card.lines.select_related("indicator").get()


def _report_orders(cast, url) -> list[str]:
    with time_machine.travel(NOW, tick=False):
        qs, _meta = reports.drill_orders(actor=actor_for_user(cast["manager"]), params=QueryDict(urlparse(url).query))  # type: ignore[arg-type]  # not None on this path (set or checked before)
        return sorted(qs.values_list("number", flat=True))


def test_the_kpi_line_is_the_reports_resolution_on_time_rate(month, cast):
    card, line = _card(cast)
    with time_machine.travel(NOW, tick=False):
        analysis = reports.service_analysis(actor=actor_for_user(cast["manager"]), period=Q1,
                                            scope=reports.Scope(), summary_only=True)
    figure = analysis["resolution_on_time_rate"]
    assert (figure["numerator"], figure["denominator"]) == (4, 7)
    assert (line.numerator, line.denominator) == (Decimal(figure["numerator"]), figure["denominator"])
    assert line.value == Decimal("57.14")  # 4 / 7
    assert line.score == Decimal("14.28")  # linear 50 → 100 on the rounded value: (57.14 − 50) × 2

    # The drill-down lists the same orders as the report's, and its on-time ones are its numerator.
    with time_machine.travel(NOW, tick=False):
        kind, records = selectors.drilldown_records(card, line.indicator)
        rows = {o.number: o for o in records}
    assert kind == "work_orders" and len(rows) == line.denominator == 7
    assert sorted(rows) == _report_orders(cast, figure["denominator_url"])
    assert sorted(n for n, o in rows.items() if not o.sla_late) == _report_orders(cast, figure["numerator_url"])
    orders = month["orders"]
    assert {n for n, o in rows.items() if o.sla_late} == {orders[k].number for k in ("A2", "A3", "A5")}
    # A5: both resolution clocks of the period, the first breached, the second met; A3 still
    # running past its due time reads as breached.
    assert [c.shown_state for c in rows[orders["A5"].number].period_clocks] == ["breached", "met"]
    assert [(c.state, c.shown_state) for c in rows[orders["A3"].number].period_clocks] == [("running", "breached")]


def test_a_type_narrowed_line_equals_the_type_report(month, cast):
    _card_, line = _card(cast, order_type="complaint")
    with time_machine.travel(NOW, tick=False):
        report = reports.type_report(actor=actor_for_user(cast["manager"]), period=Q1, scope=reports.Scope(),
                                     type="complaint")
    figure = report["resolution_on_time_rate"]
    # B2 and A1 met; A2 breached; A3 running past due.
    assert (figure["numerator"], figure["denominator"]) == (2, 4)
    assert (line.numerator, line.denominator, line.value) == (Decimal(2), 4, Decimal("50.00"))


def test_drilldown_page_lists_the_orders_in_both_languages(month, cast, client, django_assert_max_num_queries):
    card, line = _card(cast)
    orders = month["orders"]
    client.force_login(cast["agent"])
    url = f"/kpi/scorecards/{card.pk}/lines/ontime/"
    with time_machine.travel(NOW, tick=False):
        with django_assert_max_num_queries(12):
            response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count('class="kefu-record-row"') == 7 and 'data-count="7"' in html
        assert html.count('data-on-time="1"') == 4 and html.count('data-on-time="0"') == 3
        assert f'data-order="{orders["A5"].number}" data-on-time="0"' in html
        assert html.count('class="kefu-period-clock"') == 8  # A5 has two
        assert 'id="drilldown-value">57.14%<' in html and "= 4 / 7" in html
        assert "共 7 张工单" in html and "本期办结计时" in html and "已超时" in html and "已达标" in html
        cast["agent"].staff.language = "en"
        cast["agent"].staff.save(update_fields=["language"])
        html = client.get(url).content.decode()
    assert "7 work orders" in html and "Resolution clocks in the period" in html
    assert "On time" in html and "Late" in html and "Breached" in html
