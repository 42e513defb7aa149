"""Writes to customers, occupancies and archives. One transaction each; every refusal is an
ApplicationError naming the field, in the user's language. Changes to customers, phones,
occupancies and archive documents are recorded by django-simple-history with the acting user
(set explicitly, so API token requests are attributed as well as page requests)."""

import mimetypes
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from kefu.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, field_error
from kefu.customers import identifiers
from kefu.customers.choices import (
    AssetKind,
    AssetRelation,
    CustomerKind,
    CustomerTier,
    DocumentScope,
    DocumentStatus,
    Gender,
    IdType,
    UnitStatus,
)
from kefu.customers.models import (
    ArchiveDocument,
    ArchiveFile,
    Asset,
    Customer,
    CustomerAsset,
    CustomerContact,
    CustomerPhone,
    DocumentType,
)
from kefu.customers.phones import normalize_phone
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor, actor_for_user

# Who keeps archives and occupancies (stewards own their units; clerks file the paper).
ARCHIVE_ROLES = {RoleCode.STEWARD, RoleCode.CLERK, RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR,
                 RoleCode.ADMINISTRATOR}
DELETE_ROLES = {RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR, RoleCode.ADMINISTRATOR}
# A PIPL erasure cannot be undone: only administrators (the data-protection contact) do it.
ERASE_ROLES = {RoleCode.ADMINISTRATOR}

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)

# Fields a customer update may set; anything else is ignored by the caller's serializer.
UPDATABLE_FIELDS = ("name", "kind", "tier", "email", "notes", "gender", "id_type", "id_number", "credit_code",
                    "address", "emergency_contact_name", "emergency_contact_phone", "language", "tags")


def name_initials(name: str) -> str:
    """Pinyin initials of a Chinese name, lower case ('张三' → 'zs'); Latin letters kept."""
    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    # Chinese characters come back as one initial each, anything else as one run ("ACME "): keep
    # such runs whole as promised above, so "acme" finds "ACME物流" (it gave "awl", and the
    # case-sensitive name prefix on PostgreSQL did not match either).
    return "".join(ch for p in parts for ch in p if ch.isalnum()).lower()[:100]


def _actor(user, roles: set | None = None, message: str = "") -> Actor:
    actor = actor_for_user(user)
    if actor is None:
        raise NotAllowed(_("Only staff members may change customer data."))
    if roles is not None and actor.role not in roles:
        raise NotAllowed(message or _("Your role may not do this."), code="role_not_allowed")
    return actor


def _clean_phones(phones: list[str] | None, field: str = "phones") -> list[tuple[str, str]]:
    numbers: list[tuple[str, str]] = []
    for raw in phones or []:
        number = normalize_phone(raw)
        invalid = not number or len(number.lstrip("+")) < 5
        if not invalid and identifiers.is_cn_mobile_shape(number) and not identifiers.is_valid_cn_mobile(number):
            invalid = True
        if invalid:
            raise field_error(field, _("Invalid phone number: %(value)s") % {"value": raw})
        if number not in {n for n, _raw in numbers}:
            numbers.append((number, raw))
    return numbers


