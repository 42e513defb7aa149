"""Customer, occupancy and archive services: validation per field, history with the acting user,
soft delete, PIPL erasure, move-in/out, archive uploads; denials change nothing."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import override

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from kefu.customers import services
from kefu.customers.models import (
    ArchiveDocument,
    ArchiveFile,
    Customer,
    CustomerAsset,
    CustomerPhone,
    DocumentType,
)
from kefu.customers.selectors import archive_for, customer_history, customer_search
from kefu.customers.tests.factories import VALID_CREDIT_CODE, VALID_RESIDENT_ID, make_asset, make_customer
from kefu.workorders.models import WorkOrder, WorkOrderEvent
from kefu.workorders.tests.factories import make_work_order

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake\n"


def _png(name="scan.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_create_person_with_identity(cast):
    customer = services.customer_create(
        name="张三", phones=["138 0013 8000"], id_type="resident_id", id_number="110105 1949 1231 002x",
        gender="male", address="翠湖花园3栋", emergency_contact_name="李四", emergency_contact_phone="+86 139-0000-1111",
        tags=["VIP ", "老人", "VIP"], language="en", actor_user=cast["agent"],
        contacts=[{"name": "王五", "phone": "13700001111", "title": "儿子"}])
    customer.refresh_from_db()
    assert (customer.id_type, customer.id_number, customer.id_number_reversed) == (
        "resident_id", "11010519491231002X", "X20013219491501011")
    assert (customer.gender, customer.emergency_contact_phone, customer.tags, customer.language) == (
        "male", "13900001111", ["VIP", "老人"], "en")
    assert list(customer.contacts.values_list("name", "title", "phone")) == [("王五", "儿子", "13700001111")]
    record = customer.history.get()
    assert (record.history_type, record.history_user) == ("+", cast["agent"])
    assert CustomerPhone.history.get().history_user == cast["agent"]


def test_create_organisation_with_credit_code(db):
    customer = services.customer_create(name="华悦物流有限公司", kind="organisation",
                                        credit_code=VALID_CREDIT_CODE.lower())
    assert customer.credit_code == VALID_CREDIT_CODE


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"id_type": "resident_id", "id_number": "110105194912310021"}, "id_number",
     "该身份证号码的校验位不正确，请核对号码。"),
    ({"id_type": "resident_id", "id_number": "11010519491331002X"}, "id_number", "该身份证号码中的出生日期无效。"),
    ({"id_type": "resident_id", "id_number": "1101051949"}, "id_number",
     "身份证号码为 18 位：17 位数字加 1 位数字或 X。"),
    ({"id_number": "11010519491231002X"}, "id_type", "请选择证件类型。"),
    ({"credit_code": "91350100M000100Y44"}, "credit_code", "该统一社会信用代码的校验位不正确，请核对。"),
    ({"credit_code": "913501"}, "credit_code",
     "统一社会信用代码为 18 位（数字和除 I、O、Z、S、V 以外的大写字母）。"),
    ({"phones": ["12345678901"]}, "phones", "电话号码无效：12345678901"),
    ({"emergency_contact_phone": "12"}, "emergency_contact_phone", "电话号码无效：12"),
    ({"gender": "x"}, "gender", "未知的性别。"),
    ({"email": "nope"}, "email", "请输入有效的电子邮箱地址。"),
    ({"contacts": [{"name": ""}]}, "contacts.0.name", "此项为必填项。"),
], ids=["id_check_digit_case", "id_birth_date_case", "id_format_case", "id_without_type_case",
        "credit_code_check_case", "credit_code_format_case", "not_a_mobile_case", "emergency_phone_case",
        "gender_case", "email_case", "contact_name_case"])
def test_create_refused_in_chinese_naming_the_field(db, kwargs, field, message):
    with override("zh-hans"), pytest.raises(InvalidInput) as exc:
        services.customer_create(name="王五", **kwargs)
    assert exc.value.fields == {field: [message]}
    assert Customer.objects.count() == 0
    assert Customer.history.count() == 0


def test_refusal_in_english(db):
    with override("en"), pytest.raises(InvalidInput) as exc:
        services.customer_create(name="王五", id_type="resident_id", id_number="110105194912310021")
    assert exc.value.fields == {"id_number": [
        "The check digit of this resident ID number is wrong; please check the number."]}


def test_update_records_old_and_new(cast):
    customer = make_customer(name="张三", phones=["13800138000"])
    services.customer_update(customer=customer, actor_user=cast["steward"], name="张叁", address="3栋",
                             phones=["13900001111", "13800138000"])
    customer.refresh_from_db()
    assert (customer.name, customer.name_initials, customer.address) == ("张叁", "zs", "3栋")
    assert list(customer.phones.order_by("-is_primary", "number").values_list("number", "is_primary")) == [
        ("13900001111", True), ("13800138000", False)]
    entries = customer_history(customer=customer, user=cast["agent"])
    changed = next(e for e in entries if e.what == "客户" and e.kind == "~")
    assert changed.who == cast["steward"].staff.display_name
    assert changed.changes == [("名称", "张三", "张叁"), ("地址", "—", "3栋")]


def test_update_without_changes_writes_no_history(cast):
    customer = make_customer(name="张三")
    services.customer_update(customer=customer, actor_user=cast["agent"], name="张三")
    assert customer.history.count() == 1


def test_update_refused_keeps_everything(cast):
    customer = make_customer(name="张三", phones=["13800138000"])
    with pytest.raises(InvalidInput):
        services.customer_update(customer=customer, actor_user=cast["agent"], name="张叁",
                                 id_type="resident_id", id_number="110105194912310021", phones=["13900001111"])
    customer.refresh_from_db()
    assert customer.name == "张三"
    assert list(customer.phones.values_list("number", flat=True)) == ["13800138000"]
    assert customer.history.count() == 1


def test_soft_delete_hides_from_lookup(cast):
    customer = make_customer(name="张三", phones=["13800138000"])
    services.customer_delete(customer=customer, actor_user=cast["supervisor"])
    customer.refresh_from_db()
    assert customer.deleted_at is not None and customer.deleted_by == cast["supervisor"]
    assert customer_search(q="13800138000") == []
    assert customer_search(q="张三") == []


def test_delete_refused_for_agent(cast):
    customer = make_customer(name="张三")
    with pytest.raises(NotAllowed):
        services.customer_delete(customer=customer, actor_user=cast["agent"])
    customer.refresh_from_db()
    assert customer.deleted_at is None


def test_erase_blanks_personal_data_and_keeps_statistics(cast):
    customer = make_customer(name="张三", phones=["13800138000"], id_type="resident_id",
                             id_number=VALID_RESIDENT_ID, address="翠湖花园", email="z@example.com")
    services.customer_update(customer=customer, actor_user=cast["agent"], address="翠湖花园3栋")
    order = make_work_order(actor=cast["agent"], customer=customer, contact_name="张三",
                            contact_phone="13800138000")
    version = order.version
    services.customer_erase(customer=customer, actor_user=cast["administrator"])
    customer.refresh_from_db()
    assert customer.name == f"#{customer.pk}"
    assert (customer.id_number, customer.address, customer.email, customer.name_initials) == ("", "", "", "")
    assert customer.erased_at is not None and customer.deleted_at is not None
    assert CustomerPhone.objects.filter(customer=customer).count() == 0
    assert CustomerPhone.history.filter(customer_id=customer.pk).count() == 0
    # only the erasure itself is left in the history: no old version holds the ID number
    assert list(customer.history.values_list("history_type", "id_number", "name")) == [
        ("~", "", f"#{customer.pk}")]
    order.refresh_from_db()
    assert (order.contact_name, order.contact_phone, order.version) == ("", "", version + 1)
    assert WorkOrder.objects.filter(customer=customer).count() == 1
    event = WorkOrderEvent.objects.filter(work_order=order).latest("id")
    assert (event.action, event.actor, event.internal, event.data) == (
        "comment", cast["administrator"], True,
        {"erased": ["contact_name", "contact_phone"], "reason": "pipl_erasure"})


def test_erase_refused_for_director_and_twice(cast):
    customer = make_customer(name="张三", phones=["13800138000"])
    with pytest.raises(NotAllowed):
        services.customer_erase(customer=customer, actor_user=cast["director"])
    customer.refresh_from_db()
    assert (customer.name, customer.erased_at) == ("张三", None)
    services.customer_erase(customer=customer, actor_user=cast["administrator"])
    with pytest.raises(Conflict):
        services.customer_erase(customer=customer, actor_user=cast["administrator"])


@override_settings(KEFU_CUSTOMER_RETENTION_DAYS=30)
def test_purge_erases_after_retention(cast):
    old = make_customer(name="旧客户")
    recent = make_customer(name="新客户")
    services.customer_delete(customer=old, actor_user=cast["supervisor"])
    services.customer_delete(customer=recent, actor_user=cast["supervisor"])
    Customer.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    from kefu.customers.tasks import customer_purge_expired_task

    assert customer_purge_expired_task.call_local() == 1  # what the worker runs every night
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.erased_at is not None) == (f"#{old.pk}", True)
    assert (recent.name, recent.erased_at) == ("新客户", None)


def test_move_in_and_out_with_history(cast):
    unit = make_asset(code="3-2-1201", unit_status="vacant")
    customer = make_customer(name="张三")
    link = services.occupancy_start(customer=customer, unit=unit, relation="tenant", actor_user=cast["steward"],
                                    started_on=date(2026, 1, 1))
    unit.refresh_from_db()
    assert (link.relation, link.started_on, unit.unit_status) == ("tenant", date(2026, 1, 1), "occupied")
    with pytest.raises(Conflict):
        services.occupancy_start(customer=customer, unit=unit, relation="owner", actor_user=cast["steward"])
    with pytest.raises(InvalidInput) as exc:
        services.occupancy_end(occupancy=link, actor_user=cast["steward"], ended_on=date(2025, 12, 31))
    assert list(exc.value.fields) == ["ended_on"]
    services.occupancy_end(occupancy=link, actor_user=cast["steward"], ended_on=date(2026, 6, 30))
    unit.refresh_from_db()
    link.refresh_from_db()
    assert (link.ended_on, unit.unit_status) == (date(2026, 6, 30), "vacant")
    assert list(CustomerAsset.history.filter(id=link.pk).order_by("history_id").values_list(
        "history_type", "ended_on", "history_user")) == [
        ("+", None, cast["steward"].pk), ("~", date(2026, 6, 30), cast["steward"].pk)]


def test_move_in_refused_for_agent(cast):
    unit = make_asset()
    customer = make_customer()
    with pytest.raises(NotAllowed):
        services.occupancy_start(customer=customer, unit=unit, relation="tenant", actor_user=cast["agent"])
    assert CustomerAsset.objects.filter(asset=unit).count() == 0


def _type(code):
    return DocumentType.objects.get(code=code)


def test_upload_makes_document_present_and_completeness_grows(cast):
    unit = make_asset(code="3-2-1201")
    before = archive_for(unit=unit)
    assert (before.required, before.present, before.percent) == (6, 0, 0)
    document = services.archive_document_upload(document_type=_type("move_in_signoff"), unit=unit,
                                                actor_user=cast["steward"], upload=_png())
    after = archive_for(unit=unit)
    assert (after.present, after.percent) == (1, 17)
    assert (document.status, document.updated_by, document.expires_on) == ("present", cast["steward"], None)
    stored = ArchiveFile.objects.get(document=document)
    assert (stored.original_name, stored.content_type, stored.size, stored.uploaded_by) == (
        "scan.png", "image/png", len(PNG), cast["steward"])
    assert document.history.get().history_user == cast["steward"]


def test_document_with_validity_expires(cast):
    unit = make_asset()
    document = services.archive_document_upload(
        document_type=_type("fire_safety_pledge"), unit=unit, actor_user=cast["clerk"],
        upload=SimpleUploadedFile("p.pdf", PDF), issued_on=date(2024, 1, 31))
    assert document.expires_on == date(2025, 1, 31)
    row = next(r for r in archive_for(unit=unit).rows if r.document_type.code == "fire_safety_pledge")
    assert row.status == "expired"
    assert archive_for(unit=unit).present == 0


def test_customer_archive_upload(cast):
    customer = make_customer()
    services.archive_document_upload(document_type=_type("id_copy"), customer=customer, actor_user=cast["steward"],
                                     upload=_png())
    archive = archive_for(customer=customer)
    assert (archive.required, archive.present, archive.percent) == (1, 1, 100)


@pytest.mark.parametrize(("upload", "field", "code"), [
    (None, "file", "invalid"),
    (SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10), "file", "unsupported_file_type"),
    (SimpleUploadedFile("empty.png", b""), "file", "invalid"),
], ids=["no_file_case", "not_an_image_case", "empty_case"])
def test_upload_refused_writes_nothing(cast, upload, field, code):
    unit = make_asset()
    with pytest.raises(InvalidInput) as exc:
        services.archive_document_upload(document_type=_type("floor_plan"), unit=unit, actor_user=cast["steward"],
                                         upload=upload)
    assert (list(exc.value.fields), exc.value.code) == ([field], code)
    assert ArchiveDocument.objects.count() == 0 and ArchiveFile.objects.count() == 0


@override_settings(KEFU_ATTACHMENT_MAX_BYTES=32)
def test_upload_too_large(cast):
    with pytest.raises(InvalidInput) as exc:
        services.archive_document_upload(document_type=_type("floor_plan"), unit=make_asset(),
                                         actor_user=cast["steward"], upload=_png())
    assert exc.value.code == "file_too_large"
    assert ArchiveDocument.objects.count() == 0


def test_upload_refused_for_agent_and_wrong_scope(cast):
    unit = make_asset()
    with pytest.raises(NotAllowed):
        services.archive_document_upload(document_type=_type("floor_plan"), unit=unit, actor_user=cast["agent"],
                                         upload=_png())
    with pytest.raises(InvalidInput) as exc:
        services.archive_document_upload(document_type=_type("id_copy"), unit=unit, actor_user=cast["steward"],
                                         upload=_png())
    assert list(exc.value.fields) == ["document_type"]
    assert ArchiveDocument.objects.count() == 0


def test_upload_to_unseen_unit_is_404(cast, org):
    from kefu.customers.tests.factories import make_site

    unit = make_asset(site=make_site(department=org["other"]))
    with pytest.raises(NotFound):
        services.archive_document_upload(document_type=_type("floor_plan"), unit=unit, actor_user=cast["steward"],
                                         upload=_png())
    assert ArchiveDocument.objects.count() == 0
