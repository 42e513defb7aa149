"""Reads about customers, units and archives, always scoped to what the user may see.

Visibility (PIPL: access on need): roles whose visibility is "all" (agents, QA, clerks, the
director, administrators) see every customer. Department-scoped roles (stewards, supervisors,
managers, technicians, vendors) see a site's occupants when the site's department is their own
department, one of its ancestors (the company a team belongs to) or below it; a site without a
department is shared. A customer is visible when one of its units (current or past) is on such a
site, or, having no unit on a department-scoped site, when its own department is in scope or empty.
Soft-deleted customers are hidden everywhere.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from kefu.core.masking import id_number_for, phone_for
from kefu.customers import identifiers
from kefu.customers.choices import AssetKind, DocumentScope, DocumentStatus
from kefu.customers.codes import asset_code_key
from kefu.customers.models import (
    ArchiveDocument,
    ArchiveFile,
    Asset,
    Building,
    Customer,
    CustomerAsset,
    CustomerPhone,
    DocumentType,
    Site,
)
from kefu.customers.phones import phone_digits_query
from kefu.org.choices import Visibility
from kefu.org.selectors import Actor

# A character after '9' in ASCII: number >= '138' AND number < '138:' is a prefix match that
# uses a plain B-tree index on both SQLite and PostgreSQL (LIKE prefix does not, under
# PostgreSQL's default collation without a pattern_ops index).
_AFTER_DIGITS = ":"
_PHONE_CHARS = re.compile(r"[\d\s()+\-.]")
_ID_TAIL = re.compile(r"^\d{3,}[\dX]$")
# Rows each branch of the lookup contributes before ranking; several pages of results.
_BRANCH_LIMIT = 100

RANK_EXACT, RANK_PREFIX, RANK_FRAGMENT = 0, 1, 2


def _prefix(field_name: str, value: str) -> Q:
    return Q(**{f"{field_name}__gte": value, f"{field_name}__lt": value + _AFTER_DIGITS})


# --- scope -------------------------------------------------------------------------------------

def sees_all_customers(actor: Actor | None) -> bool:
    """Whether the actor's scope is every site (visibility "all", or no department to scope by)."""
    return actor is None or actor.visibility == Visibility.ALL or not actor.department_path


def _ancestor_ids(actor: Actor) -> list[int]:
    return [int(part) for part in actor.department_path.strip("/").split("/") if part.isdigit()]


def department_scope_q(actor: Actor, field_name: str) -> Q:
    """`field_name` (a Department FK) is the actor's department, an ancestor, or below it."""
    return (Q(**{f"{field_name}_id__in": _ancestor_ids(actor)})
            | Q(**{f"{field_name}__path__startswith": actor.department_path}))


def site_scope_q(actor: Actor | None, prefix: str = "") -> Q:
    """Sites (through `prefix`, e.g. "asset__site__") the actor may see; unscoped sites included."""
    if sees_all_customers(actor):
        return Q()
    return Q(**{f"{prefix}department__isnull": True}) | department_scope_q(actor, f"{prefix}department")  # type: ignore[arg-type]  # not None on this path (set or checked before)


def customer_visibility_q(actor: Actor | None) -> Q:
    if sees_all_customers(actor):
        return Q()
    scoped_links = CustomerAsset.objects.filter(customer=OuterRef("pk"), asset__site__department__isnull=False)
    visible_links = scoped_links.filter(department_scope_q(actor, "asset__site__department"))  # type: ignore[arg-type]  # not None on this path (set or checked before)
    own = Q(department__isnull=True) | department_scope_q(actor, "department")  # type: ignore[arg-type]  # not None on this path (set or checked before)
    return Exists(visible_links) | (own & ~Exists(scoped_links))


def visible_customers(actor: Actor | None) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_visibility_q(actor), deleted_at=None)


def asset_visibility_q(actor: Actor | None) -> Q:
    if sees_all_customers(actor):
        return Q()
    return Q(site__isnull=True) | site_scope_q(actor, "site__")


def asset_visible(*, actor: Actor | None, asset: Asset) -> bool:
    return Asset.objects.filter(asset_visibility_q(actor), pk=asset.pk).exists()


