"""Imports: header recognition, row checks, dry run, all-or-nothing import, idempotent re-import."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.customers.models import Asset, Customer, CustomerAsset, CustomerPhone
from kefu.customers.tests.factories import make_site
from kefu.exchange import services
from kefu.exchange.choices import JobStatus
from kefu.exchange.models import ImportJob, ImportRowError
from kefu.exchange.rows import check_row, guess_mapping
from kefu.exchange.sample import HEADERS, occupant_rows, occupants_xlsx, resident_id

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _xlsx_upload(tmp_path, n, name="occupants.xlsx", **kwargs):
    path = tmp_path / name
    bad = occupants_xlsx(path, n, **kwargs)
    return SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX), bad


def _csv_upload(rows, encoding="utf-8-sig", name="occupants.csv"):
    text = "\n".join(",".join(str(c) for c in row) for row in rows) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    # The run is queued after commit (Huey runs it at once in tests); a test's transaction never
    # commits, so its callbacks are run when captured.
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture = None


def _run(job, user, *, commit=False, skip_rejected=False):
    with _capture(execute=True):
        services.import_job_start(job=job, actor_user=user, commit=commit, skip_rejected=skip_rejected)
    job.refresh_from_db()
    return job


def test_chinese_and_english_headers_are_recognised():
    assert guess_mapping(HEADERS) == {
        "0": "name", "1": "gender", "2": "id_type", "3": "id_number", "4": "phone", "5": "site", "6": "building",
        "7": "unit", "8": "floor", "9": "relation", "10": "move_in"}
    assert guess_mapping(["Name", "手机/电话", "单元编号", "账号", "whatever", "电话"]) == {
        "0": "name", "1": "phone", "2": "unit", "3": "account"}


@pytest.mark.parametrize(("cells", "column", "code"), [
    ({"name": "张三", "id_number": "11010119900307123X"}, "id_number", "id_check_digit"),
    ({"name": "张三", "id_number": "110101199002301234"}, "id_number", "id_birth_date"),
    ({"name": "张三", "id_type": "身份证", "id_number": "12345"}, "id_number", "id_format"),
    ({"name": "张三", "phone": "1391234"}, "phone", "mobile"),
    ({"name": "张三", "phone": "12345678901"}, "phone", "mobile"),
    ({"name": "张三", "phone": "abc"}, "phone", "phone"),
    ({"name": "张三", "phone": "13800138000", "unit": "1-1-101", "relation": "邻居"}, "relation", "choice"),
    ({"name": "张三", "phone": "13800138000", "unit": "1-1-101", "move_in": "2026-13-45"}, "move_in", "date"),
    ({"name": "", "phone": "13800138000"}, "name", "required"),
    ({"name": "张三"}, "phone", "no_key"),
    ({"name": "张三", "phone": "13800138000", "relation": "业主"}, "unit", "unit_needed"),
    ({"name": "张三", "phone": "13800138000", "email": "nope"}, "email", "email"),
])
def test_bad_cells_are_named_with_their_reason(cells, column, code):
    _clean, problems = check_row(cells)
    assert [(p.column, p.code) for p in problems] == [(column, code)]


def test_good_row_is_normalised():
    clean, problems = check_row({"name": " 张三 ", "phone": "+86 138-0013-8000", "id_number": resident_id(7).lower(),
                                 "gender": "男", "relation": "租户", "move_in": "2026年3月1日", "floor": "12层",
                                 "unit": "1-1-1201"})
    assert problems == []
    assert (clean["name"], clean["phones"], clean["id_number"], clean["id_type"], clean["gender"], clean["relation"],
            str(clean["move_in"]), clean["floor"]) == ("张三", ["13800138000"], resident_id(7), "resident_id", "male",
                                                       "tenant", "2026-03-01", 12)


def test_dry_run_writes_nothing_then_import_then_reimport_changes_nothing(cast, tmp_path):
    site = make_site(code="S1")
    upload, bad = _xlsx_upload(tmp_path, 2000, site="S1", bad_every=100)
    clerk = cast["clerk"]
    job = services.import_job_create(actor_user=clerk, upload=upload)
    assert (job.status, job.total_rows, len(job.mapping)) == (JobStatus.UPLOADED, 2000, 11)

    job = _run(job, clerk)
    assert job.status == JobStatus.CHECKED
    assert job.rejected_rows == 20
    assert set(ImportRowError.objects.filter(job=job).values_list("row", flat=True)) == bad
    assert job.counts["customers"] == {"created": 1980, "updated": 0, "unchanged": 0}
    assert job.counts["rows"] == {"accepted": 1980, "rejected": 20}
    assert Customer.objects.count() == 0 and Asset.objects.count() == 0  # a dry run writes nothing

    # A file with rejected rows does not import unless told to skip them.
    with pytest.raises(InvalidInput) as refused:
        services.import_job_start(job=job, actor_user=clerk, commit=True)
    assert list(refused.value.fields) == ["skip_rejected"]
    assert Customer.objects.count() == 0

    job = _run(job, clerk, commit=True, skip_rejected=True)
    assert job.status == JobStatus.DONE
    rows, _bad = occupant_rows(2000, site="S1", bad_every=100)
    good = [r for i, r in enumerate(rows) if i + 2 not in bad]
    units = {r[7] for r in good}
    assert Customer.objects.count() == 1980
    assert CustomerPhone.objects.count() == 1980
    assert Asset.objects.filter(kind="unit", site=site).count() == len(units)
    assert CustomerAsset.objects.count() == 1980
    assert job.counts["units"] == {"created": len(units), "updated": 0, "unchanged": 0}
    first = Customer.objects.get(phones__number="13900000000")
    assert (first.name, first.id_number, first.gender) == ("王伟", resident_id(0), "female")
    link = CustomerAsset.objects.get(customer=first)
    assert (link.asset.code, link.relation, str(link.started_on), link.asset.floor, link.asset.building.code) == (
        "1-1-0101", "owner", "2020-01-01", 1, "1")

    # The same file again: matched on the natural keys, nothing created or changed.
    upload, _bad = _xlsx_upload(tmp_path, 2000, site="S1", bad_every=100)
    again = services.import_job_create(actor_user=clerk, upload=upload)
    again = _run(again, clerk)
    assert again.counts["customers"] == {"created": 0, "updated": 0, "unchanged": 1980}
    assert again.counts["occupancies"] == {"created": 0, "updated": 0, "unchanged": 1980}
    again = _run(again, clerk, commit=True, skip_rejected=True)
    assert again.status == JobStatus.DONE
    assert (Customer.objects.count(), CustomerPhone.objects.count(), Asset.objects.count(),
            CustomerAsset.objects.count()) == (1980, 1980, len(units), 1980)


def test_monthly_reimport_updates_in_place(cast):
    make_site(code="S1")
    clerk = cast["clerk"]
    header = ["姓名", "手机", "证件号码", "项目", "房号", "关系", "入住日期"]
    job = services.import_job_create(actor_user=clerk, upload=_csv_upload([
        header, ["张三", "13800138000", resident_id(1), "S1", "1-1-101", "业主", "2025-01-01"]]))
    _run(_run(job, clerk), clerk, commit=True)
    # Next month: a new phone, a corrected name, now a tenant; matched by the ID number.
    job = services.import_job_create(actor_user=clerk, upload=_csv_upload([
        header, ["张叁", "13900139000", resident_id(1), "S1", "1-1-101", "租户", "2025-01-01"]], encoding="gb18030"))
    job = _run(job, clerk)
    assert job.counts["customers"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert job.counts["occupancies"] == {"created": 0, "updated": 1, "unchanged": 0}
    _run(job, clerk, commit=True)
    customer = Customer.objects.get()
    assert customer.name == "张叁" and customer.name_initials == "zs"
    assert sorted(customer.phones.values_list("number", flat=True)) == ["13800138000", "13900139000"]
    assert list(customer.asset_links.values_list("relation", flat=True)) == ["tenant"]


def test_rows_conflicting_inside_the_file_are_rejected(cast):
    make_site(code="S1")
    clerk = cast["clerk"]
    job = services.import_job_create(actor_user=clerk, upload=_csv_upload([
        ["姓名", "手机", "项目", "房号"], ["张三", "13800138000", "S1", "1-1-101"],
        ["李四", "13800138000", "S1", "1-1-102"], ["王五", "13700137000", "S9", "1-1-103"]]))
    job = _run(job, clerk)
    assert sorted(job.row_errors.values_list("row", "code", "column")) == [
        (3, "name_conflict", "姓名"), (4, "site", "项目")]
    assert job.row_errors.get(row=3).params == {"row": 2, "name": "张三"}


def test_unreadable_files_and_roles_are_refused(cast):
    with pytest.raises(InvalidInput) as bad_type:
        services.import_job_create(actor_user=cast["clerk"], upload=SimpleUploadedFile("a.txt", b"x"))
    assert list(bad_type.value.fields) == ["file"]
    with pytest.raises(InvalidInput):
        services.import_job_create(actor_user=cast["clerk"], upload=SimpleUploadedFile("a.xlsx", b"not a zip"))
    with pytest.raises(NotAllowed):
        services.import_job_create(actor_user=cast["agent"], upload=_csv_upload([["姓名"], ["张三"]]))
    assert ImportJob.objects.count() == 0


def test_mapping_is_checked_and_a_commit_needs_a_dry_run(cast):
    clerk = cast["clerk"]
    job = services.import_job_create(actor_user=clerk, upload=_csv_upload([["A", "B"], ["张三", "13800138000"]]))
    assert job.mapping == {}
    with pytest.raises(InvalidInput) as same:
        services.import_job_set_mapping(job=job, actor_user=clerk, mapping={"0": "name", "1": "name"})
    assert list(same.value.fields) == ["column_1"]
    with pytest.raises(InvalidInput):
        services.import_job_set_mapping(job=job, actor_user=clerk, mapping={"1": "phone"})
    with pytest.raises(Conflict):
        services.import_job_start(job=job, actor_user=clerk, commit=True)
    services.import_job_set_mapping(job=job, actor_user=clerk, mapping={"0": "name", "1": "phone"})
    job = _run(_run(job, clerk), clerk, commit=True)
    assert job.status == JobStatus.DONE
    assert list(Customer.objects.values_list("name", flat=True)) == ["张三"]
    with pytest.raises(Conflict):
        services.import_job_start(job=job, actor_user=clerk, commit=False)


def test_import_pages_upload_map_dry_run_import_and_report(client, cast, tmp_path):
    make_site(code="S1")
    client.force_login(cast["clerk"])
    upload, bad = _xlsx_upload(tmp_path, 30, site="S1", bad_every=10)
    response = client.post(reverse("exchange:import_list"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exchange:import_detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-mapping"' in page and '<option value="phone" selected>' in page
    data = {f"column_{i}": t for i, t in job.mapping.items()}
    with _capture(execute=True):
        assert client.post(reverse("exchange:import_mapping", args=[job.pk]), data).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.rejected_rows) == (JobStatus.CHECKED, 3)
    page = client.get(reverse("exchange:import_detail", args=[job.pk])).content.decode()
    assert "居民身份证号码的校验位不正确。" in page
    refused = client.post(reverse("exchange:import_start", args=[job.pk]))
    assert refused.status_code == 400 and Customer.objects.count() == 0
    with _capture(execute=True):
        assert client.post(reverse("exchange:import_start", args=[job.pk]), {"skip_rejected": "1"}).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Customer.objects.count() == 27
    progress = client.get(reverse("exchange:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 204 and progress["HX-Refresh"] == "true"
    report = client.get(reverse("exchange:import_report", args=[job.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(report.streaming_content)), read_only=True)
    rejected = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert [r[0] for r in rejected[1:]] == sorted(bad)
    # Someone else's import is not visible.
    client.force_login(cast["steward"])
    assert client.get(reverse("exchange:import_detail", args=[job.pk])).status_code == 404
    client.force_login(cast["agent"])
    assert client.post(reverse("exchange:import_list"), {"file": _csv_upload([["姓名"], ["x"]])}).status_code == 403


def test_a_failure_while_writing_leaves_nothing_half_written(cast, monkeypatch):
    from kefu.exchange import importer

    make_site(code="S1")
    clerk = cast["clerk"]
    job = services.import_job_create(actor_user=clerk, upload=_csv_upload([
        ["姓名", "手机", "项目", "房号"], ["张三", "13800138000", "S1", "1-1-101"], ["李四", "13900139000", "S1", "1-1-102"]]))
    job = _run(job, clerk)
    real = importer._bulk_change

    def explode(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_bulk_change", explode)
    job = _run(job, clerk, commit=True)
    assert (job.status, job.failure) == (JobStatus.FAILED, "disk full")
    assert (Customer.objects.count(), CustomerPhone.objects.count(), Asset.objects.count(),
            CustomerAsset.objects.count()) == (0, 0, 0, 0)


@pytest.mark.parametrize(("role", "allowed"), [
    ("clerk", True), ("director", True), ("steward", False), ("supervisor", False), ("manager", False),
    ("agent", False)], ids=lambda v: f"{v}_case" if isinstance(v, str) else None)
def test_only_roles_that_see_every_site_may_import(cast, role, allowed):
    # an import matches customers and units of every site by their natural keys, so a user scoped
    # to one estate would otherwise change another estate's occupants through a file
    from kefu.core.errors import NotAllowed

    make_site(code="S1")
    upload = _csv_upload([["姓名", "手机", "项目", "房号"], ["张三", "13800138000", "S1", "1-1-101"]])
    if allowed:
        assert services.import_job_create(actor_user=cast[role], upload=upload).pk
    else:
        with pytest.raises(NotAllowed):
            services.import_job_create(actor_user=cast[role], upload=upload)
        assert not ImportJob.objects.exists()
