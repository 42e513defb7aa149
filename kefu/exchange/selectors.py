"""Reads of the exchange app: import jobs the user may see, and duplicate-customer candidates."""

import difflib
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import Right
from django.utils.translation import pgettext

from kefu.core.errors import NotFound
from kefu.customers.models import Customer, CustomerPhone
from kefu.exchange.importer import HAS_ID
from kefu.exchange.models import ImportJob, MergeRecord
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor
from kefu.privacy.selectors import customers_for_actor

MERGE_ROLES = {RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR, RoleCode.ADMINISTRATOR}
SIMILAR_NAME_RATIO = 0.5


def import_jobs_for_actor(*, actor: Actor) -> QuerySet[ImportJob]:
    """Administrators see every import; everyone else their own."""
    qs = ImportJob.objects.select_related("created_by", "created_by__staff")
    if actor.role == RoleCode.ADMINISTRATOR:
        return qs
    return qs.filter(created_by_id=actor.user_id)


def import_job_get(*, actor: Actor, pk) -> ImportJob:
    job = import_jobs_for_actor(actor=actor).filter(pk=pk).first()
    if job is None:
        raise NotFound(pgettext("import", "No such import."))
    return job


@dataclass
class DuplicatePair:
    first: Customer
    second: Customer
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0

    @property
    def sides(self):
        return [(self.first, self.second), (self.second, self.first)]


def _name_ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def duplicate_pairs(*, actor: Actor, limit: int = 100) -> list[DuplicatePair]:
    """Pairs of customers (both visible to the actor) that are probably one person: the same
    normalised phone, the same ID number, or similar names (same pinyin initials, or a difflib
    ratio ≥ 0.5) that share the last four digits of a phone. Strongest evidence first."""
    visible = customers_for_actor(actor=actor)
    pairs: dict[tuple[int, int], list[str]] = {}

    def add(ids, reason):
        ids = sorted(set(ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                reasons = pairs.setdefault((a, b), [])
                if reason not in reasons:
                    reasons.append(reason)

    phones = CustomerPhone.objects.filter(customer__in=visible)
    shared = (phones.values("number").annotate(n=Count("customer", distinct=True)).filter(n__gt=1)
              .order_by("number").values_list("number", flat=True)[:limit])
    by_number: dict[str, list[int]] = {}
    for number, pk in phones.filter(number__in=list(shared)).values_list("number", "customer_id"):
        by_number.setdefault(number, []).append(pk)
    for ids in by_number.values():
        add(ids, "phone")
    if HAS_ID:
        same_id = (visible.exclude(id_number="").values("id_number").annotate(n=Count("id")).filter(n__gt=1)
                   .order_by("id_number").values_list("id_number", flat=True)[:limit])
        by_id: dict[str, list[int]] = {}
        for number, pk in visible.filter(id_number__in=list(same_id)).values_list("id_number", "pk"):
            by_id.setdefault(number, []).append(pk)
        for ids in by_id.values():
            add(ids, "id_number")
    tails = phones.annotate(tail=Right("number", 4))
    shared_tails = (tails.values("tail").annotate(n=Count("customer", distinct=True)).filter(n__gt=1)
                    .order_by("tail").values_list("tail", flat=True)[:limit])
    by_tail: dict[str, set[int]] = {}
    for tail, pk in tails.filter(tail__in=list(shared_tails)).values_list("tail", "customer_id"):
        by_tail.setdefault(tail, set()).add(pk)
    candidate_ids = {pk for ids in by_tail.values() for pk in ids} | {pk for pair in pairs for pk in pair}
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=candidate_ids).prefetch_related("phones")}
    for ids in by_tail.values():  # type: ignore[assignment]  # values of several types in one dict or variable
        ids = sorted(ids)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                ca, cb = customers[a], customers[b]
                if (ca.name_initials and ca.name_initials == cb.name_initials) or _name_ratio(
                        ca.name, cb.name) >= SIMILAR_NAME_RATIO:
                    add([a, b], "similar_name")
    weight = {"id_number": 3, "phone": 2, "similar_name": 1}
    out = [DuplicatePair(customers[a], customers[b], reasons,
                         sum(weight[r] for r in reasons) + _name_ratio(customers[a].name, customers[b].name))
           for (a, b), reasons in pairs.items() if a in customers and b in customers]
    out.sort(key=lambda p: (-p.score, p.first.pk, p.second.pk))
    return out[:limit]


def merge_records(*, actor: Actor, limit: int = 20) -> list[MergeRecord]:
    if actor.role not in MERGE_ROLES:
        return []
    return list(MergeRecord.objects.select_related("survivor", "actor", "actor__staff")[:limit])


IMPORT_ROLES = {RoleCode.CLERK, RoleCode.STEWARD, RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR,
                RoleCode.ADMINISTRATOR}


def may_import(actor: Actor | None) -> bool:
    """An import matches and updates customers and units of every site (natural keys are global),
    so only roles of the import list that see all customers may run one: a steward or supervisor
    scoped to one estate must not change another estate's occupants through a file."""
    from kefu.customers.selectors import sees_all_customers

    return actor is not None and actor.role in IMPORT_ROLES and sees_all_customers(actor)
