"""Every write of the customer portal: sign-in codes and tokens, consent, reports, messages,
cancellations and confirmations. Work orders change only through the gate
(`work_order_create`, `work_order_transition`, `work_order_record_event`), acting as the portal's
system user; the customer's account is named in each event's data.

Codes go out through the outbox (SMS; the log-only adapter until a provider account exists).
No answer of `code_request` depends on whether the number belongs to a customer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import status

from kefu.core.errors import ApplicationError, Conflict, NotFound, field_error, required_field
from kefu.core.workflow import lock_for_update
from kefu.customers.models import Building, CustomerPhone
from kefu.customers.phones import normalize_phone
from kefu.notifications.customer_messages import mainland_mobile
from kefu.notifications.services import outbox_enqueue
from kefu.portal import selectors
from kefu.portal.models import (
    AuthAttempt,
    Confirmation,
    PortalAccount,
    PortalRequest,
    PortalToken,
    SignInCode,
)
from kefu.workorders.choices import Action, Channel, Status, WorkOrderType
from kefu.workorders.hooks import work_order_record_event
from kefu.workorders.models import WorkOrder
from kefu.workorders.services import work_order_attachment_add, work_order_create, work_order_transition

SYSTEM_USERNAME = "kefu-portal"
CONSENT_VERSION = "2026-01"
# What a customer may report through the portal (the other types are the center's own).
REPORT_TYPES = (WorkOrderType.REPAIR, WorkOrderType.COMPLAINT, WorkOrderType.INQUIRY, WorkOrderType.SUGGESTION)
MAX_PHOTOS = 6
MAX_TEXT = 2000
MAX_MESSAGE = 2000
MAX_SLOTS = 3
SLOTS = ("weekday_morning", "weekday_afternoon", "weekday_evening", "weekend")
PHOTO_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


class TooManyRequests(ApplicationError):
    """Rate limited or locked out (429); the message says until when, never why a number is known."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "too_many_requests"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def portal_user() -> Any:
    """The user the portal's changes to work orders are recorded as: a superuser without a
    password or staff profile (it can never sign in); the event data names the customer."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        try:
            with transaction.atomic():
                user = user_model(username=SYSTEM_USERNAME, is_superuser=True, is_staff=False,
                                  first_name="客户门户")
                user.set_unusable_password()
                user.save()
        except IntegrityError:
            user = user_model.objects.get(username=SYSTEM_USERNAME)
    return user


def clean_phone(raw: Any) -> str:
    """The 11-digit mainland mobile number, or a 400 naming `phone` (codes go by SMS)."""
    if not isinstance(raw, str) or not raw.strip():
        raise required_field("phone")
    mobile = mainland_mobile(raw.strip()[:40])
    if not mobile:
        raise field_error("phone", _("Enter a mainland China mobile number (11 digits)."))
    return mobile


# --- sign-in ----------------------------------------------------------------------------------------

def _count(*, kind: str, since: datetime, phone: str = "", ip: str = "") -> int:
    rows = AuthAttempt.objects.filter(kind=kind, at__gt=since)
    return (rows.filter(phone=phone) if phone else rows.filter(ip=ip)).count()


def _wait_message(until: datetime) -> str:
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return _("Too many attempts. Please try again in %(minutes)s minutes.") % {"minutes": minutes}


def code_request(*, phone: Any, ip: str = "", now: datetime | None = None) -> None:
    """Send a fresh 6-digit code to `phone` by SMS (ending any earlier one). The same answer for
    every well-formed number, registered or not; TooManyRequests beyond the per-number (one a
    minute, KEFU_PORTAL_CODES_PER_NUMBER an hour) and per-address (KEFU_PORTAL_CODES_PER_IP an
    hour) limits."""
    number = clean_phone(phone)
    now = now or timezone.now()
    hour = now - timedelta(hours=1)
    last = AuthAttempt.objects.filter(kind=AuthAttempt.Kind.CODE_SENT, phone=number).order_by("-at").first()
    if last is not None and last.at > now - timedelta(minutes=1):
        raise TooManyRequests(_wait_message(last.at + timedelta(minutes=1)))
    if _count(kind=AuthAttempt.Kind.CODE_SENT, phone=number, since=hour) >= settings.KEFU_PORTAL_CODES_PER_NUMBER:
        raise TooManyRequests(_("Too many codes for this number. Please try again in an hour."))
    if ip and _count(kind=AuthAttempt.Kind.CODE_SENT, ip=ip, since=hour) >= settings.KEFU_PORTAL_CODES_PER_IP:
        raise TooManyRequests(_("Too many codes from this network. Please try again in an hour."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = settings.KEFU_PORTAL_CODE_MINUTES
    with transaction.atomic():
        SignInCode.objects.filter(phone=number, used_at=None).update(used_at=now)  # one active code
        SignInCode.objects.create(phone=number, code_hash=_hash(f"{number}:{code}"), created_at=now,
                                  expires_at=now + timedelta(minutes=minutes))
        AuthAttempt.objects.create(kind=AuthAttempt.Kind.CODE_SENT, phone=number, ip=ip[:64], at=now)
        body = _("Your sign-in code is %(code)s (valid for %(minutes)s minutes). Do not share it.") % {
            "code": code, "minutes": minutes}
        # The code is a credential: the outbox keeps the text without it once the message is final.
        outbox_enqueue(channel="sms", to_address=number, subject=_("Sign-in code"), body=body,
                       redacted_body=body.replace(code, "******"), kind="verification_code",
                       params={"code": code, "minutes": str(minutes)})


def _locked_until(number: str, now: datetime) -> datetime | None:
    window = now - timedelta(minutes=settings.KEFU_PORTAL_LOCKOUT_MINUTES)
    success = AuthAttempt.objects.filter(kind=AuthAttempt.Kind.SIGNED_IN, phone=number, at__gt=window).order_by(
        "-at").values_list("at", flat=True).first()
    failures = list(AuthAttempt.objects.filter(kind=AuthAttempt.Kind.FAILED, phone=number,
                                               at__gt=success or window).order_by("-at").values_list("at", flat=True)
                    [:settings.KEFU_PORTAL_CODE_MAX_FAILURES])
    if len(failures) < settings.KEFU_PORTAL_CODE_MAX_FAILURES:
        return None
    return failures[0] + timedelta(minutes=settings.KEFU_PORTAL_LOCKOUT_MINUTES)


def customer_for_number(number: str) -> Any:
    """The one live customer with this phone number, or None (none, or several share it)."""
    ids = set(CustomerPhone.objects.filter(number=normalize_phone(number), customer__deleted_at__isnull=True)
              .values_list("customer_id", flat=True)[:2])
    if len(ids) != 1:
        return None
    return CustomerPhone.objects.filter(customer_id=next(iter(ids))).select_related("customer").first().customer  # type: ignore[union-attr]


def token_for_code(*, phone: Any, code: Any, ip: str = "", consent: bool = False,
                   now: datetime | None = None) -> tuple[PortalAccount, str]:
    """Exchange the number's active code for a portal token: (account, key). A wrong or expired
    code → 400 naming `code` (counted); after KEFU_PORTAL_CODE_MAX_FAILURES wrong codes the
    number is locked (429) for KEFU_PORTAL_LOCKOUT_MINUTES, even with the right code. `consent`
    records the PIPL notice accepted (on the first sign-in at the latest)."""
    number = clean_phone(phone)
    now = now or timezone.now()
    until = _locked_until(number, now)
    if until is not None and until > now:
        raise TooManyRequests(_wait_message(until))
    if not isinstance(code, str) or not code.strip():
        raise required_field("code")
    code = code.strip()
    active = SignInCode.objects.filter(phone=number, used_at=None, expires_at__gt=now).first()
    right = active is not None and len(code) == 6 and hmac.compare_digest(active.code_hash, _hash(f"{number}:{code}"))
    claimed = right and SignInCode.objects.filter(pk=active.pk, used_at=None).update(used_at=now) == 1  # type: ignore[union-attr]
    if not claimed:
        AuthAttempt.objects.create(kind=AuthAttempt.Kind.FAILED, phone=number, ip=ip[:64], at=now)
        raise field_error("code", _("The code is wrong or has expired. Request a new code if needed."), "wrong_code")
    with transaction.atomic():
        account = PortalAccount.objects.select_for_update().filter(phone=number).first()
        if account is None:
            account = PortalAccount.objects.create(phone=number, created_at=now)
        account.customer = customer_for_number(number)
        account.last_sign_in_at = now
        if consent and account.consent_at is None:
            account.consent_at, account.consent_version = now, CONSENT_VERSION
        account.save()
        AuthAttempt.objects.create(kind=AuthAttempt.Kind.SIGNED_IN, phone=number, ip=ip[:64], at=now)
        key = secrets.token_urlsafe(32)
        PortalToken.objects.create(account=account, key_hash=_hash(key), created_at=now,
                                   expires_at=now + timedelta(days=settings.KEFU_PORTAL_TOKEN_DAYS))
    return account, key


def account_for_key(key: str, now: datetime | None = None) -> PortalAccount | None:
    """The account of a valid (unexpired, unrevoked) portal token, or None."""
    if not key:
        return None
    token = PortalToken.objects.select_related("account__customer").filter(key_hash=_hash(key)).first()
    now = now or timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    return token.account


def token_revoke(*, key: str) -> None:
    """Sign out: the token stops working at once."""
    PortalToken.objects.filter(key_hash=_hash(key), revoked_at=None).update(revoked_at=timezone.now())


def consent_record(*, account: PortalAccount) -> PortalAccount:
    """Record the PIPL consent notice accepted (once; the first time is kept)."""
    if account.consent_at is None:
        now = timezone.now()
        PortalAccount.objects.filter(pk=account.pk, consent_at=None).update(consent_at=now,
                                                                              consent_version=CONSENT_VERSION)
        account.consent_at, account.consent_version = now, CONSENT_VERSION
    return account


# --- reports ----------------------------------------------------------------------------------------

def _check_photo(upload: Any, index: int) -> None:
    field = "photos"
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES
    size = getattr(upload, "size", 0) or 0
    if size > limit:
        raise field_error(field, _("Photo %(n)s is larger than %(mb)s MB.") % {"n": index, "mb": limit // (1024 * 1024)},
                          "file_too_large")
    head = upload.read(16)
    upload.seek(0)
    if size == 0 or not any(head.startswith(magic) for magic, _type in PHOTO_TYPES):
        raise field_error(field, _("Photo %(n)s is not a JPEG or PNG photo.") % {"n": index}, "unsupported_file_type")


def _clean_report(*, account: PortalAccount | None, type: Any, unit: Any, category: Any, text: Any,
                  photos: list[Any], slots: Any, building: Any) -> dict[str, Any]:
    if type not in REPORT_TYPES:
        raise field_error("type", _("Choose repair, complaint, inquiry or suggestion."))
    asset = None
    if building is None:
        if unit in (None, ""):
            raise required_field("unit")
        asset = selectors.unit_for_account(account=account, pk=unit) if account is not None else None
        if asset is None:
            raise field_error("unit", _("Choose one of your units."))
    if category in (None, ""):
        raise required_field("category")
    chosen = selectors.categories_for(type=str(type)).filter(pk=int(category) if str(category).isdigit() else 0).first()
    if chosen is None:
        raise field_error("category", _("Choose a category from the list."))
    if not isinstance(text, str) or not text.strip():
        raise required_field("text")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise field_error("text", _("Keep the description under %(max)s characters.") % {"max": MAX_TEXT})
    if len(photos) > MAX_PHOTOS:
        raise field_error("photos", _("At most %(max)s photos.") % {"max": MAX_PHOTOS})
    for index, photo in enumerate(photos, start=1):
        _check_photo(photo, index)
    slots = list(slots or [])
    if len(slots) > MAX_SLOTS or any(slot not in SLOTS for slot in slots):
        raise field_error("slots", _("Choose at most %(max)s of the visit times offered.") % {"max": MAX_SLOTS})
    return {"type": str(type), "asset": asset, "category": chosen, "text": text, "slots": slots}


def check_report(*, type: Any, category: Any, text: Any, photos: list[Any]) -> None:
    """The checks of a public-area report (no unit) before anything else happens (400 naming the
    field): the QR page runs them before it spends the sign-in code."""
    _clean_report(account=None, type=type, unit=None, category=category, text=text, photos=list(photos),
                  slots=[], building=True)


def _slot_labels(slots: list[str]) -> str:
    labels = dict(selectors.slot_choices())
    return "、".join(str(labels[s]) for s in slots)


@transaction.atomic
def portal_report(*, account: PortalAccount, type: Any, unit: Any = None, category: Any = None, text: Any = "",
                  photos: list[Any] | None = None, slots: Any = None, building: Building | None = None) -> WorkOrder:
    """A customer's request → a work order of channel `web_portal` through the same intake as the
    staff's (`work_order_create`: SLA, routing, events), its photos as the order's attachments and
    a PortalRequest saying where it came from. With `building` (a QR code's public-area report)
    no unit is needed. Everything is checked before anything is written."""
    photos = list(photos or [])
    values = _clean_report(account=account, type=type, unit=unit, category=category, text=text, photos=photos,
                           slots=slots, building=building)
    user = portal_user()
    description = values["text"]
    if values["slots"]:
        description += "\n" + _("Preferred visit times: %(slots)s") % {"slots": _slot_labels(values["slots"])}
    if building is not None:
        description += "\n" + _("Public area of %(building)s (reported from the building's QR code)") % {
            "building": str(building)}
    first_line = values["text"].splitlines()[0]
    order = work_order_create(
        actor_user=user, type=values["type"], channel=Channel.WEB_PORTAL, category=values["category"],
        title=first_line[:60], description=description, customer=account.customer,
        contact_name=account.customer.name if account.customer else "", contact_phone=account.phone,
        asset=values["asset"])
    if building is not None and order.site_id is None:
        WorkOrder.objects.filter(pk=order.pk).update(site=building.site)
    for photo in photos:
        work_order_attachment_add(work_order=order, actor_user=user, upload=photo)
    PortalRequest.objects.create(
        work_order=order, account=account, building=building, public_area=building is not None,
        preferred_slots=values["slots"], created_at=timezone.now(),
        shown={"type": values["type"], "category": values["category"].name, "text": values["text"],
               "unit": values["asset"].code if values["asset"] else "", "photos": len(photos),
               "language": translation.get_language() or settings.LANGUAGE_CODE})
    return order


def _own_order(account: PortalAccount, order: WorkOrder | int) -> WorkOrder:
    pk = order.pk if isinstance(order, WorkOrder) else order
    found = selectors.order_get(account=account, pk=pk)
    if found is None:
        raise NotFound(_("Work order not found."))
    return found


def portal_cancel(*, account: PortalAccount, order: WorkOrder | int, reason: str = "",
                  expected_version: int | None = None) -> WorkOrder:
    """Cancel the customer's own order while nobody has taken it yet (status `new`), through the
    gate with the version read: if staff accept it meanwhile, one of the two wins and the other
    gets a clear 409."""
    found = _own_order(account, order)
    if found.status != Status.NEW:
        raise Conflict(_("The center is already handling this request; it can no longer be cancelled here. "
                         "Send a message or call us."), code="already_taken")
    reason = (reason or "").strip()[:500] or _("Cancelled by the customer in the portal.")
    return work_order_transition(work_order=found, action=Action.CANCEL, actor_user=portal_user(),
                                 expected_version=expected_version or found.version,
                                 reason=_("Customer (portal): %(text)s") % {"text": reason})


def portal_message(*, account: PortalAccount, order: WorkOrder | int, text: Any) -> WorkOrder:
    """The customer's message joins the order's history as a customer-visible comment."""
    found = _own_order(account, order)
    if not isinstance(text, str) or not text.strip():
        raise required_field("text")
    text = text.strip()
    if len(text) > MAX_MESSAGE:
        raise field_error("text", _("Keep the message under %(max)s characters.") % {"max": MAX_MESSAGE})
    return work_order_transition(work_order=found, action=Action.COMMENT, actor_user=portal_user(),
                                 body=_("Customer message (portal): %(text)s") % {"text": text}, internal=False)


def _signature_file(signature: str) -> ContentFile | None:
    if not signature:
        return None
    from kefu.callbacks.services import signature_png

    return ContentFile(signature_png(signature), name=f"signature-{secrets.token_hex(8)}.png")


def portal_confirm(*, account: PortalAccount, order: WorkOrder | int, solved: Any, comment: Any = "",
                   signature: str = "") -> Confirmation:
    """The customer's answer to a resolved order: solved (recorded, with an optional signature)
    or not solved (the order reopens through the gate with their words). One answer per
    resolution; a second (or the automatic one first) → 409."""
    found = _own_order(account, order)
    if not isinstance(solved, bool):
        raise field_error("solved", _("Say whether the problem is solved (true or false)."))
    comment = comment.strip() if isinstance(comment, str) else ""
    if len(comment) > MAX_MESSAGE:
        raise field_error("comment", _("Keep the comment under %(max)s characters.") % {"max": MAX_MESSAGE})
    if not solved and not comment:
        raise field_error("comment", _("Tell us what is still wrong."), "required")
    signature_file = _signature_file(signature if isinstance(signature, str) else "")
    with transaction.atomic():
        locked = lock_for_update(WorkOrder.objects.all(), found.pk)
        if locked is None or locked.status not in (Status.RESOLVED, Status.CLOSED) or locked.resolved_at is None:
            raise Conflict(_("This request is not waiting for your confirmation."), code="not_resolved")
        if Confirmation.objects.filter(work_order=locked, resolved_at=locked.resolved_at).exists():
            raise Conflict(_("This request has already been confirmed."), code="already_confirmed")
        now = timezone.now()
        confirmation = Confirmation(work_order=locked, account=account, solved=solved, comment=comment,
                                    resolved_at=locked.resolved_at, created_at=now)
        if signature_file is not None:
            confirmation.signature.save(signature_file.name or "signature.png", signature_file, save=False)
        confirmation.save()
        if solved:
            body = _("The customer confirmed in the portal: solved.") + (f" {comment}" if comment else "")
            work_order_record_event(order=locked, action=Action.COMMENT, at=now, body=body, internal=False,
                                    data={"portal_confirmation": confirmation.pk, "solved": True,
                                          "portal_account": account.pk, "signature": bool(signature_file)})
        else:
            work_order_transition(work_order=locked, action=Action.REOPEN, actor_user=portal_user(),
                                  reason=_("Customer (portal): not solved — %(text)s") % {"text": comment})
    return confirmation


def _business_days_after(start: datetime, days: int) -> datetime:
    from kefu.sla.selectors import first_workday_on_or_after

    local = timezone.localtime(start)
    day = local.date()
    for _day in range(days):
        day = first_workday_on_or_after(day + timedelta(days=1))
    return local.replace(year=day.year, month=day.month, day=day.day)


def auto_confirm_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Confirm automatically the portal orders resolved KEFU_PORTAL_AUTO_CONFIRM_DAYS business
    days ago that nobody confirmed: a Confirmation marked automatic and a customer-visible note
    on the order. Each order is claimed under its row lock, so a customer confirming at the same
    moment wins or loses cleanly. Returns how many were confirmed."""
    now = now or timezone.now()
    days = settings.KEFU_PORTAL_AUTO_CONFIRM_DAYS
    candidates = (selectors.portal_orders().filter(status=Status.RESOLVED, resolved_at__lte=now - timedelta(days=days))
                  .values_list("pk", "resolved_at")[:limit])
    done = 0
    for pk, resolved_at in candidates:
        if resolved_at is None or _business_days_after(resolved_at, days) > now:
            continue
        with transaction.atomic():
            order = lock_for_update(WorkOrder.objects.all(), pk)
            if (order is None or order.status != Status.RESOLVED or order.resolved_at != resolved_at
                    or Confirmation.objects.filter(work_order=order, resolved_at=resolved_at).exists()):
                continue
            confirmation = Confirmation.objects.create(work_order=order, solved=True, automatic=True,
                                                       resolved_at=resolved_at, created_at=now)
            work_order_record_event(
                order=order, action=Action.COMMENT, at=now, internal=False,
                body=_("Confirmed automatically: no answer from the customer within %(days)s business days.") % {
                    "days": days},
                data={"portal_confirmation": confirmation.pk, "solved": True, "automatic": True})
            done += 1
    return done


def rating_link_for(*, account: PortalAccount, order: WorkOrder | int) -> str | None:
    """A fresh rating link (the callbacks' one-time form) for the customer's resolved order, to
    open right after confirming; None when the order cannot be rated."""
    from kefu.callbacks.services import rating_link_issue

    found = _own_order(account, order)
    if found.status not in (Status.RESOLVED, Status.CLOSED):
        return None
    with transaction.atomic():
        issued = rating_link_issue(order=found, deliver=False)
    return issued[1] if issued else None

