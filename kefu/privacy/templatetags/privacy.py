"""`{% personal_value %}`: a phone or ID number masked, with a reveal-with-reason control for
roles that hold the personal-data permission (see docs/privacy.md)."""

import itertools

from django import template
from django.template.loader import render_to_string

from kefu.core.masking import mask_phone, may_view_personal_data
from kefu.privacy.choices import PersonalField

register = template.Library()
_ids = itertools.count(1)


def mask_value(field: str, value: str) -> str:
    if field == PersonalField.ID_NUMBER:
        from kefu.privacy.masking import mask_id

        return mask_id(value)
    return mask_phone(value)


@register.simple_tag(takes_context=True)
def personal_value(context, customer_id, field, value, phone_id=None):
    """Masked by default for everyone (lists stay masked); the full value only through a logged
    reveal, which only roles with the permission are offered."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return render_to_string("privacy/partials/personal_value.html", {
        "uid": f"pv{next(_ids)}", "customer_id": customer_id, "field": field, "phone_id": phone_id or "",
        "masked": mask_value(field, value or ""), "may_reveal": bool(value) and may_view_personal_data(user),
    }, request=request)
