"""Soft-deleted customers are never matched by an import: a row with a deleted customer's ID number
(or, without an ID number, a phone only a deleted customer has) is rejected in the dry run and in
the import alike, and the deleted customer is left exactly as it was."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.core.errors import InvalidInput
from kefu.customers.models import Customer, CustomerAsset, CustomerPhone
from kefu.customers.services import customer_delete
from kefu.customers.tests.factories import make_asset, make_customer, make_site
from kefu.exchange import services
from kefu.exchange.choices import JobStatus
from kefu.exchange.sample import resident_id

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机", "证件号码", "项目", "房号", "邮箱"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv(rows):
    text = "\n".join(",".join(str(c) for c in row) for row in [HEADER, *rows]) + "\n"
    return SimpleUploadedFile("occupants.csv", text.encode("utf-8-sig"), content_type="text/csv")


def _run(job, user, capture, *, commit=False, skip_rejected=False):
    with capture(execute=True):
        services.import_job_start(job=job, actor_user=user, commit=commit, skip_rejected=skip_rejected)
    job.refresh_from_db()
    return job


def _state(customer):
    """Everything an import could change about a customer, and its change history."""
    customer = Customer.objects.get(pk=customer.pk)
    return ({f.attname: getattr(customer, f.attname) for f in Customer._meta.concrete_fields},
            sorted(CustomerPhone.objects.filter(customer=customer).values_list("number", flat=True)),
            sorted(CustomerAsset.objects.filter(customer=customer).values_list("asset__code", "relation", "ended_on")),
            Customer.history.filter(id=customer.pk).count(),
            CustomerPhone.history.filter(customer_id=customer.pk).count(),
            CustomerAsset.history.filter(customer_id=customer.pk).count())


@pytest.fixture
def people(cast):
    site = make_site(code="S1")
    unit = make_asset(code="1-1-101", site=site)
    zhang = make_customer(name="张三", phones=["13800138000"], id_type="resident_id", id_number=resident_id(1),
                          assets=[unit])
    li = make_customer(name="李四", phones=["13900139000"])
    qian = make_customer(name="钱七", phones=["13500135000"])
    for customer in (zhang, li, qian):
        customer_delete(customer=customer, actor_user=cast["supervisor"])
    wang = make_customer(name="王五", phones=["13700137000"])
    zhao = make_customer(name="赵六", phones=["13500135000"])  # shares 钱七's phone; 赵六 is not deleted
    return {"zhang": zhang, "li": li, "qian": qian, "wang": wang, "zhao": zhao}


ROWS = [
    ["张三", "13800138000", resident_id(1), "S1", "1-1-101", "zhang@example.com"],  # 2: deleted, by ID number
    ["张三丰", "13600136000", resident_id(1), "", "", ""],  # 3: deleted, by ID number with another phone
    ["李四", "13900139000", "", "S1", "1-1-101", ""],  # 4: deleted, by the phone only 李四 has
    ["李小四", "13900139000", resident_id(2), "", "", ""],  # 5: 李四's phone, but another person's ID: new
    ["王五", "13700137000", "", "", "", ""],  # 6: a live customer: unchanged
    ["赵六", "13500135000", "", "", "", "zhao@example.com"],  # 7: phone of live 赵六 and deleted 钱七: 赵六
]


def test_dry_run_and_import_reject_rows_of_deleted_customers(cast, people, django_capture_on_commit_callbacks):
    clerk = cast["clerk"]
    before = {k: _state(c) for k, c in people.items()}
    customers_before = Customer.objects.count()
    job = services.import_job_create(actor_user=clerk, upload=_csv(ROWS))

    job = _run(job, clerk, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.CHECKED
    expected_errors = [
        (2, "证件号码", resident_id(1), "customer_deleted"),
        (3, "证件号码", resident_id(1), "customer_deleted"),
        (4, "手机", "13900139000", "customer_deleted_phone"),
    ]
    assert sorted(job.row_errors.values_list("row", "column", "value", "code")) == expected_errors
    assert job.counts["customers"] == {"created": 1, "updated": 1, "unchanged": 1}
    assert job.counts["occupancies"] == {"created": 0, "updated": 0, "unchanged": 0}
    assert job.counts["rows"] == {"accepted": 3, "rejected": 3}
    assert Customer.objects.count() == customers_before  # a dry run writes nothing
    assert {k: _state(c) for k, c in people.items()} == before

    # Not without skipping the rejected rows …
    with pytest.raises(InvalidInput) as refused:
        _run(job, clerk, django_capture_on_commit_callbacks, commit=True)
    assert list(refused.value.fields) == ["skip_rejected"]
    # … and then the same rows are rejected by the import itself.
    job = _run(job, clerk, django_capture_on_commit_callbacks, commit=True, skip_rejected=True)
    assert job.status == JobStatus.DONE
    assert sorted(job.row_errors.values_list("row", "column", "value", "code")) == expected_errors
    assert job.counts["customers"] == {"created": 1, "updated": 1, "unchanged": 1}
    assert job.counts["rows"] == {"accepted": 3, "rejected": 3}

    after = {k: _state(c) for k, c in people.items()}
    for key in ("zhang", "li", "qian", "wang"):
        assert after[key] == before[key], key  # deleted customers (and 王五) untouched, not even a history row
    assert Customer.objects.get(pk=people["zhao"].pk).email == "zhao@example.com"
    new = Customer.objects.get(name="李小四")
    assert (new.deleted_at, new.id_number, list(new.phones.values_list("number", flat=True))) == (
        None, resident_id(2), ["13900139000"])
    assert Customer.objects.count() == customers_before + 1
    assert Customer.objects.filter(name__in=["张三丰"]).count() == 0


def test_reason_is_shown_in_the_readers_language(cast, people, django_capture_on_commit_callbacks):
    from django.utils import translation

    from kefu.exchange.rows import reason_text

    with translation.override("zh-hans"):
        assert reason_text("customer_deleted") == (
            "该证件号码属于已删除的客户：此行不导入，删除继续有效。请从文件中删去此行；如果该客户是误删的，请在“已删除的客户”页面恢复后重新导入。")
        assert reason_text("customer_deleted_phone") == "该电话号码属于已删除的客户：此行不导入。如果是另一个人，请填写其证件号码。"
    with translation.override("en"):
        assert reason_text("customer_deleted_phone") == (
            "A deleted customer has this phone number: the row is not imported. If this is someone else, add "
            "their ID number.")


def test_a_live_customer_with_the_id_number_wins_over_a_deleted_one(cast, people,
                                                                     django_capture_on_commit_callbacks):
    # The deleted 张三 stays deleted; the same person entered again (live) is the one a file updates.
    again = make_customer(name="张三", phones=["13800138000"], id_type="resident_id", id_number=resident_id(1))
    clerk = cast["clerk"]
    job = services.import_job_create(actor_user=clerk, upload=_csv([ROWS[0]]))
    job = _run(_run(job, clerk, django_capture_on_commit_callbacks), clerk, django_capture_on_commit_callbacks,
               commit=True)
    assert job.status == JobStatus.DONE and job.rejected_rows == 0
    assert Customer.objects.get(pk=again.pk).email == "zhang@example.com"
    assert list(CustomerAsset.objects.filter(customer=again).values_list("asset__code", flat=True)) == ["1-1-101"]
    assert Customer.objects.get(pk=people["zhang"].pk).email == ""
