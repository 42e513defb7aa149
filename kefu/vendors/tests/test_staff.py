"""Vendor staff on site: the register, qualifications and their expiry, a day's attendance and
the month's summary (exact counts); a vendor user keeps their own register and sees no other
vendor's; refusals write nothing; the API and the vendor page within query budgets."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.vendors import staff
from kefu.vendors.models import Attendance, Qualification, VendorWorker
from kefu.vendors.tests.factories import make_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def vendors(cast, org):
    return {"lift": make_vendor(actor=cast["supervisor"], team=org["vend"]),
            "clean": make_vendor(actor=cast["supervisor"], team=org["mep"], name="洁美保洁服务有限公司",
                                 scope="cleaning")}


def _worker(cast, vendor, name="赵师傅", started=date(2026, 11, 1), **kwargs):
    return staff.worker_register(actor_user=cast["supervisor"], vendor=vendor, name=name, post="电梯维保工",
                                 started_on=started, phone="13700001111", **kwargs)


def test_register_with_qualifications_and_their_expiry(cast, vendors):
    today = timezone.localdate()
    worker = _worker(cast, vendors["lift"], qualifications=[
        {"name": "电梯作业人员证(T)", "certificate_no": "TS-001", "expires_on": today + timedelta(days=400)},
        {"name": "低压电工证", "expires_on": today + timedelta(days=10)}])
    staff.qualification_add(actor_user=cast["vendor"], worker=worker, name="高处作业证",
                            expires_on=today - timedelta(days=1))
    states = [(q.name, staff.qualification_state(q, today)) for q in worker.qualifications.order_by("id")]
    assert states == [("电梯作业人员证(T)", "valid"), ("低压电工证", "expiring"), ("高处作业证", "expired")]
    assert (worker.vendor_id, worker.post, worker.started_on) == (vendors["lift"].pk, "电梯维保工", date(2026, 11, 1))


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"), ({"post": " "}, "post"), ({"name": "赵" * 51}, "name"),
    ({"qualifications": [{"name": ""}]}, "qualifications.0.name"),
])
def test_bad_registrations_name_the_field_and_write_nothing(cast, vendors, data, field):
    values = {"name": "赵师傅", "post": "电梯维保工", "started_on": date(2026, 11, 1), **data}
    with pytest.raises(InvalidInput) as error:
        staff.worker_register(actor_user=cast["supervisor"], vendor=vendors["lift"], **values)
    assert list(error.value.fields) == [field]
    assert (VendorWorker.objects.count(), Qualification.objects.count()) == (0, 0)


def test_vendor_users_keep_only_their_own_register(cast, vendors):
    own = staff.worker_register(actor_user=cast["vendor"], vendor=vendors["lift"], name="钱师傅", post="维保工",
                                started_on=date(2026, 11, 1))
    other = _worker(cast, vendors["clean"], name="孙阿姨")
    with pytest.raises(NotFound):
        staff.worker_register(actor_user=cast["vendor"], vendor=vendors["clean"], name="x", post="y",
                              started_on=date(2026, 11, 1))
    with pytest.raises(NotFound):
        staff.qualification_add(actor_user=cast["vendor"], worker=other, name="x")
    with pytest.raises(NotAllowed):
        staff.worker_register(actor_user=cast["technician"], vendor=vendors["lift"], name="x", post="y",
                              started_on=date(2026, 11, 1))
    seen = staff.worker_list_for_actor(actor=__import__("kefu.org.selectors", fromlist=["x"]).actor_for_user(
        cast["vendor"]))
    assert [w.pk for w in seen] == [own.pk]
    assert VendorWorker.objects.count() == 2 and Qualification.objects.count() == 0


def test_attendance_and_the_monthly_summary_equal_the_hand_count(cast, vendors):
    a = _worker(cast, vendors["lift"], name="赵师傅", started=date(2026, 11, 1))
    b = _worker(cast, vendors["lift"], name="钱师傅", started=date(2026, 11, 16))
    leaver = _worker(cast, vendors["lift"], name="孙师傅", started=date(2026, 10, 1))
    staff.worker_leave(actor_user=cast["supervisor"], worker=leaver, left_on=date(2026, 11, 10))
    record = staff.attendance_record
    for day in range(1, 11):
        record(actor_user=cast["supervisor"], vendor=vendors["lift"], day=date(2026, 11, day),
               entries={a.pk: "present", leaver.pk: "present" if day < 10 else "absent"})
    record(actor_user=cast["vendor"], vendor=vendors["lift"], day=date(2026, 11, 16),
           entries={a.pk: "late", b.pk: "present"})
    record(actor_user=cast["vendor"], vendor=vendors["lift"], day=date(2026, 11, 17),
           entries={a.pk: "leave", b.pk: "present"})
    # a correction of the 17th: the later record is the one kept
    record(actor_user=cast["supervisor"], vendor=vendors["lift"], day=date(2026, 11, 17), entries={b.pk: "absent"})
    summary = staff.attendance_summary(vendor=vendors["lift"], month=date(2026, 11, 1))
    rows = {r["worker"].name: (r["days"], r["present"], r["late"], r["leave"], r["absent"], r["unrecorded"])
            for r in summary["rows"]}
    assert rows == {"赵师傅": (30, 10, 1, 1, 0, 18), "钱师傅": (15, 1, 0, 0, 1, 13), "孙师傅": (10, 9, 0, 0, 1, 0)}
    assert summary["totals"] == {"present": 20, "late": 1, "leave": 1, "absent": 2}
    assert Attendance.objects.get(worker=b, day=date(2026, 11, 17)).recorded_by_id == cast["supervisor"].pk


@pytest.mark.parametrize(("day", "entries_of", "field"), [
    (date(2026, 10, 31), lambda w, o: {w.pk: "present"}, "entries"),  # before the worker started
    (date(2026, 11, 2), lambda w, o: {o.pk: "present"}, "entries"),  # another vendor's worker
    (date(2026, 11, 2), lambda w, o: {w.pk: "asleep"}, "entries"),
    (date(2026, 11, 2), lambda w, o: {}, "entries"),
])
def test_bad_attendance_writes_nothing(cast, vendors, day, entries_of, field):
    worker = _worker(cast, vendors["lift"])
    other = _worker(cast, vendors["clean"], name="孙阿姨")
    with pytest.raises(InvalidInput) as error:
        staff.attendance_record(actor_user=cast["supervisor"], vendor=vendors["lift"], day=day,
                                entries=entries_of(worker, other))
    assert list(error.value.fields) == [field]
    assert Attendance.objects.count() == 0


def test_no_attendance_for_tomorrow(cast, vendors):
    worker = _worker(cast, vendors["lift"])
    with pytest.raises(InvalidInput) as error:
        staff.attendance_record(actor_user=cast["supervisor"], vendor=vendors["lift"],
                                day=timezone.localdate() + timedelta(days=1), entries={worker.pk: "present"})
    assert list(error.value.fields) == ["day"]
    assert Attendance.objects.count() == 0


def test_api_register_attendance_summary_and_the_vendor_matrix(api, cast, vendors, django_assert_max_num_queries):
    client = api(cast["vendor"])
    created = client.post("/api/v1/vendor-staff/", {
        "vendor": vendors["lift"].pk, "name": "钱师傅", "post": "维保工", "phone": "13700001111",
        "started_on": "2026-11-01", "qualifications": [{"name": "电梯作业人员证(T)", "expires_on": "2030-01-01"}]},
        format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["phone"], body["qualifications"][0]["state"]) == ("钱师傅", "137****1111", "valid")
    for _ in range(3):
        _worker(cast, vendors["lift"], name="赵师傅")
    with django_assert_max_num_queries(8):
        listed = client.get(f"/api/v1/vendor-staff/?vendor={vendors['lift'].pk}")
    assert listed.json()["count"] == 4
    other = _worker(cast, vendors["clean"], name="孙阿姨")
    # the vendor user: nothing of another vendor (404), not even its summary
    assert client.get(f"/api/v1/vendor-staff/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/vendor-attendance/summary/?vendor={vendors['clean'].pk}&month=2026-11").status_code == 404
    assert client.post("/api/v1/vendor-attendance/", {"vendor": vendors["clean"].pk, "day": "2026-11-02",
                                                      "entries": [{"worker": other.pk, "status": "present"}]},
                       format="json").status_code == 404
    assert client.post(f"/api/v1/vendor-staff/{other.pk}/qualifications/", {"name": "x"},
                       format="json").status_code == 404
    assert client.get(f"/api/v1/vendor-staff/?vendor={vendors['clean'].pk}").json()["count"] == 0
    recorded = client.post("/api/v1/vendor-attendance/", {"vendor": vendors["lift"].pk, "day": "2026-11-02",
                                                          "entries": [{"worker": body["id"], "status": "late"}]},
                           format="json")
    assert recorded.status_code == 200
    row = [r for r in recorded.json()["rows"] if r["worker"] == body["id"]][0]
    assert (row["late"], row["present"], recorded.json()["totals"]["late"]) == (1, 0, 1)
    bad = client.post("/api/v1/vendor-attendance/", {"vendor": vendors["lift"].pk, "day": "2026-11-02",
                                                     "entries": [{"worker": body["id"], "status": "nap"}]},
                      format="json")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["entries.0.status"]
    assert Attendance.objects.count() == 1
    assert api(cast["technician"]).post("/api/v1/vendor-staff/", {
        "vendor": vendors["lift"].pk, "name": "x", "post": "y", "started_on": "2026-11-01"},
        format="json").status_code == 403


def test_vendor_pages(cast, vendors, django_assert_max_num_queries):
    worker = _worker(cast, vendors["lift"], qualifications=[{"name": "低压电工证",
                                                             "expires_on": timezone.localdate() - timedelta(days=3)}])
    client = Client()
    client.force_login(cast["supervisor"])
    client.get(reverse("vendors:list"))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("vendors:vendor", args=[vendors["lift"].pk]) + "?month=2026-11")
    html = page.content.decode()
    assert page.status_code == 200 and f'data-worker="{worker.pk}"' in html and 'data-state="expired"' in html
    assert client.get(reverse("vendors:list")).content.decode().count("kefu-vendor-row") == 2
    vendor_client = Client()
    vendor_client.force_login(cast["vendor"])
    assert vendor_client.get(reverse("vendors:list")).content.decode().count("kefu-vendor-row") == 1
    assert vendor_client.get(reverse("vendors:vendor", args=[vendors["clean"].pk])).status_code == 404
    posted = client.post(reverse("vendors:attendance", args=[vendors["lift"].pk]),
                         {"day": "2026-11-03", f"worker_{worker.pk}": "absent"})
    assert posted.status_code == 302
    assert Attendance.objects.get(worker=worker).status == "absent"
    refused = client.post(reverse("vendors:worker_register", args=[vendors["lift"].pk]),
                          {"name": "", "post": "保洁", "started_on": "2026-11-01"})
    assert refused.status_code == 400 and VendorWorker.objects.count() == 1