# --- customers ---------------------------------------------------------------------------------

def customer_base_queryset() -> QuerySet[Customer]:
    return Customer.objects.filter(deleted_at=None).prefetch_related(
        "phones",
        Prefetch("asset_links", queryset=CustomerAsset.objects.filter(ended_on=None).select_related(
            "asset", "asset__site", "asset__building")),
    )


def _ranked_ids(q: str) -> dict[int, int]:
    """customer id → best rank (exact, prefix, fragment) over every branch of the lookup; each
    branch is one indexed lookup (equality, B-tree prefix range, or reversed prefix for tails).
    On PostgreSQL the branches go to the database as one UNION ALL (one round trip)."""
    branches: list = []

    # No ORDER BY (the models' default ordering would sort every match before the LIMIT).
    def branch(rank: int, qs, column: str) -> None:
        branches.append(qs.order_by().annotate(search_rank=Value(rank, output_field=IntegerField()))
                        .values_list(column, "search_rank")[:_BRANCH_LIMIT])

    def phones(rank: int, condition: Q) -> None:
        branch(rank, CustomerPhone.objects.filter(condition), "customer_id")

    def links(rank: int, condition: Q) -> None:
        branch(rank, CustomerAsset.objects.filter(condition, ended_on=None), "customer_id")

    def customers(rank: int, condition: Q) -> None:
        branch(rank, Customer.objects.filter(condition), "id")

    digits = phone_digits_query(q)
    looks_like_phone = len(digits) >= 3 and not _PHONE_CHARS.sub("", q)
    if looks_like_phone:
        phones(RANK_EXACT, Q(number=digits))
        phones(RANK_PREFIX, _prefix("number", digits))
        phones(RANK_FRAGMENT, _prefix("number_reversed", digits[::-1]))
    ident = identifiers.clean_identifier(q)
    if len(ident) >= 15 and ident.isalnum():
        customers(RANK_EXACT, Q(id_number=ident) | Q(credit_code=ident))
    if _ID_TAIL.match(ident) and len(ident) >= 4:
        customers(RANK_FRAGMENT, Q(id_number_reversed__startswith=ident[::-1]))
    key = asset_code_key(q)
    if key:
        links(RANK_EXACT, Q(asset__code_key=key))
        links(RANK_PREFIX, Q(asset__code_key__startswith=key))
        if len(key) >= 4:
            # the tail of a longer code: "3-2-1201" within site CH's "CH-3-2-1201"
            links(RANK_FRAGMENT, Q(asset__code_key_reversed__startswith=key[::-1]))
    if not looks_like_phone:
        customers(RANK_EXACT, Q(name=q))
        customers(RANK_PREFIX, Q(name__startswith=q))
        if q.isascii() and q.replace(" ", "").isalnum():
            customers(RANK_PREFIX, Q(name_initials__startswith=q.lower().replace(" ", "")))
        if len(q) >= 2:
            # A given name typed alone is the end of the name: an indexed prefix of the reversed
            # name. Other fragments need three characters, which a trigram index serves on
            # PostgreSQL (migration 0005); shorter ones would scan the whole table.
            customers(RANK_FRAGMENT, Q(name_reversed__startswith=q[::-1]))
        if len(q) >= 3:
            customers(RANK_FRAGMENT, Q(name__contains=q))
    if not branches:
        return {}
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(branches[0].union(*branches[1:], all=True)) if len(branches) > 1 else list(branches[0])
    else:  # SQLite cannot LIMIT the parts of a compound query: one query per branch
        rows = [row for qs in branches for row in qs]
    ranks: dict[int, int] = {}
    for pk, rank in rows:
        if ranks.get(pk, 99) > rank:
            ranks[pk] = rank
    return ranks