def _clean_identity(data: dict) -> dict:
    """Check and normalise the ID, credit code and contact fields of `data` in place."""
    kind = data.get("kind", CustomerKind.PERSON)
    if kind not in CustomerKind.values:
        raise field_error("kind", _("Unknown customer kind."))
    if data.get("tier", CustomerTier.STANDARD) not in CustomerTier.values:
        raise field_error("tier", _("Unknown customer tier."))
    if data.get("gender", "") not in Gender.values:
        raise field_error("gender", _("Unknown gender."))
    if data.get("language", "zh-hans") not in {code for code, _name in settings.LANGUAGES}:
        raise field_error("language", _("Unknown language."))
    id_type = data.get("id_type", "") or ""
    if id_type not in IdType.values:
        raise field_error("id_type", _("Unknown ID type."))
    id_number = identifiers.clean_identifier(data.get("id_number", ""))
    if id_number and not id_type:
        raise field_error("id_type", _("Choose the type of the ID number."))
    if id_type == IdType.RESIDENT_ID and id_number:
        problem = identifiers.resident_id_problem(id_number)
        messages = {
            "format": _("A resident ID number has 18 characters: 17 digits and a digit or X."),
            "birth_date": _("The birth date in this resident ID number is not a valid date."),
            "check_digit": _("The check digit of this resident ID number is wrong; please check the number."),
        }
        if problem:
            raise field_error("id_number", messages[problem])
    elif id_number and not (4 <= len(id_number) <= 32 and id_number.isalnum()):
        raise field_error("id_number", _("An ID number has 4 to 32 letters and digits."))
    data["id_type"], data["id_number"] = (id_type if id_number else ""), id_number
    credit_code = identifiers.clean_identifier(data.get("credit_code", ""))
    if credit_code:
        problem = identifiers.credit_code_problem(credit_code)
        if problem == "format":
            raise field_error("credit_code", _("A unified social credit code has 18 characters (digits and "
                                                "capital letters except I, O, Z, S, V)."))
        if problem:
            raise field_error("credit_code", _("The check character of this unified social credit code is "
                                                "wrong; please check the code."))
    data["credit_code"] = credit_code
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise field_error("email", _("Enter a valid email address.")) from None
    data["email"] = email
    emergency = (data.get("emergency_contact_phone") or "").strip()
    if emergency:
        data["emergency_contact_phone"] = _clean_phones([emergency], "emergency_contact_phone")[0][0]
    tags = data.get("tags") or []
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise field_error("tags", _("Tags are a list of words."))
    data["tags"] = sorted({t.strip()[:32] for t in tags if t.strip()})
    for field, limit in (("address", 200), ("emergency_contact_name", 100)):
        data[field] = (data.get(field) or "").strip()[:limit]
    return data


def _save(instance, actor_user, **kwargs):
    # simple-history reads the acting user from here (DRF token requests never reach its
    # middleware as an authenticated user).
    instance._history_user = actor_user
    instance.save(**kwargs)
    return instance


def _visible_or_404(actor: Actor | None, customer: Customer) -> Customer:
    from kefu.customers.selectors import customer_get

    if actor is None:
        return customer
    found = customer_get(pk=customer.pk, actor=actor)
    if found is None:
        raise NotFound(_("Customer not found."))
    return found


