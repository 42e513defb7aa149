"""The QA pages: the queue (with its query budget), the check page and its action forms, in both
languages; refusals render a marked form and write nothing."""

import pytest

from kefu.quality.models import QACheck, QACheckEvent
from kefu.quality.tests.factories import ALL_FULL, FAILING, sample_checks, scored_check

pytestmark = pytest.mark.django_db


def _client(client, user, language=None):
    if language:
        user.staff.language = language
        user.staff.save(update_fields=["language"])
    client.force_login(user)
    return client


def _score_post(check, scores, comment=""):
    return {"version": check.version, "comment": comment, **{f"score_{k}": v for k, v in scores.items()}}


def test_queue_lists_checks_within_a_query_budget(client, cast, django_assert_max_num_queries):
    sample_checks(agent=cast["agent"], orders=12, per_agent=12)
    c = _client(client, cast["qa"])
    with django_assert_max_num_queries(14):
        response = c.get("/quality/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="kefu-check-row"') == 12
    assert "质检" in html and "待评分" in html
    response = c.get("/quality/", {"status": "scored"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().count('class="kefu-check-row"') == 0
    assert "<nav class" not in response.content.decode()


def test_visibility_in_the_queue(client, cast, org):
    from kefu.org.tests.factories import make_staff

    other_agent = make_staff(role="agent", department=org["oteam"], username="agent_far").user
    sample_checks(agent=cast["agent"], orders=2, per_agent=2)
    sample_checks(agent=other_agent, orders=1)  # already sampled agent skipped; other agent drawn
    assert QACheck.objects.count() == 3
    counts = {}
    for name in ("qa", "supervisor", "agent", "steward", "other_steward"):
        client.force_login(cast[name])
        counts[name] = client.get("/quality/").content.decode().count('class="kefu-check-row"')
    assert counts == {"qa": 3, "supervisor": 2, "agent": 2, "steward": 0, "other_steward": 0}
    far = QACheck.objects.get(agent=other_agent)
    client.force_login(cast["supervisor"])
    assert client.get(f"/quality/{far.pk}/").status_code == 404


def test_qa_scores_on_the_page_in_english(client, cast):
    check = sample_checks(agent=cast["agent"])[0]
    c = _client(client, cast["qa"], language="en")
    page = c.get(f"/quality/{check.pk}/").content.decode()
    assert 'id="form-score"' in page and "Greeting and etiquette (15%)" in page
    response = c.post(f"/quality/{check.pk}/actions/score/", _score_post(check, {**ALL_FULL, "readback": 101}))
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    check.refresh_from_db()
    assert (check.status, check.version) == ("pending", 1)
    response = c.post(f"/quality/{check.pk}/actions/score/", _score_post(check, FAILING, "未复述"))
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.status, str(check.score), check.passed) == ("scored", "58.50", False)


def test_agent_appeals_on_the_page_and_a_second_appeal_is_refused(client, cast):
    check = scored_check(agent=cast["agent"], qa=cast["qa"], scores=FAILING)
    c = _client(client, cast["agent"])
    page = c.get(f"/quality/{check.pk}/").content.decode()
    assert 'id="form-appeal"' in page and 'id="form-score"' not in page
    response = c.post(f"/quality/{check.pk}/actions/appeal/", {"version": check.version, "reason": ""})
    assert response.status_code == 400
    response = c.post(f"/quality/{check.pk}/actions/appeal/", {"version": check.version, "reason": "客户拒绝复述"})
    assert response.status_code == 302
    response = c.post(f"/quality/{check.pk}/actions/appeal/", {"version": check.version + 1, "reason": "再次"})
    assert response.status_code == 409
    assert "已经申诉过一次" in response.content.decode()
    assert QACheckEvent.objects.filter(qa_check=check, action="appeal").count() == 1


def test_supervisor_decides_and_raises_a_notice(client, cast):
    check = scored_check(agent=cast["agent"], qa=cast["qa"], scores=FAILING)
    _client(client, cast["agent"]).post(f"/quality/{check.pk}/actions/appeal/",
                                        {"version": check.version, "reason": "不服"})
    check.refresh_from_db()
    c = _client(client, cast["supervisor"])
    page = c.get(f"/quality/{check.pk}/").content.decode()
    assert 'id="form-uphold"' in page and 'id="form-amend"' in page
    response = c.post(f"/quality/{check.pk}/actions/uphold/", {"version": check.version, "comment": "录音为证"})
    assert response.status_code == 302
    check.refresh_from_db()
    response = c.post(f"/quality/{check.pk}/actions/raise_corrective_action/", {"version": check.version, "note": ""})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.status == "final" and check.corrective_action.source == "qa_check"
    assert 'id="check-notice"' in c.get(f"/quality/{check.pk}/").content.decode()


# --- the scoring form (issue #20): guides, the running total's hooks, the agent's notes -----------

def test_score_form_shows_guides_pass_line_and_the_agents_notes(client, cast, django_assert_max_num_queries):
    from kefu.workorders.tests.factories import advance

    check = sample_checks(agent=cast["agent"])[0]
    advance(check.work_order, cast["agent"], ("comment", {"body": "客户要求周末上门", "internal": True}))
    c = _client(client, cast["qa"])
    with django_assert_max_num_queries(30):
        response = c.get(f"/quality/{check.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="form-text kefu-qa-guide"') == 6
    assert "挂机前完整复述诉求、地址和承诺时间并获客户确认。" in html
    assert 'data-threshold="80.00"' in html and 'data-weight="15"' in html and "qa-score.js" in html
    assert 'id="agent-notes"' in html and "客户要求周末上门" in html
    html = _client(client, cast["qa"], "en").get(f"/quality/{check.pk}/").content.decode()
    assert "Request, address and promised time read back in full" in html and "Weighted total" in html
