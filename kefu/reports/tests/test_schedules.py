"""Report schedules: the services (create, update, pause, delete, run now and the rule that keeps a
change of frequency from resending or skipping a period), the pages and the API — permissions per
role, validation errors naming the field, nothing written on denial, query budgets."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.notifications.models import OutboundMessage
from kefu.reports import selectors, services
from kefu.reports.models import GeneratedReport, ReportSchedule

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
BASE = "http://kefu.test"


def at(year, month, day, hour=10, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KEFU_PUBLIC_BASE_URL = BASE


def make(owner, **values) -> ReportSchedule:
    args = {"name": "客服周报", "report": "service_analysis", "frequency": "weekly",
            "recipients": ["boss@example.com", "ops@example.com"], **values}
    return services.report_schedule_create(actor_user=owner, **args)


def run(when) -> list[tuple[dt.date, dt.date]]:
    with time_machine.travel(when, tick=False):
        return [(g.period_start, g.period_end) for g in services.report_schedules_run(base_url=BASE)]


def snapshot(schedule) -> dict:
    row = ReportSchedule.objects.filter(pk=schedule.pk).values().first()
    row.pop("created_at", None)  # type: ignore[union-attr, misc]  # not None on this path (set or checked before)
    return row  # type: ignore[return-value]  # not None on this path (set or checked before)


def files(schedule) -> list[tuple[dt.date, dt.date]]:
    return list(GeneratedReport.objects.filter(schedule=schedule).order_by("period_start", "period_end")
                .values_list("period_start", "period_end"))


def d(text) -> dt.date:
    return dt.date.fromisoformat(text)


# --- services ------------------------------------------------------------------------------------

def test_create_then_update_validates_together_and_keeps_the_owner(cast, org):
    schedule = make(cast["manager"], recipients=["boss@example.com", " BOSS@example.com ", "ops@example.com"],
                    scope={"team": org["front"].pk, "site": ""})
    assert schedule.recipients == ["boss@example.com", "ops@example.com"]
    assert schedule.scope == {"team": org["front"].pk}
    assert (schedule.owner, schedule.is_active, schedule.last_period_start) == (cast["manager"], True, None)

    updated = services.report_schedule_update(actor_user=cast["manager"], schedule=schedule, report="complaint",
                                              file_format="pdf", scope={"department": org["cs"].pk})
    row = ReportSchedule.objects.get(pk=schedule.pk)
    assert (row.name, row.report, row.file_format, row.frequency) == ("客服周报", "complaint", "pdf", "weekly")
    assert row.scope == {"department": org["cs"].pk}
    assert row.recipients == ["boss@example.com", "ops@example.com"]
    assert row.owner == cast["manager"] and updated.pk == row.pk


@pytest.mark.parametrize("changes, field", [
    ({"recipients": ["boss@example.com", "not-an-address"]}, "recipients"),
    ({"recipients": []}, "recipients"),
    ({"recipients": [f"u{i}@example.com" for i in range(51)]}, "recipients"),
    ({"report": "evidence"}, "file_format"),  # the schedule is PDF: evidence is xlsx only
    ({"frequency": "daily"}, "frequency"),
    ({"name": "  "}, "name"),
    ({"scope": {"team": 999999}}, "scope.team"),
    ({"scope": {"site": "x"}}, "scope.site"),
    ({"report": "nope"}, "report"),
])
def test_bad_update_names_the_field_and_changes_nothing(cast, changes, field):
    schedule = make(cast["manager"], file_format="pdf")
    before = snapshot(schedule)
    with pytest.raises(InvalidInput) as error:
        services.report_schedule_update(actor_user=cast["manager"], schedule=schedule, **changes)
    assert list(error.value.fields) == [field]
    assert snapshot(schedule) == before


@pytest.mark.parametrize("who, refusal", [
    ("steward", NotFound),       # department visibility, not the owner: not even visible
    ("technician", NotFound),
    ("director", NotAllowed),    # sees every schedule, may change only their own
    ("agent", NotAllowed),
    ("qa", NotAllowed),
    ("vendor", NotAllowed),      # may not read reports at all
])
def test_only_the_owner_or_an_administrator_changes_a_schedule(cast, who, refusal):
    schedule = make(cast["supervisor"])
    before = snapshot(schedule)
    actor = cast[who]
    calls = [
        lambda: services.report_schedule_update(actor_user=actor, schedule=schedule, name="改名"),
        lambda: services.report_schedule_set_active(actor_user=actor, schedule=schedule, is_active=False),
        lambda: services.report_schedule_run_now(actor_user=actor, schedule=schedule, base_url=BASE,
                                                 now=at(2026, 6, 10)),
        lambda: services.report_schedule_delete(actor_user=actor, schedule=schedule),
    ]
    for call in calls:
        with pytest.raises(refusal):
            call()
    assert snapshot(schedule) == before
    assert not GeneratedReport.objects.exists() and not OutboundMessage.objects.exists()


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_an_administrator_may_change_anyones_schedule(cast, superuser, who):
    admin = superuser if who == "superuser" else cast["administrator"]
    schedule = make(cast["supervisor"])
    services.report_schedule_update(actor_user=admin, schedule=schedule, name="管理员改名")
    services.report_schedule_set_active(actor_user=admin, schedule=schedule, is_active=False)
    row = ReportSchedule.objects.get(pk=schedule.pk)
    assert (row.name, row.is_active, row.owner) == ("管理员改名", False, cast["supervisor"])
    services.report_schedule_delete(actor_user=admin, schedule=schedule)
    assert not ReportSchedule.objects.exists()


def test_weekly_to_monthly_neither_resends_nor_skips(cast):
    schedule = make(cast["manager"])
    assert run(at(2026, 6, 8, 9, 5)) == [(d("2026-06-01"), d("2026-06-07"))]
    with time_machine.travel(at(2026, 6, 10), tick=False):
        services.report_schedule_update(actor_user=cast["manager"], schedule=schedule, frequency="monthly")
    # May ended before the weekly files' last day: it counts as delivered.
    assert ReportSchedule.objects.get(pk=schedule.pk).last_period_start == d("2026-05-01")
    assert run(at(2026, 6, 10, 11)) == []
    # June starts on the same Monday as the weekly file, and is still delivered.
    assert run(at(2026, 7, 1, 9, 5)) == [(d("2026-06-01"), d("2026-06-30"))]
    assert files(schedule) == [(d("2026-06-01"), d("2026-06-07")), (d("2026-06-01"), d("2026-06-30"))]


def test_monthly_to_weekly_delivers_the_first_week_not_covered(cast):
    schedule = make(cast["manager"], frequency="monthly")
    assert run(at(2026, 5, 1, 9, 5)) == [(d("2026-04-01"), d("2026-04-30"))]
    services.report_schedule_update(actor_user=cast["manager"], schedule=schedule, frequency="weekly")
    assert ReportSchedule.objects.get(pk=schedule.pk).last_period_start == d("2026-04-20")  # week ending 04-26
    # The week 04-27 – 05-03 holds 1–3 May, which no file covers: sent at the next run, once.
    assert run(at(2026, 5, 5, 10, 5)) == [(d("2026-04-27"), d("2026-05-03"))]
    assert run(at(2026, 5, 5, 11, 5)) == []
    assert run(at(2026, 5, 11, 9, 5)) == [(d("2026-05-04"), d("2026-05-10"))]


def test_switching_back_and_forth_does_not_resend_the_delivered_week(cast):
    schedule = make(cast["manager"])
    run(at(2026, 6, 8, 9, 5))
    services.report_schedule_update(actor_user=cast["manager"], schedule=schedule, frequency="monthly")
    services.report_schedule_update(actor_user=cast["manager"], schedule=schedule, frequency="weekly")
    assert ReportSchedule.objects.get(pk=schedule.pk).last_period_start == d("2026-06-01")
    assert run(at(2026, 6, 10, 11)) == []
    assert OutboundMessage.objects.count() == 2  # the first run's two recipients only


def test_other_changes_keep_the_marker(cast, org):
    schedule = make(cast["manager"])
    run(at(2026, 6, 8, 9, 5))
    services.report_schedule_update(actor_user=cast["manager"], schedule=schedule, report="complaint",
                                    scope={"team": org["front"].pk}, recipients=["new@example.com"])
    assert run(at(2026, 6, 9)) == []  # last week is not delivered again in the new form
    assert run(at(2026, 6, 15, 9, 5)) == [(d("2026-06-08"), d("2026-06-14"))]
    latest = GeneratedReport.objects.filter(schedule=schedule).order_by("-period_start").first()
    assert (latest.report, latest.scope) == ("complaint", {"team": org["front"].pk})
    assert OutboundMessage.objects.filter(to_address="new@example.com").count() == 1


def test_paused_sends_nothing_and_resumed_delivers_the_latest_period(cast):
    schedule = make(cast["manager"])
    run(at(2026, 6, 8, 9, 5))
    services.report_schedule_set_active(actor_user=cast["manager"], schedule=schedule, is_active=False)
    assert run(at(2026, 6, 22, 9, 5)) == []
    services.report_schedule_set_active(actor_user=cast["manager"], schedule=schedule, is_active=True)
    assert run(at(2026, 6, 23)) == [(d("2026-06-15"), d("2026-06-21"))]  # the week inside the pause is not caught up


def test_run_now_generates_once_and_says_so_the_second_time(cast):
    schedule = make(cast["manager"])
    generated, created = services.report_schedule_run_now(actor_user=cast["manager"], schedule=schedule,
                                                          base_url=BASE, now=at(2026, 6, 10))
    assert created is True
    assert (generated.period_start, generated.period_end, generated.schedule_id) == (
        d("2026-06-01"), d("2026-06-07"), schedule.pk)
    link = f"{BASE}/reports/generated/{generated.pk}/"
    assert sorted(OutboundMessage.objects.values_list("to_address", flat=True)) == ["boss@example.com",
                                                                                   "ops@example.com"]
    assert all(link in body for body in OutboundMessage.objects.values_list("body", flat=True))
    assert ReportSchedule.objects.get(pk=schedule.pk).last_period_start == d("2026-06-01")

    again, created = services.report_schedule_run_now(actor_user=cast["manager"], schedule=schedule,
                                                      base_url=BASE, now=at(2026, 6, 11))
    assert (again.pk, created) == (generated.pk, False)
    assert run(at(2026, 6, 11, 10, 5)) == []  # nor does the hourly run send it again
    assert OutboundMessage.objects.count() == 2 and GeneratedReport.objects.count() == 1


def test_run_now_of_a_paused_schedule_is_refused(cast):
    schedule = make(cast["manager"], is_active=False)
    with pytest.raises(Conflict) as error:
        services.report_schedule_run_now(actor_user=cast["manager"], schedule=schedule, now=at(2026, 6, 10))
    assert error.value.code == "paused"
    assert not GeneratedReport.objects.exists() and not OutboundMessage.objects.exists()


def test_deleting_keeps_the_files_and_their_links(cast, client):
    schedule = make(cast["manager"])
    generated, _created = services.report_schedule_run_now(actor_user=cast["manager"], schedule=schedule,
                                                           now=at(2026, 6, 10))
    services.report_schedule_delete(actor_user=cast["manager"], schedule=schedule)
    assert not ReportSchedule.objects.exists()
    generated.refresh_from_db()
    assert generated.schedule_id is None
    client.force_login(cast["manager"])
    assert client.get(reverse("reports:generated_download", args=[generated.pk])).status_code == 200


# --- pages ------------------------------------------------------------------------------------------

def _with_files(owner, count, org, site):
    made = []
    for i in range(count):
        schedule = make(owner, name=f"计划{i:02d}", scope={"site": site.pk, "team": org["front"].pk,
                                                           "agent": owner.pk})
        GeneratedReport.objects.create(report="service_analysis", file_format="xlsx", period_start=d("2026-06-01"),
                                       period_end=d("2026-06-07"), file=f"reports/202606/s{i}.xlsx",
                                       schedule=schedule, generated_by=owner, created_at=at(2026, 6, 8, 9, 5))
        made.append(schedule)
    return made


def test_list_page_per_role(cast, org, client):
    mine = make(cast["supervisor"], name="A 主管周报")
    theirs = make(cast["manager"], name="B 经理月报", frequency="monthly")
    client.force_login(cast["supervisor"])
    page = client.get(reverse("reports:schedules"))
    assert page.status_code == 200
    assert [r["schedule"].pk for r in page.context["rows"]] == [mine.pk]
    assert page.context["show_owner"] is False
    client.force_login(cast["director"])  # sees all, may change none of them
    page = client.get(reverse("reports:schedules"))
    assert [(r["schedule"].pk, r["may_change"]) for r in page.context["rows"]] == [(mine.pk, False),
                                                                                  (theirs.pk, False)]
    body = page.content.decode()
    assert page.context["show_owner"] is True and "kefu-schedule-run" not in body
    client.force_login(cast["administrator"])
    page = client.get(reverse("reports:schedules"))
    assert [r["may_change"] for r in page.context["rows"]] == [True, True]
    client.force_login(cast["vendor"])
    assert client.get(reverse("reports:schedules")).status_code == 403


@pytest.mark.parametrize("language, text", [("zh-hans", "报表计划"), ("en", "Report schedules")])
def test_list_page_query_budget_does_not_grow_with_schedules(cast, org, client, language, text,
                                                             django_assert_max_num_queries):
    from kefu.customers.tests.factories import make_site
    from kefu.org.models import Staff

    Staff.objects.filter(user=cast["manager"]).update(language=language)
    site = make_site(name="阳光花园")
    _with_files(cast["manager"], 2, org, site)
    client.force_login(cast["manager"])
    # session, user, staff, role, department, schedules, sites, departments, agents, unread count,
    # and whether the owner still sees the scope's sites, teams and agents
    with django_assert_max_num_queries(14) as small:
        response = client.get(reverse("reports:schedules"))
    assert response.status_code == 200 and text in response.content.decode()
    _with_files(cast["manager"], 8, org, site)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("reports:schedules"))
    rows = response.context["rows"]
    assert len(rows) == 10
    assert rows[0]["scope_labels"] == ["阳光花园", "前台组", cast["manager"].staff.display_name]
    body = response.content.decode()
    assert f'href="/reports/generated/{rows[0]["schedule"].latest_id}/"' in body
    assert "2026-06-01 – 2026-06-07" in body


def test_create_form(cast, org, client):
    from kefu.org.models import Staff

    Staff.objects.filter(user=cast["director"]).update(language="en")
    client.force_login(cast["director"])
    body = client.get(reverse("reports:schedule_create")).content.decode()
    assert "New report schedule" in body and "One email address per line" in body
    client.force_login(cast["manager"])
    body = client.get(reverse("reports:schedule_create")).content.decode()
    assert "新建报表计划" in body and "每周（周一 09:00，上周）" in body
    response = client.post(reverse("reports:schedule_create"), {
        "name": "投诉周报", "report": "complaint", "file_format": "pdf", "frequency": "weekly",
        "team": str(org["front"].pk), "site": "", "recipients": "a@example.com\nb@example.com，c@example.com",
        "is_active": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("reports:schedules")
    row = ReportSchedule.objects.get()
    assert (row.name, row.report, row.file_format, row.frequency, row.owner, row.is_active) == (
        "投诉周报", "complaint", "pdf", "weekly", cast["manager"], True)
    assert row.recipients == ["a@example.com", "b@example.com", "c@example.com"]
    assert row.scope == {"team": org["front"].pk}


@pytest.mark.parametrize("changes, field_id", [
    ({"recipients": "a@example.com, nope"}, "id_recipients"),
    ({"recipients": ""}, "id_recipients"),
    ({"name": ""}, "id_name"),
    ({"site": "999999"}, "id_site"),
    ({"agent": "x"}, "id_agent"),
    ({"report": "evidence", "file_format": "pdf"}, "id_file_format"),
])
def test_bad_form_marks_the_field_and_writes_nothing(cast, client, changes, field_id):
    client.force_login(cast["manager"])
    data = {"name": "周报", "report": "complaint", "file_format": "xlsx", "frequency": "weekly",
            "recipients": "a@example.com", **changes}
    response = client.post(reverse("reports:schedule_create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    start = body.index(f'id="{field_id}"')
    assert "is-invalid" in body[body.rindex("<", 0, start):start + 200]
    assert not ReportSchedule.objects.exists()


def test_edit_pause_run_delete_pages_for_the_owner(cast, org, client):
    schedule = make(cast["manager"])
    client.force_login(cast["manager"])
    edit = reverse("reports:schedule_edit", args=[schedule.pk])
    page = client.get(edit)
    assert page.status_code == 200 and "boss@example.com\nops@example.com" in page.content.decode()
    response = client.post(edit, {"name": "月报", "report": "service_analysis", "file_format": "xlsx",
                                  "frequency": "monthly", "recipients": "boss@example.com", "is_active": "1"})
    assert response.status_code == 302
    row = ReportSchedule.objects.get(pk=schedule.pk)
    assert (row.name, row.frequency, row.recipients) == ("月报", "monthly", ["boss@example.com"])

    client.post(reverse("reports:schedule_set_active", args=[schedule.pk]), {"is_active": "0"})
    assert ReportSchedule.objects.get(pk=schedule.pk).is_active is False
    response = client.post(reverse("reports:schedule_run", args=[schedule.pk]), follow=True)
    assert "请先恢复再发送报表" in response.content.decode() and not GeneratedReport.objects.exists()
    client.post(reverse("reports:schedule_set_active", args=[schedule.pk]), {"is_active": "1"})

    with time_machine.travel(at(2026, 6, 10), tick=False):
        response = client.post(reverse("reports:schedule_run", args=[schedule.pk]), follow=True)
        generated = GeneratedReport.objects.get(schedule=schedule)
        assert (generated.period_start, generated.period_end) == (d("2026-05-01"), d("2026-05-31"))
        body = response.content.decode()
        assert "已生成，并已通过邮件发送给 1 位收件人" in body
        assert f'href="/reports/generated/{generated.pk}/"' in body
        body = client.post(reverse("reports:schedule_run", args=[schedule.pk]), follow=True).content.decode()
        assert "此前已生成，本次未重复发送" in body
    assert OutboundMessage.objects.count() == 1

    delete = reverse("reports:schedule_delete", args=[schedule.pk])
    assert client.get(delete).status_code == 200 and ReportSchedule.objects.exists()
    assert client.post(delete).status_code == 302
    assert not ReportSchedule.objects.exists() and GeneratedReport.objects.count() == 1


@pytest.mark.parametrize("who, status", [("director", 403), ("agent", 403), ("steward", 404), ("vendor", 403)])
def test_pages_refuse_others_and_change_nothing(cast, client, who, status):
    schedule = make(cast["supervisor"])
    before = snapshot(schedule)
    client.force_login(cast[who])
    urls = [reverse(name, args=[schedule.pk]) for name in ("reports:schedule_edit", "reports:schedule_set_active",
                                                           "reports:schedule_run", "reports:schedule_delete")]
    assert client.get(urls[0]).status_code == status
    assert client.get(urls[3]).status_code == status
    for url in urls:
        assert client.post(url, {"name": "改名", "report": "complaint", "frequency": "monthly",
                                 "recipients": "x@example.com", "is_active": "0"}).status_code == status
    assert snapshot(schedule) == before
    assert not GeneratedReport.objects.exists() and not OutboundMessage.objects.exists()


# --- API --------------------------------------------------------------------------------------------

API = "/api/v1/reports/schedules/"


def test_api_create_list_retrieve_patch_delete(cast, org, api):
    client = api(cast["manager"])
    response = client.post(API, {"name": "投诉月报", "report": "complaint", "frequency": "monthly",
                                 "recipients": ["boss@example.com"], "scope": {"team": org["front"].pk,
                                                                               "site": None}}, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    pk = created["id"]
    assert {k: created[k] for k in ("name", "report", "file_format", "frequency", "recipients", "owner",
                                    "is_active", "last_period_start", "latest_generated", "may_change")} == {
        "name": "投诉月报", "report": "complaint", "file_format": "xlsx", "frequency": "monthly",
        "recipients": ["boss@example.com"], "owner": cast["manager"].pk, "is_active": True,
        "last_period_start": None, "latest_generated": None, "may_change": True}
    assert created["scope"] == {"site": None, "department": None, "team": org["front"].pk, "agent": None}
    assert created["scope_labels"] == {"team": "前台组"}

    listed = client.get(API).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pk

    response = client.patch(f"{API}{pk}/", {"frequency": "weekly", "is_active": False}, format="json")
    assert response.status_code == 200
    assert (response.json()["frequency"], response.json()["is_active"], response.json()["name"]) == (
        "weekly", False, "投诉月报")

    client.patch(f"{API}{pk}/", {"is_active": True}, format="json")
    with time_machine.travel(at(2026, 6, 10), tick=False):
        first = client.post(f"{API}{pk}/run/")
        second = client.post(f"{API}{pk}/run/")
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["generated"]["period_start"] == "2026-06-01" and second.json()["created"] is False
    assert first.json()["generated"]["id"] == second.json()["generated"]["id"]
    latest = client.get(f"{API}{pk}/").json()["latest_generated"]
    assert latest == {"id": first.json()["generated"]["id"], "period_start": "2026-06-01",
                      "period_end": "2026-06-07", "url": f"/reports/generated/{latest['id']}/"}

    assert client.delete(f"{API}{pk}/").status_code == 204
    assert not ReportSchedule.objects.exists()


@pytest.mark.parametrize("body, field", [
    ({"recipients": ["boss@example.com", "nope"]}, "recipients"),
    ({"recipients": []}, "recipients"),
    ({"frequency": "daily"}, "frequency"),
    ({"report": "evidence", "file_format": "pdf"}, "file_format"),
    ({"scope": {"site": 999999}}, "scope.site"),
    ({"scope": {"team": "abc"}}, "scope.team"),
    ({"name": ""}, "name"),
])
def test_api_bad_input_is_400_naming_the_field(cast, api, body, field):
    data = {"name": "周报", "report": "complaint", "frequency": "weekly", "recipients": ["a@example.com"], **body}
    response = api(cast["manager"]).post(API, data, format="json")
    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"code", "message", "fields"} and field in error["fields"]
    assert not ReportSchedule.objects.exists()

    schedule = make(cast["manager"])
    before = snapshot(schedule)
    response = api(cast["manager"]).patch(f"{API}{schedule.pk}/", body, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    assert snapshot(schedule) == before


@pytest.mark.parametrize("who, read, change", [
    ("director", 200, 403), ("agent", 200, 403), ("steward", 404, 404), ("technician", 404, 404),
    ("vendor", 403, 403),
])
def test_api_permissions_per_role(cast, api, who, read, change):
    schedule = make(cast["supervisor"])
    before = snapshot(schedule)
    client = api(cast[who])
    url = f"{API}{schedule.pk}/"
    assert client.get(url).status_code == read
    response = client.patch(url, {"name": "改名"}, format="json")
    assert response.status_code == change and set(response.json()) == {"code", "message", "fields"}
    assert client.post(f"{url}run/").status_code == change
    assert client.delete(url).status_code == change
    assert snapshot(schedule) == before
    assert not GeneratedReport.objects.exists() and not OutboundMessage.objects.exists()
    listed = client.get(API)
    if read == 200:
        assert [r["id"] for r in listed.json()["results"]] == [schedule.pk]
    elif who != "vendor":
        assert listed.json()["results"] == []
    else:
        assert listed.status_code == 403


def test_api_anonymous_is_refused(api):
    assert api().get(API).status_code in (401, 403)


def test_api_list_query_budget(cast, org, api, django_assert_max_num_queries):
    from kefu.customers.tests.factories import make_site

    site = make_site()
    _with_files(cast["manager"], 2, org, site)
    client = api(cast["director"])
    # count, page, sites, departments, agents (+ auth); per owner: their actor and whether they
    # still see the scope's sites, teams and agents
    with django_assert_max_num_queries(11) as small:
        assert client.get(API).json()["count"] == 2
    _with_files(cast["manager"], 10, org, site)
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = client.get(API).json()
    assert data["count"] == 12 and data["results"][0]["latest_generated"]["period_end"] == "2026-06-07"
    assert data["results"][0]["owner_name"] == cast["manager"].staff.display_name
    assert {tuple(row["held_back"]) for row in data["results"]} == {()}


# --- the scope lies inside the owner's visibility -----------------------------------------------------

@pytest.fixture
def sites(org):
    """A site per department (the site's department decides who sees it) and a shared one."""
    from kefu.customers.tests.factories import make_site

    return {key: make_site(code=f"V-{key}", department=org[key]) for key in ("company", "cs", "eng", "other")} | {
        "shared": make_site(code="V-shared")}


def _pks(rows, attr="pk") -> list[int]:
    return [getattr(row, attr) for row in rows]


def _by_path(*departments) -> list[int]:
    return [d.pk for d in sorted(departments, key=lambda d: d.path)]


def _users(cast, *names) -> list[int]:
    return [cast[name].pk for name in names]  # the cast is created in this order: employee numbers ascend


def test_scope_options_follow_the_owners_visibility(cast, org, sites):
    import dataclasses

    from kefu.org.choices import Visibility
    from kefu.org.selectors import actor_for_user

    def options(actor):
        found = selectors.scope_options(actor=actor)
        return {"site": _pks(found["site"]), "department": _pks(found["department"]), "team": _pks(found["team"]),
                "agent": _pks(found["agent"], "user_id")}

    # department visibility (a supervisor of the service center): its subtree; sites of the
    # subtree, of the departments above it and the shared one
    assert options(actor_for_user(cast["supervisor"])) == {
        "site": _pks([sites["company"], sites["cs"], sites["shared"]]),
        "department": [org["cs"].pk],
        "team": _by_path(org["front"], org["stw"]),
        "agent": _users(cast, "agent", "steward", "supervisor", "qa", "clerk")}
    assert options(actor_for_user(cast["manager"])) == {
        "site": _pks([sites["company"], sites["cs"], sites["eng"], sites["shared"]]),
        "department": _by_path(org["company"], org["cs"], org["eng"]),
        "team": _by_path(org["front"], org["stw"], org["mep"], org["vend"]),
        "agent": _users(cast, "agent", "steward", "supervisor", "manager", "technician", "qa", "clerk", "vendor")}
    # visibility "all": everything
    assert options(actor_for_user(cast["director"])) == {
        "site": _pks([sites["company"], sites["cs"], sites["eng"], sites["other"], sites["shared"]]),
        "department": _by_path(org["group"], org["company"], org["cs"], org["eng"], org["other"]),
        "team": _by_path(org["front"], org["stw"], org["mep"], org["vend"], org["oteam"]),
        "agent": _users(cast, "agent", "steward", "supervisor", "manager", "director", "technician", "qa", "clerk",
                        "vendor", "administrator", "other_steward", "other_technician")}
    # only the work dispatched to them: their team(s), and only themselves as the agent
    assigned = dataclasses.replace(actor_for_user(cast["technician"]), visibility=Visibility.ASSIGNED)
    assert options(assigned) == {"site": _pks([sites["company"], sites["eng"], sites["shared"]]), "department": [],
                                 "team": [org["mep"].pk], "agent": _users(cast, "technician")}
    # an owner who is no longer active staff: nothing
    assert options(None) == {"site": [], "department": [], "team": [], "agent": []}


@pytest.mark.parametrize("page, params", [("reports:service_analysis", {}), ("reports:dashboard", {}),
                                          ("reports:duty_log", {}), ("reports:type_report", {"report": "complaint"})])
def test_report_filters_list_only_what_the_reader_may_see(client, cast, org, sites, page, params):
    from django.urls import reverse

    client.force_login(cast["supervisor"])
    response = client.get(reverse(page, kwargs=params))
    assert response.status_code == 200
    assert _pks(response.context["sites"]) == _pks([sites["company"], sites["cs"], sites["shared"]])
    assert _pks(response.context["teams"]) == _by_path(org["front"], org["stw"])
    html = response.content.decode()
    assert f'>{sites["other"].name}<' not in html and f'>{org["oteam"].name}<' not in html
    assert f'>{sites["cs"].name}<' in html and f'>{org["front"].name}<' in html
    assert org["mep"].name not in html  # engineering's team: the manager's, not the supervisor's
    client.force_login(cast["director"])
    assert len(client.get(reverse(page, kwargs=params)).context["teams"]) == 5


@pytest.mark.parametrize("scope, field, message", [
    ({"department": "eng"}, "scope.department", "department：该部门不在计划创建人的可见范围内。"),
    ({"department": "other"}, "scope.department", "department：该部门不在计划创建人的可见范围内。"),
    ({"team": "mep"}, "scope.team", "team：该班组不在计划创建人的可见范围内。"),
    ({"agent": "technician"}, "scope.agent", "agent：该人员不属于计划创建人可见的部门。"),
    ({"site": "eng"}, "scope.site", "site：该项目不在计划创建人的可见范围内。"),
    ({"site": "other"}, "scope.site", "site：该项目不在计划创建人的可见范围内。"),
])
def test_a_scope_outside_the_owners_visibility_is_refused_and_nothing_written(cast, org, sites, scope, field,
                                                                              message):
    from django.utils import translation

    ids = {key: (cast[name].pk if key == "agent" else sites[name].pk if key == "site" else org[name].pk)
           for key, name in scope.items()}
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as error:
        make(cast["supervisor"], scope=ids)
    assert error.value.fields == {field: [message]}
    assert not ReportSchedule.objects.exists()

    schedule = make(cast["supervisor"], scope={"team": org["front"].pk})
    before = snapshot(schedule)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as error:
        services.report_schedule_update(actor_user=cast["supervisor"], schedule=schedule, scope=ids)
    assert error.value.fields == {field: [message]}
    assert snapshot(schedule) == before


def test_a_scope_inside_the_owners_visibility_is_kept(cast, org, sites):
    schedule = make(cast["supervisor"], scope={"site": sites["company"].pk, "department": org["cs"].pk,
                                               "team": org["stw"].pk, "agent": cast["steward"].pk})
    assert ReportSchedule.objects.get(pk=schedule.pk).scope == {
        "site": sites["company"].pk, "department": org["cs"].pk, "team": org["stw"].pk, "agent": cast["steward"].pk}
    anywhere = make(cast["director"], scope={"site": sites["other"].pk, "department": org["other"].pk,
                                             "team": org["oteam"].pk, "agent": cast["other_technician"].pk})
    assert ReportSchedule.objects.get(pk=anywhere.pk).scope == {
        "site": sites["other"].pk, "department": org["other"].pk, "team": org["oteam"].pk,
        "agent": cast["other_technician"].pk}


def test_an_administrator_edits_within_the_owners_visibility_not_their_own(cast, org):
    schedule = make(cast["supervisor"], scope={"team": org["front"].pk})
    before = snapshot(schedule)
    with pytest.raises(InvalidInput) as error:
        services.report_schedule_update(actor_user=cast["administrator"], schedule=schedule,
                                        scope={"department": org["eng"].pk})
    assert list(error.value.fields) == ["scope.department"]
    assert snapshot(schedule) == before
    services.report_schedule_update(actor_user=cast["administrator"], schedule=schedule,
                                    scope={"department": org["cs"].pk})
    row = ReportSchedule.objects.get(pk=schedule.pk)
    assert (row.scope, row.owner) == ({"department": org["cs"].pk}, cast["supervisor"])


def test_an_owner_moved_out_of_the_scope_must_fix_it_before_other_changes(cast, org):
    from kefu.org.models import Staff

    schedule = make(cast["supervisor"], scope={"team": org["front"].pk})
    Staff.objects.filter(user=cast["supervisor"]).update(department=org["eng"])
    before = snapshot(schedule)
    with pytest.raises(InvalidInput) as error:
        services.report_schedule_update(actor_user=cast["supervisor"], schedule=schedule, name="改名")
    assert list(error.value.fields) == ["scope.team"]
    assert snapshot(schedule) == before


def test_an_owner_moved_out_of_the_scope_gets_nothing_sent(cast, org, client, api):
    from kefu.org.models import Staff

    schedule = make(cast["supervisor"], scope={"team": org["front"].pk})
    Staff.objects.filter(user=cast["supervisor"]).update(department=org["eng"])
    assert run(at(2026, 6, 8, 9, 5)) == []  # not a report of nothing that looks like a quiet week
    with pytest.raises(InvalidInput) as error:
        services.report_schedule_run_now(actor_user=cast["supervisor"], schedule=schedule, now=at(2026, 6, 10))
    assert list(error.value.fields) == ["scope.team"]
    client.force_login(cast["supervisor"])
    page = client.post(reverse("reports:schedule_run", args=[schedule.pk]), follow=True).content.decode()
    assert "team：该班组不在计划创建人的可见范围内。" in page
    assert not GeneratedReport.objects.exists() and not OutboundMessage.objects.exists()
    assert ReportSchedule.objects.get(pk=schedule.pk).last_period_start is None
    page = client.get(reverse("reports:schedules"))
    assert [row["held_back"] for row in page.context["rows"]] == [[org["front"].name]]
    fresh = type(cast["supervisor"]).objects.get(pk=cast["supervisor"].pk)  # as a request loads it
    assert [row["held_back"] for row in api(fresh).get(API).json()["results"]] == [["team"]]
    assert "暂停发送：创建人已看不到前台组。修改范围后恢复发送。" in page.content.decode()
    Staff.objects.filter(user=cast["supervisor"]).update(department=org["cs"])  # back: the period goes out
    assert [row["held_back"] for row in client.get(reverse("reports:schedules")).context["rows"]] == [[]]
    assert run(at(2026, 6, 8, 10, 5)) == [(d("2026-06-01"), d("2026-06-07"))]


def _select_values(body: str, select_id: str) -> list[str]:
    import re

    start = body.index(f'id="{select_id}"')
    block = body[start:body.index("</select>", start)]
    return [v for v in re.findall(r'<option value="([^"]*)"', block) if v]


def test_form_lists_only_what_the_owner_may_see(cast, org, sites, client):
    client.force_login(cast["supervisor"])
    body = client.get(reverse("reports:schedule_create")).content.decode()
    expected = {"id_site": [str(pk) for pk in _pks([sites["company"], sites["cs"], sites["shared"]])],
                "id_department": [str(org["cs"].pk)],
                "id_team": [str(pk) for pk in _by_path(org["front"], org["stw"])],
                "id_agent": [str(pk) for pk in _users(cast, "agent", "steward", "supervisor", "qa", "clerk")]}
    assert {key: _select_values(body, key) for key in expected} == expected

    # an administrator editing the supervisor's schedule is offered the supervisor's choices
    schedule = make(cast["supervisor"])
    client.force_login(cast["administrator"])
    body = client.get(reverse("reports:schedule_edit", args=[schedule.pk])).content.decode()
    assert {key: _select_values(body, key) for key in expected} == expected

    client.force_login(cast["director"])
    body = client.get(reverse("reports:schedule_create")).content.decode()
    assert _select_values(body, "id_department") == [str(pk) for pk in _by_path(
        org["group"], org["company"], org["cs"], org["eng"], org["other"])]


def test_form_refuses_a_department_outside_the_owners_visibility(cast, org, client):
    client.force_login(cast["supervisor"])
    response = client.post(reverse("reports:schedule_create"), {
        "name": "工程周报", "report": "complaint", "file_format": "xlsx", "frequency": "weekly",
        "department": str(org["eng"].pk), "recipients": "a@example.com", "is_active": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    start = body.index('id="id_department"')
    assert "is-invalid" in body[body.rindex("<", 0, start):start + 200]
    assert "department：该部门不在计划创建人的可见范围内。" in body
    assert not ReportSchedule.objects.exists()

    schedule = make(cast["supervisor"])
    before = snapshot(schedule)
    response = client.post(reverse("reports:schedule_edit", args=[schedule.pk]), {
        "name": "周报", "report": "service_analysis", "file_format": "xlsx", "frequency": "weekly",
        "agent": str(cast["technician"].pk), "recipients": "boss@example.com", "is_active": "1"})
    assert response.status_code == 400 and "agent：该人员不属于计划创建人可见的部门。" in response.content.decode()
    assert snapshot(schedule) == before


def test_api_refuses_a_scope_outside_the_owners_visibility(cast, org, sites, api):
    client = api(cast["supervisor"])
    data = {"name": "工程周报", "report": "complaint", "frequency": "weekly", "recipients": ["a@example.com"],
            "scope": {"department": org["eng"].pk, "site": sites["other"].pk, "team": org["front"].pk}}
    response = client.post(API, data, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"scope.department": ["department：该部门不在计划创建人的可见范围内。"],
                                         "scope.site": ["site：该项目不在计划创建人的可见范围内。"]}
    assert not ReportSchedule.objects.exists()

    schedule = make(cast["supervisor"], scope={"team": org["front"].pk})
    before = snapshot(schedule)
    response = client.patch(f"{API}{schedule.pk}/", {"scope": {"agent": cast["other_technician"].pk}}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"scope.agent": ["agent：该人员不属于计划创建人可见的部门。"]}
    assert snapshot(schedule) == before
    response = client.patch(f"{API}{schedule.pk}/", {"scope": {"agent": cast["clerk"].pk}}, format="json")
    assert response.status_code == 200 and response.json()["scope"]["agent"] == cast["clerk"].pk