def customer_search(*, q: str, limit: int = 20, actor: Actor | None = None) -> list[Customer]:
    """Customers matching `q`, best first: by phone (any format; leading or trailing digits), name
    (or its pinyin initials), unit code in any spelling ("3栋2单元1201" = "3-2-1201"), account
    number, product serial, ID number or its tail, credit code. Exact matches rank before prefix
    matches, which rank before fragments; ties by name. Only customers `actor` may see."""
    q = (q or "").strip()
    if not q:
        return []
    ranks = _ranked_ids(q)
    if not ranks:
        return []
    visible = customer_base_queryset().filter(customer_visibility_q(actor))
    if len(ranks) <= limit:
        rows = {c.pk: c for c in visible.filter(pk__in=list(ranks))}
        best = sorted(rows, key=lambda pk: (ranks[pk], rows[pk].name, pk))
    else:
        # Rank on (id, name) pairs first, then load only the page shown with phones and units.
        candidates = visible.filter(pk__in=list(ranks)).order_by().values_list("pk", "name")
        best = [pk for pk, _n in sorted(candidates, key=lambda row: (ranks[row[0]], row[1], row[0]))[:limit]]
        rows = {c.pk: c for c in customer_base_queryset().filter(pk__in=best)}
    for row in rows.values():
        row.search_rank = ranks[row.pk]  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
    return [rows[pk] for pk in best if pk in rows]


def customer_get(*, pk, actor: Actor | None = None) -> Customer | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return customer_base_queryset().filter(customer_visibility_q(actor), pk=pk).first()


def customer_list(*, actor: Actor | None = None) -> QuerySet[Customer]:
    return customer_base_queryset().filter(customer_visibility_q(actor)).order_by("name", "id")


def deleted_customer_list(*, actor: Actor | None = None) -> QuerySet[Customer]:
    """Soft-deleted customers in the actor's scope that are not yet erased (so may be restored),
    most recently deleted first, with their phones and who deleted them; `deleted_rows` fills in
    the erase date of the page shown."""
    return (Customer.objects.filter(customer_visibility_q(actor), deleted_at__isnull=False, erased_at=None)
            .select_related("deleted_by__staff").prefetch_related("phones").order_by("-deleted_at", "-id"))


def deleted_rows(*, customers: list[Customer], today: date | None = None) -> list[Customer]:
    """`erase_on` (the first day the nightly purge erases the customer: the deletion plus the
    retention period) and `days_left` (0 once it is due) of each deleted customer; no query."""
    today = today or timezone.localdate()
    retention = timedelta(days=settings.KEFU_CUSTOMER_RETENTION_DAYS)
    for customer in customers:
        customer.erase_on = timezone.localdate(customer.deleted_at + retention)  # type: ignore[attr-defined, operator, arg-type]  # not None on this path (set or checked before)
        customer.days_left = max(0, (customer.erase_on - today).days)  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
    return customers


