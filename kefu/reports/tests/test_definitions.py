"""The in-app definitions page: every figure with its formula, numerator and denominator, in both
languages; every ⓘ of the service analysis and the per-type reports links to a definition that
is on the page."""

import re

import pytest
import time_machine
from django.urls import reverse

from kefu.reports import metrics
from kefu.reports.tests.fixtures import NOW, build_month

pytestmark = pytest.mark.django_db

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
ANCHOR = re.compile(r'href="/reports/definitions/#def-([a-z0-9_]+)"')


def _anchors(html: str) -> set[str]:
    return set(re.findall(r'id="def-([a-z0-9_]+)"', html))


@pytest.mark.parametrize("language, title, formula", [
    ("zh-hans", "各指标口径", "按时数 ÷ 已判定数 × 100%"),
    ("en", "How each figure is counted", "on time ÷ decided × 100%"),
])
def test_the_page_lists_every_figure_with_formula_numerator_and_denominator(client, cast, language, title, formula,
                                                                             django_assert_max_num_queries):
    from kefu.org.models import Staff

    Staff.objects.filter(user=cast["manager"]).update(language=language)
    client.force_login(cast["manager"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("reports:definitions"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{title}" in html
    keys = [f.key for f in metrics.figure_definitions()]
    assert _anchors(html) == set(keys)
    assert len(keys) == len(set(keys)) == 18
    section = html[html.index('id="def-first_response_on_time_rate"'):html.index('id="def-resolution_on_time_rate"')]
    assert formula in section
    assert section.count('data-part="numerator"') == 1 and section.count('data-part="denominator"') == 1
    # every rate names a numerator and a denominator in words
    for figure in metrics.figure_definitions():
        assert figure.name and figure.formula and figure.numerator and figure.basis
        if figure.key.endswith("rate") or figure.key in ("callback_coverage", "campaign_satisfaction"):
            assert "÷" in figure.formula and figure.denominator != "—", figure.key


def test_every_info_link_of_the_reports_points_to_a_definition_on_the_page(client, cast, org):
    build_month(cast, org)
    client.force_login(cast["manager"])
    definitions = _anchors(client.get(reverse("reports:definitions")).content.decode())
    with time_machine.travel(NOW, tick=False):
        analysis = client.get(reverse("reports:service_analysis"), MARCH).content.decode()
        complaint = client.get(reverse("reports:type_report", args=["complaint"]), MARCH).content.decode()
    linked = set(ANCHOR.findall(analysis))
    assert linked >= {"total", "first_response_on_time_rate", "resolution_on_time_rate", "fcr_rate",
                      "satisfaction_rate", "response_rate", "complaint_rate", "by_category", "business_time",
                      "backlog"}
    assert linked <= definitions
    assert set(ANCHOR.findall(complaint)) <= definitions and ANCHOR.findall(complaint)
    assert "bi-info-circle" in analysis and analysis.count("bi-info-circle") == analysis.count("kefu-definition") + 1
    assert "docs/metrics.md" not in analysis + complaint


def test_vendor_may_not_read_the_definitions(client, cast):
    client.force_login(cast["vendor"])
    assert client.get(reverse("reports:definitions")).status_code == 403
