"""The HTML pages: list with filters, create form, notice page and its actions, in both languages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.improvement.models import CorrectiveAction
from kefu.improvement.tests.factories import make_notice, make_proposal, taken

pytestmark = pytest.mark.django_db


def _client(client, user, language=None):
    if language:
        # The language is a per-user choice stored on the staff profile.
        user.staff.language = language
        user.staff.save(update_fields=["language"])
    client.force_login(user)
    return client


def _due(days=10):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_list_filters_and_query_budget(client, cast, org, django_assert_max_num_queries):
    for i in range(10):
        make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], title=f"通知{i}")
    make_proposal(responsible_department=org["stw"])
    c = _client(client, cast["qa"])
    with django_assert_max_num_queries(14):
        response = c.get("/corrective-actions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="kefu-notice-row"') == 11
    assert "纠正措施" in html  # Chinese by default
    response = c.get("/corrective-actions/", {"status": "proposed"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().count('class="kefu-notice-row"') == 1
    assert "<nav" not in response.content.decode()  # a partial
    response = c.get("/corrective-actions/", {"department": org["stw"].pk})
    assert response.content.decode().count('class="kefu-notice-row"') == 1
    response = c.get("/corrective-actions/", {"overdue": "true"})
    assert response.content.decode().count('class="kefu-notice-row"') == 0
    response = c.get("/corrective-actions/", {"department": "abc"})
    assert response.status_code == 200  # a bad filter is shown, never a 500


def test_list_in_english_and_scoped(client, cast, org):
    make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"], title="FRONT notice")
    c = _client(client, cast["other_steward"], "en")
    html = c.get("/corrective-actions/").content.decode()
    assert "Corrective action notices" in html
    assert "FRONT notice" not in html
    assert "New notice" not in html  # stewards do not raise notices


def test_create_form(client, cast, org):
    c = _client(client, cast["supervisor"])
    assert c.get("/corrective-actions/new/").status_code == 200
    options = c.get("/corrective-actions/owners/", {"responsible_department": org["front"].pk}).content.decode()
    assert f'value="{cast["agent"].pk}"' in options
    assert f'value="{cast["technician"].pk}"' not in options
    response = c.post("/corrective-actions/new/", {
        "title": "前台礼仪", "nonconformity": "巡查发现前台未起身迎客。", "responsible_department": org["front"].pk,
        "owner": cast["agent"].pk, "due_date": _due(), "evidence": "巡查记录 | https://example.com/p/1\n/work-orders/5/",
    })
    notice = CorrectiveAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/corrective-actions/{notice.pk}/"
    assert notice.evidence == [{"kind": "link", "label": "巡查记录", "url": "https://example.com/p/1"},
                               {"kind": "work_order", "label": "/work-orders/5/", "url": "/work-orders/5/"}]
    assert notice.issued_by == cast["supervisor"]


def test_create_form_marks_bad_fields_and_writes_nothing(client, cast, org):
    c = _client(client, cast["supervisor"], "en")
    response = c.post("/corrective-actions/new/", {
        "title": "x", "nonconformity": "y", "responsible_department": org["front"].pk,
        "owner": cast["technician"].pk, "due_date": _due()})
    assert response.status_code == 400
    html = response.content.decode()
    assert "owner: the owner must work in the responsible department." in html
    assert "is-invalid" in html
    response = c.post("/corrective-actions/new/", {"title": "", "due_date": "soon"})
    assert response.status_code == 400
    assert CorrectiveAction.objects.count() == 0


def test_create_is_forbidden_for_agents(client, cast):
    assert _client(client, cast["agent"]).get("/corrective-actions/new/").status_code == 403
    assert client.post("/corrective-actions/new/", {"title": "x"}).status_code == 403
    assert CorrectiveAction.objects.count() == 0


def test_detail_shows_allowed_actions(client, cast, org):
    notice = taken(make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"]), cast["agent"])
    owner_html = _client(client, cast["agent"]).get(f"/corrective-actions/{notice.pk}/").content.decode()
    assert 'data-action="verify_effective"' not in owner_html
    assert 'data-action="verify_not_effective"' not in owner_html
    assert "高峰期加开两个席位" in owner_html
    client.logout()
    qa_html = _client(client, cast["qa"]).get(f"/corrective-actions/{notice.pk}/").content.decode()
    assert 'data-action="verify_effective"' in qa_html
    assert 'data-action="verify_not_effective"' in qa_html
    assert _client(client, cast["other_steward"]).get(f"/corrective-actions/{notice.pk}/").status_code == 404


def test_action_post_and_refusals(client, cast, org):
    notice = taken(make_notice(actor=cast["qa"], owner=cast["agent"], department=org["front"]), cast["agent"])
    c = _client(client, cast["agent"])
    denied = c.post(f"/corrective-actions/{notice.pk}/actions/verify_effective/",
                    {"version": notice.version, "verification": "ok"})
    assert denied.status_code == 403
    notice.refresh_from_db()
    assert notice.status == "action_taken"
    c = _client(client, cast["qa"])
    bad = c.post(f"/corrective-actions/{notice.pk}/actions/verify_not_effective/",
                 {"version": notice.version, "verification": "无效"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert 'id="form-verify_not_effective"' in bad.content.decode()
    ok = c.post(f"/corrective-actions/{notice.pk}/actions/verify_not_effective/",
                {"version": notice.version, "verification": "无效", "due_date": _due(20)}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 204
    assert ok["HX-Redirect"] == f"/corrective-actions/{notice.pk}/"
    notice.refresh_from_db()
    assert (notice.status, notice.round) == ("reissued", 2)
    stale = c.post(f"/corrective-actions/{notice.pk}/actions/comment/", {"version": 1, "body": "x"})
    assert stale.status_code == 409  # the page was read before the notice changed
    assert not notice.events.filter(action="comment").exists()
    assert c.post(f"/corrective-actions/{notice.pk}/actions/fly/", {"version": 1}).status_code == 404


def test_issue_dialog_for_a_proposal(client, cast, org):
    notice = make_proposal(responsible_department=org["front"])
    c = _client(client, cast["qa"])
    html = c.get(f"/corrective-actions/{notice.pk}/").content.decode()
    assert 'data-action="issue"' in html and 'data-action="dismiss"' in html
    response = c.post(f"/corrective-actions/{notice.pk}/actions/issue/", {
        "version": notice.version, "responsible_department": org["front"].pk, "owner": cast["agent"].pk,
        "due_date": _due()})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.owner) == ("issued", cast["agent"])
