"""Writes to customers: creation with normalised phones, linking assets."""

from django.db import transaction
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from kefu.core.errors import InvalidInput
from kefu.customers.choices import AssetRelation, CustomerKind
from kefu.customers.models import Asset, Customer, CustomerAsset, CustomerPhone
from kefu.customers.phones import normalize_phone


def name_initials(name: str) -> str:
    """Pinyin initials of a Chinese name, lower case ('张三' → 'zs'); Latin letters kept."""
    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    # Chinese characters come back as one initial each, anything else as one run ("ACME "): keep
    # such runs whole as promised above, so "acme" finds "ACME物流" (it gave "awl", and the
    # case-sensitive name prefix on PostgreSQL did not match either).
    return "".join(ch for p in parts for ch in p if ch.isalnum()).lower()[:100]


@transaction.atomic
def customer_create(*, name: str, kind: str = CustomerKind.PERSON, phones: list[str] | None = None,
                    email: str = "", tier: str = "standard", notes: str = "",
                    assets: list[Asset] | None = None, relation: str = AssetRelation.OWNER) -> Customer:
    """Create a customer with its phone numbers (normalised, deduplicated) and asset links."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Name is required."), fields={"name": [_("This field is required.")]})
    if kind not in CustomerKind.values:
        raise InvalidInput(_("Unknown customer kind."), fields={"kind": [_("Unknown customer kind.")]})
    numbers: list[tuple[str, str]] = []
    for raw in phones or []:
        number = normalize_phone(raw)
        if not number or len(number.lstrip("+")) < 5:
            raise InvalidInput(_("Invalid phone number: %(value)s") % {"value": raw},
                               fields={"phones": [_("Invalid phone number: %(value)s") % {"value": raw}]})
        if number not in {n for n, _raw in numbers}:
            numbers.append((number, raw))
    customer = Customer.objects.create(kind=kind, name=name, name_initials=name_initials(name),
                                       email=email, tier=tier, notes=notes)
    CustomerPhone.objects.bulk_create([
        CustomerPhone(customer=customer, number=n, number_reversed=n[::-1], raw=raw, is_primary=(i == 0))
        for i, (n, raw) in enumerate(numbers)
    ])
    for asset in assets or []:
        CustomerAsset.objects.create(customer=customer, asset=asset, relation=relation)
    return customer