@transaction.atomic
def customer_create(*, name: str, kind: str = CustomerKind.PERSON, phones: list[str] | None = None,
                    email: str = "", tier: str = "standard", notes: str = "",
                    assets: list[Asset] | None = None, relation: str = AssetRelation.OWNER,
                    gender: str = "", id_type: str = "", id_number: str = "", credit_code: str = "",
                    address: str = "", emergency_contact_name: str = "", emergency_contact_phone: str = "",
                    language: str = "zh-hans", tags: list[str] | None = None,
                    contacts: list[dict] | None = None, department=None, actor_user=None) -> Customer:
    """Create a person or organisation with its phones (normalised, deduplicated), contacts and
    asset links; resident ID numbers, credit codes and mobile numbers are checked."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Name is required."), fields={"name": [_("This field is required.")]})
    data = _clean_identity({"kind": kind, "tier": tier, "gender": gender, "id_type": id_type,
                            "id_number": id_number, "credit_code": credit_code, "email": email,
                            "address": address, "emergency_contact_name": emergency_contact_name,
                            "emergency_contact_phone": emergency_contact_phone, "language": language,
                            "tags": tags or []})
    numbers = _clean_phones(phones)
    clean_contacts = _clean_contacts(contacts)
    if relation not in AssetRelation.values:
        raise field_error("relation", _("Unknown relation."))
    customer = Customer(name=name, name_initials=name_initials(name), name_reversed=name[::-1], notes=notes,
                        department=department,
                        id_number_reversed=data["id_number"][::-1], **data)
    _save(customer, actor_user)
    for i, (number, raw) in enumerate(numbers):
        _save(CustomerPhone(customer=customer, number=number, number_reversed=number[::-1], raw=raw,
                            is_primary=(i == 0)), actor_user)
    CustomerContact.objects.bulk_create([CustomerContact(customer=customer, **c) for c in clean_contacts])
    for asset in assets or []:
        _save(CustomerAsset(customer=customer, asset=asset, relation=relation), actor_user)
    return customer


def _clean_contacts(contacts: list[dict] | None) -> list[dict]:
    out = []
    for i, contact in enumerate(contacts or []):
        contact_name = (contact.get("name") or "").strip()
        if not contact_name:
            raise field_error(f"contacts.{i}.name", _("This field is required."))
        phone = (contact.get("phone") or "").strip()
        if phone:
            phone = _clean_phones([phone], f"contacts.{i}.phone")[0][0]
        out.append({"name": contact_name[:100], "title": (contact.get("title") or "").strip()[:100],
                    "phone": phone, "email": (contact.get("email") or "").strip()[:254]})
    return out


@transaction.atomic
def customer_update(*, customer: Customer, actor_user, phones: list[str] | None = None, **fields) -> Customer:
    """Change a customer's identity, contact fields or tags (and, if given, replace the phones);
    only fields that change are written, and the change history records old → new."""
    actor = _actor(actor_user)
    customer = _visible_or_404(actor, customer)
    if customer.erased_at is not None:
        raise Conflict(_("This customer's personal data was erased; it cannot be edited."), code="erased")
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed."))
    merged = {f: getattr(customer, f) for f in UPDATABLE_FIELDS}
    merged.update(fields)
    merged["name"] = (merged.get("name") or "").strip()
    if not merged["name"]:
        raise field_error("name", _("This field is required."))
    merged = _clean_identity(merged)
    numbers = _clean_phones(phones) if phones is not None else None
    changed = [f for f in UPDATABLE_FIELDS if getattr(customer, f) != merged[f]]
    if changed:
        for f in changed:
            setattr(customer, f, merged[f])
        customer.name_initials = name_initials(customer.name)
        customer.name_reversed = customer.name[::-1]
        customer.id_number_reversed = customer.id_number[::-1]
        _save(customer, actor_user)
    if numbers is not None:
        existing = {p.number: p for p in CustomerPhone.objects.filter(customer=customer)}
        wanted = [n for n, _raw in numbers]
        for number, phone in existing.items():
            if number not in wanted:
                phone._history_user = actor_user  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
                phone.delete()
        for i, (number, raw) in enumerate(numbers):
            phone = existing.get(number)  # type: ignore[assignment]  # not None on this path (set or checked before)
            if phone is None:
                _save(CustomerPhone(customer=customer, number=number, number_reversed=number[::-1], raw=raw,
                                    is_primary=(i == 0)), actor_user)
            elif phone.is_primary != (i == 0):
                phone.is_primary = i == 0
                _save(phone, actor_user, update_fields=["is_primary"])
    return customer


@transaction.atomic
def customer_delete(*, customer: Customer, actor_user) -> Customer:
    """Soft delete: the customer disappears from every lookup and list but is kept (with its work
    orders) until the retention period ends (`customer_purge_expired` erases it then)."""
    actor = _actor(actor_user, DELETE_ROLES, _("Your role may not delete customers."))
    customer = _visible_or_404(actor, customer)
    customer.deleted_at, customer.deleted_by = timezone.now(), actor_user
    _save(customer, actor_user, update_fields=["deleted_at", "deleted_by", "updated_at"])
    return customer


# What makes two customers one person (the import's key, the lookup's exact match): a restored
# customer must not share one with a live customer entered since the deletion.
NATURAL_KEYS = ("id_number", "credit_code")


@transaction.atomic
def customer_restore(*, customer: Customer, actor_user) -> Customer:
    """Undo a soft delete while the customer is not yet erased: `deleted_at`/`deleted_by` are
    cleared (the change history records it) and the customer is back in every lookup and list.

    The roles that may delete may restore, within their visibility (else 404). Refused (409) for an
    erased customer, one not deleted, and one whose ID number or credit code a live customer has
    been given since: restoring would make a duplicate, which is merged instead."""
    actor = _actor(actor_user, DELETE_ROLES, _("Your role may not restore deleted customers."))
    from kefu.customers.selectors import customer_visibility_q

    # Deleted and erased customers included: each has its own answer below.
    visible = Customer.objects.filter(customer_visibility_q(actor), pk=customer.pk).values("pk")
    # Locked by primary key alone (FOR UPDATE cannot lock the outer joins of the scope query).
    found = Customer.objects.select_for_update().filter(pk__in=visible).first()
    if found is None:
        raise NotFound(_("Customer not found."))
    if found.erased_at is not None:
        raise Conflict(_("This customer's personal data was erased (the retention period ended, or on a "
                         "deletion request): it cannot be restored."), code="erased")
    if found.deleted_at is None:
        raise Conflict(_("This customer is not deleted."), code="not_deleted")
    live = Customer.objects.filter(deleted_at=None).exclude(pk=found.pk)
    messages = {
        "id_number": _("A customer with this ID number has been entered since the deletion: restoring would "
                       "make a duplicate. Keep working with that customer; duplicate records are found and "
                       "merged on the Duplicates page."),
        "credit_code": _("A customer with this unified social credit code has been entered since the deletion: "
                         "restoring would make a duplicate. Keep working with that customer; duplicate records "
                         "are found and merged on the Duplicates page."),
    }
    for field in NATURAL_KEYS:
        value = getattr(found, field)
        if value and live.filter(**{field: value}).exists():
            raise Conflict(messages[field], code="duplicate", fields={field: [messages[field]]})
    found.deleted_at, found.deleted_by = None, None
    _save(found, actor_user, update_fields=["deleted_at", "deleted_by", "updated_at"])
    return found


def _erase(customer: Customer, actor_user, now) -> None:
    from kefu.workorders.services import work_order_erase_contact

    pk = customer.pk
    # Old versions in the change history hold the same personal data: they go, so that the only
    # history left is the erasure itself.
    # Deleting rows writes "deleted" versions holding the data, so the history is purged after.
    CustomerPhone.objects.filter(customer_id=pk).delete()
    CustomerContact.objects.filter(customer_id=pk).delete()
    for document in ArchiveDocument.objects.filter(customer_id=pk).prefetch_related("files"):
        for archived in document.files.all():
            archived.file.delete(save=False)
        document.delete()
    Customer.history.filter(id=pk).delete()
    CustomerPhone.history.filter(customer_id=pk).delete()
    ArchiveDocument.history.filter(customer_id=pk).delete()
    for field in ("email", "notes", "gender", "id_type", "id_number", "id_number_reversed", "credit_code",
                  "address", "emergency_contact_name", "emergency_contact_phone", "name_initials", "name_reversed"):
        setattr(customer, field, "")
    customer.name = f"#{pk}"
    customer.tags = []
    customer.erased_at = now
    customer.deleted_at = customer.deleted_at or now
    customer.deleted_by = customer.deleted_by or actor_user
    _save(customer, actor_user)
    work_order_erase_contact(customer_id=pk, actor_user=actor_user, reason="pipl_erasure")


@transaction.atomic
def customer_erase(*, customer: Customer, actor_user) -> Customer:
    """Erase a customer's personal data on a PIPL deletion request (see docs/customers.md).

    Keeps the row (so work orders, callbacks and statistics keep counting it) but blanks its
    personal fields, deletes its phones, contacts and customer-archive files, purges the old
    versions from the change history, and blanks the contact name/phone on its work orders
    through `workorders.services.work_order_erase_contact` (one event per order)."""
    actor = _actor(actor_user, ERASE_ROLES, _("Only administrators may erase personal data."))
    from kefu.customers.selectors import customer_visibility_q

    # Soft-deleted customers included: a deletion request often follows a deletion.
    found = Customer.objects.select_for_update().filter(customer_visibility_q(actor), pk=customer.pk).first()
    if found is None:
        raise NotFound(_("Customer not found."))
    if found.erased_at is not None:
        raise Conflict(_("This customer's personal data was already erased."), code="erased")
    _erase(found, actor_user, timezone.now())
    return found


@transaction.atomic
def customer_purge_expired(*, now=None) -> int:
    """Erase customers soft-deleted longer ago than KEFU_CUSTOMER_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KEFU_CUSTOMER_RETENTION_DAYS)
    rows = list(Customer.objects.filter(deleted_at__lt=cutoff, erased_at=None).select_for_update())
    for customer in rows:
        _erase(customer, customer.deleted_by, now)
    return len(rows)


