"""Writes of personal-data protection: a reveal on a page and an unmasked export, each logged."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.core.masking import may_view_personal_data
from kefu.customers.models import Customer
from kefu.org.selectors import actor_for_user
from kefu.privacy.choices import AccessAction, PersonalField
from kefu.privacy.models import AccessLog
from kefu.privacy.selectors import customers_for_actor

REASON_MAX = 200


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        msg = pgettext("privacy", "Say why you need to see it.")
        raise InvalidInput(msg, fields={"reason": [msg]})
    if len(reason) > REASON_MAX:
        msg = pgettext("privacy", "The reason is longer than %(max)s characters.") % {"max": REASON_MAX}
        raise InvalidInput(msg, fields={"reason": [msg]})
    return reason


def _require_permission(actor_user):
    actor = actor_for_user(actor_user)
    if actor is None or not may_view_personal_data(actor_user):
        raise NotAllowed(pgettext("privacy", "Your role may not see personal data unmasked."))
    return actor


def _value(customer: Customer, field: str, phone_id) -> str:
    if field == PersonalField.PHONE:
        phone = customer.phones.filter(pk=phone_id).first() if phone_id else None
        if phone is None:
            raise NotFound(pgettext("privacy", "Not found."))
        return phone.number
    if field == PersonalField.ID_NUMBER:
        return getattr(customer, "id_number", "") or ""
    msg = pgettext("privacy", "Unknown field.")
    raise InvalidInput(msg, fields={"field": [msg]})


@transaction.atomic
def personal_data_reveal(*, actor_user, customer_id: int, field: str, reason: str, phone_id=None) -> str:
    """Return one personal value in full and log who saw whose which field, when and why.

    Only roles with `customers.view_personal_data` may; customers outside the actor's scope are
    404; a missing reason is 400. Nothing is logged on any refusal.
    """
    actor = _require_permission(actor_user)
    customer = customers_for_actor(actor=actor).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(pgettext("privacy", "Not found."))
    reason = _clean_reason(reason)
    value = _value(customer, field, phone_id)
    AccessLog.objects.create(actor=actor_user, action=AccessAction.REVEAL, customer=customer,
                             customer_label=customer.name[:100], field=field, reason=reason,
                             data={"phone_id": int(phone_id)} if phone_id else {}, created_at=timezone.now())
    return value


@transaction.atomic
def export_access_record(*, actor_user, list_name: str, row_count: int, filters: dict, reason: str) -> AccessLog:
    """Check that the actor may export unmasked personal data and log the export (which list,
    filters, how many rows). Call before writing the first row; refusals log nothing."""
    _require_permission(actor_user)
    reason = _clean_reason(reason)
    return AccessLog.objects.create(actor=actor_user, action=AccessAction.EXPORT, customer=None,
                                    customer_label="", field=PersonalField.ALL, reason=reason,
                                    data={"list": list_name, "rows": row_count, "filters": filters},
                                    created_at=timezone.now())