def customer_for_restore(*, pk, actor: Actor | None = None) -> Customer | None:
    """The customer `pk` in the actor's scope whatever its state (live, deleted or erased), for the
    restore service to answer each state; None when unknown or out of scope (404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return Customer.objects.filter(customer_visibility_q(actor), pk=pk).first()


def asset_search(*, q: str, limit: int = 20, actor: Actor | None = None) -> QuerySet[Asset]:
    key = asset_code_key(q)
    if not key:
        return Asset.objects.none()
    return (Asset.objects.select_related("site", "building").filter(asset_visibility_q(actor),
                                                                     code_key__startswith=key)
            .order_by("code_sort", "id")[:limit])


# --- the 360 page ------------------------------------------------------------------------------

@dataclass
class HistoryEntry:
    when: object
    who: str
    what: str
    kind: str  # "+", "~" or "-"
    changes: list = field(default_factory=list)  # (label, old, new)


_MASKED_ID_FIELDS = {"id_number"}
_MASKED_PHONE_FIELDS = {"number", "raw", "emergency_contact_phone"}
_HIDDEN_HISTORY_FIELDS = {"id", "customer", "asset", "document_type", "updated_by", "updated_at", "created_at",
                          "deleted_by"}


def _display(value) -> str:
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _history_entries(rows, *, model, label, user) -> list[HistoryEntry]:
    """Turn historical rows (oldest first) into entries with old → new per changed field; values
    are shown as the reader may see them (ID numbers and phones masked without the permission)."""
    if not rows:
        return []
    recorded = {f.name for f in rows[0]._meta.fields}
    fields = [f for f in model._meta.concrete_fields if f.name in recorded and f.name not in _HIDDEN_HISTORY_FIELDS]
    previous: dict = {}
    out: list[HistoryEntry] = []
    for row in rows:
        before = previous.get(row.id)
        changes = []
        for f in fields:
            new = getattr(row, f.attname)
            old = getattr(before, f.attname) if before is not None else None
            if before is not None and old == new:
                continue
            if before is None and new in (None, "", [], False):
                continue
            shown = []
            for value in (old, new):
                if f.name in _MASKED_ID_FIELDS:
                    value = id_number_for(user, value)
                elif f.name in _MASKED_PHONE_FIELDS:
                    value = phone_for(user, value)
                elif f.choices and value is not None:
                    value = dict(f.flatchoices).get(value, value)
                shown.append(_display(value))
            changes.append((str(f.verbose_name), shown[0] if before is not None else "", shown[1]))
        previous[row.id] = row
        who = ""
        if row.history_user is not None:
            staff = getattr(row.history_user, "staff", None)
            who = staff.display_name if staff else row.history_user.get_username()
        if changes or row.history_type != "~":
            out.append(HistoryEntry(when=row.history_date, who=who, what=label(row), kind=row.history_type,
                                    changes=changes))
    return out


def customer_history(*, customer: Customer, user, limit: int = 50) -> list[HistoryEntry]:
    """Who changed what and when, old → new: the customer, its phones, its occupancies and its
    archive documents (a handful of queries, whatever the length of the history)."""
    from kefu.customers.choices import AssetRelation

    def rows(qs):
        return list(qs.select_related("history_user__staff").order_by("history_date", "history_id")[:500])

    relations = dict(AssetRelation.choices)
    entries = _history_entries(rows(Customer.history.filter(id=customer.pk)), model=Customer,
                               label=lambda r: str(Customer._meta.verbose_name), user=user)
    entries += _history_entries(rows(CustomerPhone.history.filter(customer_id=customer.pk)), model=CustomerPhone,
                                label=lambda r: str(CustomerPhone._meta.verbose_name), user=user)
    links = rows(CustomerAsset.history.filter(customer_id=customer.pk))
    codes = dict(Asset.objects.filter(pk__in={r.asset_id for r in links}).values_list("pk", "code"))
    entries += _history_entries(links, model=CustomerAsset, user=user,
                                label=lambda r: f"{codes.get(r.asset_id, '')} ({relations.get(r.relation, '')})")
    documents = rows(ArchiveDocument.history.filter(customer_id=customer.pk))
    types = {t.pk: str(t) for t in DocumentType.objects.all()}
    entries += _history_entries(documents, model=ArchiveDocument, user=user,
                                label=lambda r: types.get(r.document_type_id, ""))
    entries.sort(key=lambda e: e.when, reverse=True)  # type: ignore[arg-type, return-value]  # values of several types in one dict or variable
    return entries[:limit]


def customer_360(*, actor: Actor, pk) -> Customer | None:
    """The customer with everything the 360 page shows prefetched: phones, contacts, every unit or
    asset link (current and past), and the customer archive."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    links = CustomerAsset.objects.select_related("asset", "asset__site", "asset__building").order_by(
        "ended_on", "-started_on", "id")
    return (Customer.objects.filter(customer_visibility_q(actor), deleted_at=None, pk=pk)
            .select_related("department")
            .prefetch_related("phones", "contacts", Prefetch("asset_links", queryset=links, to_attr="all_links"))
            .first())


# --- archives ----------------------------------------------------------------------------------

@dataclass
class ArchiveRow:
    document_type: DocumentType
    document: ArchiveDocument | None
    status: str
    files: list


@dataclass
class Archive:
    rows: list
    required: int
    present: int

    @property
    def percent(self) -> int:
        return round(100 * self.present / self.required) if self.required else 100


def document_types(*, scope: str) -> list[DocumentType]:
    return list(DocumentType.objects.filter(scope=scope, is_active=True).order_by("sort_order", "code"))


