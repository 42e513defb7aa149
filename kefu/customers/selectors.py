"""Reads about customers: the as-you-type lookup used while the phone rings."""

import re

from django.db.models import Prefetch, Q, QuerySet

from kefu.customers.models import Asset, Customer, CustomerAsset, CustomerPhone
from kefu.customers.phones import phone_digits_query

# A character after '9' in ASCII: number >= '138' AND number < '138:' is a prefix match that
# uses a plain B-tree index on both SQLite and PostgreSQL (LIKE prefix does not, under
# PostgreSQL's default collation without a pattern_ops index).
_AFTER_DIGITS = ":"
_PHONE_CHARS = re.compile(r"[\d\s()+\-.]")


def _prefix(field: str, value: str) -> Q:
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + _AFTER_DIGITS})


def customer_base_queryset() -> QuerySet[Customer]:
    return Customer.objects.prefetch_related(
        "phones",
        Prefetch("asset_links", queryset=CustomerAsset.objects.filter(ended_on=None).select_related(
            "asset", "asset__site", "asset__building")),
    )


def customer_search(*, q: str, limit: int = 20) -> QuerySet[Customer]:
    """Customers matching `q` by phone (any format; leading or trailing digits), name (or its
    pinyin initials) or asset code. Every branch is an indexed prefix/range lookup, so it stays
    fast enough to run on each keystroke."""
    q = (q or "").strip()
    if not q:
        return Customer.objects.none()
    digits = phone_digits_query(q)
    conditions = Q()
    looks_like_phone = len(digits) >= 3 and not _PHONE_CHARS.sub("", q)
    if looks_like_phone:
        phone_ids = CustomerPhone.objects.filter(
            _prefix("number", digits) | _prefix("number_reversed", digits[::-1])
        ).values("customer_id")
        conditions |= Q(pk__in=phone_ids)
    asset_ids = Asset.objects.filter(code__istartswith=q).values("pk")[:50]
    conditions |= Q(pk__in=CustomerAsset.objects.filter(asset__in=asset_ids, ended_on=None).values("customer_id"))
    if not looks_like_phone:
        conditions |= Q(name__startswith=q) | Q(name_initials__startswith=q.lower())
        if len(q) >= 2:
            conditions |= Q(name__contains=q)
    return customer_base_queryset().filter(conditions).order_by("name", "id")[:limit]


def customer_get(*, pk: int) -> Customer | None:
    return customer_base_queryset().filter(pk=pk).first()


def customer_list() -> QuerySet[Customer]:
    return customer_base_queryset().order_by("name", "id")


def asset_search(*, q: str, limit: int = 20) -> QuerySet[Asset]:
    q = (q or "").strip()
    if not q:
        return Asset.objects.none()
    return Asset.objects.select_related("site", "building").filter(code__istartswith=q).order_by("code")[:limit]
