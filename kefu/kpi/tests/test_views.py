"""The KPI pages: my scorecard, my team's (with its query budget), manual entry and sign-off,
the drill-down whose count equals the figure, and the semi-annual review form."""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from kefu.kpi.models import CompetencyReview, ReviewForm, Scorecard
from kefu.kpi.tests.factories import make_scorecard
from kefu.org.tests.factories import make_staff
from kefu.quality.services import qa_check_transition
from kefu.quality.tests.factories import ALL_FULL, FAILING, sample_checks

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture(autouse=True)
def _in_q4():
    with time_machine.travel(NOW, tick=True):
        yield


def _client(client, user, language=None):
    if language:
        user.staff.language = language
        user.staff.save(update_fields=["language"])
    client.force_login(user)
    return client


def test_my_and_team_pages(client, cast, org, django_assert_max_num_queries):
    mine = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    for i in range(8):
        make_scorecard(user=make_staff(role="supervisor", department=org["front"], username=f"sup{i}").user,
                       template="CS-INTAKE-SUPERVISOR-Q")
    c = _client(client, cast["supervisor"])
    html = c.get("/kpi/").content.decode()
    assert html.count('kefu-scorecard-row') == 1 and "我的考核" in html and f'data-scorecard="{mine.pk}"' in html
    c = _client(client, cast["manager"])
    with django_assert_max_num_queries(12):
        response = c.get("/kpi/team/", {"year": 2026, "quarter": 4})
    assert response.status_code == 200
    assert response.content.decode().count('class="kefu-scorecard-row"') == 9
    assert c.get("/kpi/team/", {"year": 2026, "quarter": 3}).content.decode().count('class="kefu-scorecard-row"') == 0
    # an agent has no team: nothing leaks
    assert _client(client, cast["agent"]).get("/kpi/team/").content.decode().count("kefu-scorecard-row") == 0
    assert _client(client, cast["agent"]).get(f"/kpi/scorecards/{mine.pk}/").status_code == 404


def test_manager_enters_values_and_signs_off_in_english(client, cast):
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    c = _client(client, cast["manager"], language="en")
    page = c.get(f"/kpi/scorecards/{card.pk}/").content.decode()
    assert 'id="form-enter-mbo"' in page and 'id="form-enter-team_skill"' not in page and "MBO management" in page
    response = c.post(f"/kpi/scorecards/{card.pk}/enter/mbo/", {"version": card.version, "value": "120"})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    for code, value in (("mbo", "90"), ("internal_satisfaction", "80"), ("report_timeliness", "80")):
        card.refresh_from_db()
        assert c.post(f"/kpi/scorecards/{card.pk}/enter/{code}/", {"version": card.version, "value": value}
                      ).status_code == 302
    card.refresh_from_db()
    assert c.post(f"/kpi/scorecards/{card.pk}/sign-off/", {"version": card.version}).status_code == 302
    card.refresh_from_db()
    assert (card.status, str(card.total_score)) == ("signed_off", "33.00")
    page = c.get(f"/kpi/scorecards/{card.pk}/").content.decode()
    assert 'id="scorecard-locked"' in page and "form-enter-" not in page and 'id="form-sign_off"' not in page
    response = c.post(f"/kpi/scorecards/{card.pk}/enter/mbo/", {"version": card.version, "value": "10"})
    assert response.status_code == 409
    assert Scorecard.objects.get(pk=card.pk).lines.get(indicator__code="mbo").value == 90


def test_drilldown_count_equals_the_figure(client, cast):
    first, second = sample_checks(agent=cast["agent"], orders=3, per_agent=2)
    qa_check_transition(check=first, action="score", actor_user=cast["qa"], scores=ALL_FULL)
    qa_check_transition(check=second, action="score", actor_user=cast["qa"], scores=FAILING)
    card = make_scorecard(user=cast["supervisor"], template="CS-INTAKE-SUPERVISOR-Q")
    c = _client(client, cast["manager"])
    page = c.get(f"/kpi/scorecards/{card.pk}/").content.decode()
    assert f'href="/kpi/scorecards/{card.pk}/lines/team_skill/"' in page
    html = c.get(f"/kpi/scorecards/{card.pk}/lines/team_skill/").content.decode()
    assert 'data-count="2"' in html and html.count('class="kefu-record-row"') == 2
    assert 'id="drilldown-value">50.00%<' in html
    html = c.get(f"/kpi/scorecards/{card.pk}/lines/service_quality/").content.decode()
    assert 'id="drilldown-value">79.25<' in html  # (100 + 58.5) / 2
    assert c.get(f"/kpi/scorecards/{card.pk}/lines/mbo/").status_code == 404


def test_review_form(client, cast):
    form = ReviewForm.objects.get(code="CS-INTAKE-SUPERVISOR-H")
    c = _client(client, cast["manager"])
    assert "kefu-reviewable" in c.get("/kpi/reviews/").content.decode()
    url = f"/kpi/reviews/new/{cast['supervisor'].pk}/"
    assert "核心能力" in c.get(url).content.decode()
    data = {"year": 2026, "half": 2, "comment": "好", **{f"item_{i.pk}": 4 for i in form.items.all()}}
    bad = {**data, f"item_{form.items.first().pk}": ""}
    assert c.post(url, bad).status_code == 400
    assert not CompetencyReview.objects.exists()
    assert c.post(url, data).status_code == 302
    assert str(CompetencyReview.objects.get().average) == "4.00"
    assert _client(client, cast["agent"]).get(url).status_code == 404