def _present_q(today: date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}status": DocumentStatus.PRESENT})
            & (Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": today})))


def archive_for(*, unit: Asset | None = None, customer: Customer | None = None, today: date | None = None) -> Archive:
    """The checklist of a unit's (or a customer's) archive: every active document type with its
    state (present, missing, expired), files and who/when; completeness over required types."""
    today = today or timezone.localdate()
    scope = DocumentScope.UNIT if unit is not None else DocumentScope.CUSTOMER
    types = document_types(scope=scope)
    owner = {"asset": unit} if unit is not None else {"customer": customer}  # type: ignore[dict-item]  # not None on this path (set or checked before)
    files = ArchiveFile.objects.select_related("uploaded_by__staff").order_by("-uploaded_at", "-id")
    documents = {d.document_type_id: d for d in ArchiveDocument.objects.filter(**owner)
                 .select_related("updated_by__staff").prefetch_related(Prefetch("files", queryset=files))}
    rows, required, present = [], 0, 0
    for t in types:
        document = documents.get(t.pk)
        status = document.effective_status(today) if document else DocumentStatus.MISSING
        rows.append(ArchiveRow(t, document, status, list(document.files.all()) if document else []))
        if t.required:
            required += 1
            present += status == DocumentStatus.PRESENT
    return Archive(rows=rows, required=required, present=present)


def unit_get(*, actor: Actor | None, pk) -> Asset | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    links = CustomerAsset.objects.filter(customer__deleted_at=None).select_related("customer").prefetch_related(
        "customer__phones").order_by("ended_on", "-started_on", "id")
    return (Asset.objects.filter(asset_visibility_q(actor), pk=pk).select_related("site", "building")
            .prefetch_related(Prefetch("customer_links", queryset=links, to_attr="all_links")).first())


def _present_required_count(today: date) -> Subquery:
    present = (ArchiveDocument.objects.filter(_present_q(today), asset=OuterRef("pk"), document_type__required=True,
                                              document_type__is_active=True,
                                              document_type__scope=DocumentScope.UNIT)
               .order_by().values("asset").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(present, output_field=IntegerField()), 0)  # type: ignore[return-value]  # values of several types in one dict or variable


def units_missing_documents(*, actor: Actor | None, site_id=None, building_id=None, document_type_id=None,
                            today: date | None = None) -> QuerySet[Asset]:
    """Units in the actor's scope whose archive lacks a required document (or the chosen one),
    annotated with `present_count`; for the stewards' "missing documents" list."""
    today = today or timezone.localdate()
    qs = (Asset.objects.filter(asset_visibility_q(actor), kind=AssetKind.UNIT)
          .select_related("site", "building__site").annotate(present_count=_present_required_count(today)))
    if site_id:
        qs = qs.filter(site_id=site_id)
    if building_id:
        qs = qs.filter(building_id=building_id)
    if document_type_id:
        has = ArchiveDocument.objects.filter(_present_q(today), asset=OuterRef("pk"), document_type_id=document_type_id)
        qs = qs.filter(~Exists(has))
    else:
        required = DocumentType.objects.filter(scope=DocumentScope.UNIT, required=True, is_active=True).count()
        qs = qs.filter(present_count__lt=required)
    return qs.order_by("site__code", "building__code", "code_sort", "id")


def present_types_by_unit(*, unit_ids: list[int], today: date | None = None) -> dict[int, set[int]]:
    today = today or timezone.localdate()
    out: dict[int, set[int]] = {pk: set() for pk in unit_ids}
    for asset_id, type_id in ArchiveDocument.objects.filter(_present_q(today), asset_id__in=unit_ids).values_list(
            "asset_id", "document_type_id"):
        out[asset_id].add(type_id)
    return out


def building_completeness(*, actor: Actor | None, site_id=None, today: date | None = None) -> list[Building]:
    """Buildings in scope with `unit_total`, `present_total` (required documents present) and
    `percent` of their units' archives; two queries."""
    today = today or timezone.localdate()
    required = DocumentType.objects.filter(scope=DocumentScope.UNIT, required=True, is_active=True).count()
    units = Asset.objects.filter(building=OuterRef("pk"), kind=AssetKind.UNIT).order_by().values("building")
    present = (ArchiveDocument.objects.filter(_present_q(today), asset__building=OuterRef("pk"),
                                              document_type__required=True, document_type__is_active=True,
                                              document_type__scope=DocumentScope.UNIT)
               .order_by().values("asset__building"))
    qs = (Building.objects.filter(site_scope_q(actor, "site__")).select_related("site")
          .annotate(unit_total=Coalesce(Subquery(units.annotate(n=Count("pk")).values("n"),
                                                 output_field=IntegerField()), 0),
                    present_total=Coalesce(Subquery(present.annotate(n=Count("pk")).values("n"),
                                                    output_field=IntegerField()), 0))
          .order_by("site__code", "code"))
    if site_id:
        qs = qs.filter(site_id=site_id)
    buildings = list(qs)
    for b in buildings:
        slots = b.unit_total * required
        b.percent = round(100 * b.present_total / slots) if slots else 100  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
    return buildings  # type: ignore[return-value]  # an annotated queryset kept in the same variable


def sites_for(*, actor: Actor | None) -> QuerySet[Site]:
    return Site.objects.filter(site_scope_q(actor)).order_by("code")


def buildings_for(*, actor: Actor | None, site_id=None) -> list[Building]:
    """Buildings on the sites the actor may see (of one site when given), for filter choices."""
    qs = Building.objects.filter(site_scope_q(actor, "site__")).select_related("site").order_by("site__code", "code")
    return list(qs.filter(site_id=site_id) if site_id else qs)


# --- the unit list -----------------------------------------------------------------------------

def unit_list(*, actor: Actor | None) -> QuerySet[Asset]:
    """Units (not accounts or products) on the sites the actor may see, in the natural order of their
    codes (101 before 1001); the list's FilterSet narrows it and `unit_rows` fills in the page shown.
    By the code's sort key alone: the (code_sort, id) index serves the page and the capped count
    (sorting by site and building code first sorted every unit in scope: 40–50 ms per count at
    20,000 units on PostgreSQL, 2–20 ms by code)."""
    return (Asset.objects.filter(asset_visibility_q(actor), kind=AssetKind.UNIT).select_related("site", "building")
            .order_by("code_sort", "id"))


def unit_rows(*, actor: Actor | None, units: list[Asset], today: date | None = None) -> list[Asset]:
    """The page of units with what customers know of them, in a fixed number of queries:
    `occupants` (current occupancies of visible, not deleted customers, with their phones),
    `archive_present` / `archive_required` / `archive_percent` (required unit documents present and
    not expired). The list pages add each unit's open work orders (kefu.workspace.selectors)."""
    today = today or timezone.localdate()
    ids = [u.pk for u in units]
    if not ids:
        return units
    links = (CustomerAsset.objects.filter(asset_id__in=ids, ended_on=None, customer__deleted_at=None)
             .select_related("customer").order_by("started_on", "id"))
    if not sees_all_customers(actor):
        links = links.filter(customer__in=visible_customers(actor).values("pk"))
    phones = CustomerPhone.objects.order_by("-is_primary", "id")
    occupants: dict[int, list[CustomerAsset]] = {pk: [] for pk in ids}
    for link in links.prefetch_related(Prefetch("customer__phones", queryset=phones)):
        occupants[link.asset_id].append(link)
    required = DocumentType.objects.filter(scope=DocumentScope.UNIT, required=True, is_active=True).count()
    present = dict(ArchiveDocument.objects.filter(_present_q(today), asset_id__in=ids, document_type__required=True,
                                                  document_type__is_active=True,
                                                  document_type__scope=DocumentScope.UNIT)
                   .order_by().values("asset_id").annotate(n=Count("pk")).values_list("asset_id", "n"))
    for unit in units:
        unit.occupants = occupants[unit.pk]  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
        unit.archive_required = required  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
        unit.archive_present = present.get(unit.pk, 0)  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
        unit.archive_percent = round(100 * unit.archive_present / required) if required else 100  # type: ignore[attr-defined]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
    return units
