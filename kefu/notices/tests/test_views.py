"""Notice pages: compose (preview, bad input kept and named), list, detail with the delivery
figures polled while sending, and the workflow buttons (a stale page is a 409, nothing changed)."""

import pytest
from django.test import Client

from kefu.notices import services
from kefu.notices.models import Notice, NoticeEvent
from kefu.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db
TEXT = "12月8日 9:00-12:00 1、2栋停水，请提前储水。"


def client_for(user, language="zh-hans"):
    user.staff.language = language
    user.staff.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _form(estate, **overrides):
    b1, b2, _b3 = estate["buildings"]
    return {"title": "停水通知", "body": TEXT, "channels": ["sms", "email"], "buildings": [b1.pk, b2.pk],
            "units": "", "tags": "", "send_at": "", **overrides}


def test_compose_previews_and_saves_a_draft(cast, estate):
    client = client_for(cast["steward"], "en")
    page = client.get("/notices/new/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "New notice" in text and "金桂苑" in text
    preview = client.post("/notices/preview/", _form(estate))
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "SMS: 1 part per recipient" in body and "The audience reaches 4 customers." in body
    assert Notice.objects.count() == 0
    saved = client.post("/notices/new/", _form(estate, units="1-101", tags="老人, 停水"))
    notice = Notice.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/notices/{notice.pk}/"
    b1, b2, _b3 = estate["buildings"]
    unit = estate["people"]["1-101"].asset_links.get().asset
    assert (notice.title, notice.body, notice.channels, notice.status, notice.created_by) == (
        "停水通知", TEXT, ["sms", "email"], "draft", cast["steward"])
    assert notice.target == {"buildings": [b1.pk, b2.pk], "units": [unit.pk], "tags": ["停水", "老人"]}
    assert list(NoticeEvent.objects.values_list("action", flat=True)) == ["create"]


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(cast, estate):
    client = client_for(cast["steward"])
    no_audience = client.post("/notices/new/", _form(estate, buildings=[]))
    assert no_audience.status_code == 400
    assert "目标" in no_audience.content.decode() or "target" in no_audience.content.decode()
    unknown_unit = client.post("/notices/new/", _form(estate, units="9-999"))
    assert unknown_unit.status_code == 400 and "9-999" in unknown_unit.content.decode()
    too_long = client.post("/notices/new/", _form(estate, title="停" * 101))
    assert too_long.status_code == 400 and 'id="id_title"' in too_long.content.decode()
    assert 'value="' + "停" * 101 + '"' in too_long.content.decode()  # what was typed is kept
    assert Notice.objects.count() == NoticeEvent.objects.count() == 0
    assert client_for(cast["technician"]).get("/notices/new/").status_code == 404
    assert client_for(cast["technician"]).post("/notices/preview/", _form(estate)).status_code == 404


def _notice(cast, estate):
    b1, b2, _b3 = estate["buildings"]
    return services.notice_create(actor_user=cast["steward"], title="停水通知", body=TEXT, channels=["sms", "email"],
                                  target={"buildings": [b1.pk, b2.pk]})


def test_submit_approve_send_from_the_page_and_the_progress(cast, estate, settings,
                                                          django_capture_on_commit_callbacks,
                                                          django_assert_max_num_queries):
    settings.KEFU_NOTICE_APPROVAL_ABOVE = 2
    notice = _notice(cast, estate)
    steward, supervisor = client_for(cast["steward"]), client_for(cast["supervisor"], "en")
    assert steward.post(f"/notices/{notice.pk}/actions/submit/", {"version": 1}).status_code == 302
    page = steward.get(f"/notices/{notice.pk}/").content.decode()
    assert 'data-action="approve"' not in page and 'data-action="send"' in page
    refused = steward.post(f"/notices/{notice.pk}/actions/send/", {"version": 2})
    assert refused.status_code == 409
    stale = supervisor.post(f"/notices/{notice.pk}/actions/approve/", {"version": 1})
    assert stale.status_code == 409
    assert Notice.objects.get().status == "pending_approval"
    assert supervisor.post(f"/notices/{notice.pk}/actions/approve/", {"version": 2}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert supervisor.post(f"/notices/{notice.pk}/actions/send/", {"version": 3}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.recipients == 4
    with django_assert_max_num_queries(12):
        progress = supervisor.get(f"/notices/{notice.pk}/progress/")
    text = progress.content.decode()
    assert 'id="figure-recipients">4<' in text
    states = list(OutboundMessage.objects.values_list("state", flat=True))
    figure = {s: states.count(s) for s in set(states)}
    assert f'id="figure-logged">{figure.get("logged", 0)}<' in text
    assert f'id="figure-pending">{figure.get("pending", 0)}<' in text
    with django_assert_max_num_queries(25):
        detail = supervisor.get(f"/notices/{notice.pk}/")
    assert "Buildings: 金桂苑" in detail.content.decode()


def test_polling_only_while_sending_and_cancel(cast, estate):
    notice = _notice(cast, estate)
    Notice.objects.filter(pk=notice.pk).update(status="sending")
    client = client_for(cast["steward"])
    assert 'hx-trigger="every 2s"' in client.get(f"/notices/{notice.pk}/progress/").content.decode()
    assert client.post(f"/notices/{notice.pk}/actions/cancel/", {"version": 1, "note": "改期"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "cancelled"
    assert NoticeEvent.objects.filter(action="cancel").get().body == "改期"
    assert 'hx-trigger' not in client.get(f"/notices/{notice.pk}/progress/").content.decode()
    assert client_for(cast["other_steward"]).get(f"/notices/{notice.pk}/").status_code == 404


def test_list_in_both_languages_with_a_query_budget(cast, estate, django_assert_max_num_queries):
    for i in range(3):
        services.notice_create(actor_user=cast["steward"], title=f"通知{i}", body=TEXT, channels=["sms"],
                               target={"sites": [estate["site"].pk]})
    # the page's own queries are a count and the page of rows: the rest is the base page (menu, session)
    with django_assert_max_num_queries(30):
        zh = client_for(cast["steward"]).get("/notices/")
    assert zh.content.decode().count("kefu-notice-row") == 3
    en = client_for(cast["steward"], "en").get("/notices/?status=draft").content.decode()
    assert "3 notices" in en and "New notice" in en
    assert client_for(cast["steward"], "en").get("/notices/?status=sent").content.decode().count("kefu-notice-row") == 0


def test_the_lobby_pdf(cast, estate):
    from io import BytesIO

    from pypdf import PdfReader

    notice = _notice(cast, estate)
    response = client_for(cast["steward"]).get(f"/notices/{notice.pk}/print/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    reader = PdfReader(BytesIO(response.content))
    width, height = (round(float(v)) for v in reader.pages[0].mediabox.upper_right)
    assert (len(reader.pages), width, height) == (1, 595, 842)  # one A4 page
    text = reader.pages[0].extract_text()
    assert "停水通知" in text and "请提前储水" in text and notice.department.name in text
    assert client_for(cast["other_steward"]).get(f"/notices/{notice.pk}/print/").status_code == 404