# --- occupancy ---------------------------------------------------------------------------------

@transaction.atomic
def occupancy_start(*, customer: Customer, unit: Asset, relation: str, actor_user,
                    started_on: date | None = None) -> CustomerAsset:
    """A customer moves into (or is linked to) a unit with a relation; a vacant unit becomes occupied."""
    from kefu.customers.selectors import asset_visible

    actor = _actor(actor_user, ARCHIVE_ROLES, _("Your role may not record move-ins."))
    customer = _visible_or_404(actor, customer)
    if not asset_visible(actor=actor, asset=unit):
        raise field_error("unit", _("Unknown unit."))
    if relation not in AssetRelation.values:
        raise field_error("relation", _("Unknown relation."))
    if CustomerAsset.objects.filter(customer=customer, asset=unit, ended_on=None).exists():
        raise Conflict(_("This customer already occupies this unit."), code="already_occupied")
    link = _save(CustomerAsset(customer=customer, asset=unit, relation=relation,
                               started_on=started_on or timezone.localdate()), actor_user)
    if unit.kind == AssetKind.UNIT and unit.unit_status in ("", UnitStatus.VACANT):
        unit.unit_status = UnitStatus.OCCUPIED
        unit.save(update_fields=["unit_status"])
    return link


@transaction.atomic
def occupancy_end(*, occupancy: CustomerAsset, actor_user, ended_on: date | None = None) -> CustomerAsset:
    """A customer moves out: the link gets its end date (kept as history); a unit left without
    occupants becomes vacant."""
    actor = _actor(actor_user, ARCHIVE_ROLES, _("Your role may not record move-outs."))
    link = CustomerAsset.objects.select_for_update().filter(pk=occupancy.pk).select_related("asset").first()
    if link is None:
        raise NotFound(_("Occupancy not found."))
    _visible_or_404(actor, link.customer)
    if link.ended_on is not None:
        raise Conflict(_("This occupancy has already ended."), code="already_ended")
    ended_on = ended_on or timezone.localdate()
    if link.started_on and ended_on < link.started_on:
        raise field_error("ended_on", _("The move-out date is before the move-in date."))
    link.ended_on = ended_on
    _save(link, actor_user, update_fields=["ended_on"])
    unit = link.asset
    if unit.kind == AssetKind.UNIT and not CustomerAsset.objects.filter(asset=unit, ended_on=None).exists():
        unit.unit_status = UnitStatus.VACANT
        unit.save(update_fields=["unit_status"])
    return link


# --- archives ----------------------------------------------------------------------------------

def _sniff(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@transaction.atomic
def archive_document_upload(*, document_type: DocumentType, actor_user, upload: UploadedFile | None,
                            unit: Asset | None = None, customer: Customer | None = None,
                            issued_on: date | None = None, note: str = "") -> ArchiveDocument:
    """File a scan or photo (JPEG, PNG, GIF, WebP or PDF, within the size limit) as a document of a
    unit's or a customer's archive: the document becomes present; with a validity period it
    expires that many months after `issued_on` (default today)."""
    from kefu.customers.selectors import asset_visible

    actor = _actor(actor_user, ARCHIVE_ROLES, _("Your role may not change archives."))
    if (unit is None) == (customer is None):
        raise field_error("document_type", _("Choose a unit or a customer archive."))
    if not document_type.is_active:
        raise field_error("document_type", _("Unknown document type."))
    if unit is not None:
        if document_type.scope != DocumentScope.UNIT:
            raise field_error("document_type", _("This document belongs to a customer archive."))
        if not asset_visible(actor=actor, asset=unit):
            raise NotFound(_("Unit not found."))
    else:
        customer = _visible_or_404(actor, customer)  # type: ignore[arg-type]  # not None on this path (set or checked before)
        if document_type.scope != DocumentScope.CUSTOMER:
            raise field_error("document_type", _("This document belongs to a unit archive."))
    if upload is None:
        raise field_error("file", _("Choose a file to upload."))
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES
    if upload.size > limit:  # type: ignore[operator]  # not None on this path (set or checked before)
        raise field_error("file", _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
                           "file_too_large")
    if upload.size == 0:
        raise field_error("file", _("The file is empty."))
    head = upload.read(16)
    upload.seek(0)
    content_type = _sniff(head)
    if content_type is None:
        raise field_error("file", _("Only photos (JPEG, PNG, GIF, WebP) and PDF files are accepted."),
                           "unsupported_file_type")
    today = timezone.localdate()
    if issued_on is not None and issued_on > today:
        raise field_error("issued_on", _("The issue date cannot be in the future."))
    now = timezone.now()
    owner = {"asset": unit} if unit is not None else {"customer": customer}  # type: ignore[dict-item]  # not None on this path (set or checked before)
    document = (ArchiveDocument.objects.select_for_update().filter(document_type=document_type, **owner).first()
                or ArchiveDocument(document_type=document_type, **owner))
    document.status = DocumentStatus.PRESENT
    document.expires_on = (_add_months(issued_on or today, document_type.valid_months)
                           if document_type.valid_months else None)
    document.note = (note or "").strip()[:200]
    document.updated_by, document.updated_at = actor_user, now
    _save(document, actor_user)
    original = (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    upload.name = f"{uuid.uuid4().hex}{mimetypes.guess_extension(content_type) or ''}"
    ArchiveFile.objects.create(document=document, file=upload, original_name=original, content_type=content_type,  # type: ignore[misc]  # not None on this path (set or checked before)
                               size=upload.size, uploaded_by=actor_user, uploaded_at=now)
    return document
