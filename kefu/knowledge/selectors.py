"""Reads of the knowledge app, always scoped to what the actor may see: work-order search (the
queue's `search` filter and the header box), articles, canned replies, similar cases."""

import re
from typing import Any

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.knowledge import backends, workflow
from kefu.knowledge.choices import ArticleStatus
from kefu.knowledge.models import Article, ArticleEvent, CannedReply, SiteServicePhone
from kefu.knowledge.text import Query
from kefu.org.choices import RoleCode, Visibility
from kefu.org.models import Department
from kefu.org.selectors import Actor
from kefu.workorders.models import Category, WorkOrder

# --- work orders ---------------------------------------------------------------------------------


def order_number_prefix(value: str) -> str:
    """'GD20261122-0001', 'gd20261122', '20261122-00' (what the numbering issues, or its start)
    → the number prefix to look up; '' for anything else (a text search)."""
    value = value.strip().upper()
    prefix = settings.KEFU_WORK_ORDER_PREFIX.upper()
    if re.fullmatch(rf"{re.escape(prefix)}\d{{4,}}(-\d*)?", value):
        return value
    if re.fullmatch(r"\d{8}-\d*", value):
        return prefix + value
    return ""


def sees_internal_comments(actor: Actor | None) -> bool:
    """Internal comments (not shown to the customer) are the center's own notes: every staff role
    reads them except vendor users, who are another company's people working on dispatched jobs."""
    return actor is not None and actor.role != RoleCode.VENDOR


# A query matching at most this many orders (of all orders) is answered from the ids the index
# lookup returns (the list then filters, counts and sorts by primary key, whatever the order);
# a broader one stays a subquery, and newest-first lists walk the recency index, which meets a
# match every few hundred rows at worst. Ranking reads every match's title, so it applies to the
# narrow queries only; broader ones ("漏水" at a million orders) are listed newest first.
RANK_LIMIT = 2000


def search_matches(*, actor: Actor | None, query: Query) -> list[int] | None:
    """The matching order ids (visibility not yet applied) when there are at most RANK_LIMIT."""
    if not query:
        return None
    return backends.matching_ids_up_to(query, internal=sees_internal_comments(actor), limit=RANK_LIMIT)


_UNSET: object = object()


def work_order_search(qs: QuerySet, *, actor: Actor | None, query: Query, matches: object = _UNSET) -> QuerySet:
    """`qs` (already scoped to the actor and filtered) narrowed to the orders whose text contains
    every term of `query`: exactly the orders a substring scan of their title, description,
    resolution, contact name, customer name, unit code and comments (internal ones only for
    roles that read them) would return, modulo case and full/half width. `matches`: the result
    of `search_matches` when the caller has it."""
    if not query:
        return qs
    if matches is _UNSET:
        matches = search_matches(actor=actor, query=query)
    if matches is not None:
        return qs.filter(pk__in=matches)
    return qs.filter(pk__in=backends.matching_ids(query, internal=sees_internal_comments(actor)))


def work_order_search_ranked(qs: QuerySet, *, actor: Actor | None, query: Query, matches: object = _UNSET) -> QuerySet:
    """Relevance, then recency: orders whose title holds every term first (the agent typed what
    the order is about), then the rest, newest first within each — when the query matches at most
    RANK_LIMIT orders; a broader query lists its matches newest first."""
    if not query:
        return qs
    if matches is _UNSET:
        matches = search_matches(actor=actor, query=query)
    if matches is None:
        return qs.order_by("-received_at", "-id")
    in_title = Q()
    for term in query.terms:
        in_title &= Q(GreaterThan(StrIndex("search_index__title", Value(term)), 0))
    # An expression in ORDER BY, not an annotation: a count drops it, and with it the join.
    rank = Case(When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField())
    return qs.order_by(rank.desc(), "-received_at", "-id")


def work_order_highlights(orders: list, *, raw: str, actor: Actor | None) -> list:
    """Set `search_title` (the title with its matches marked) and `search_snippet` (the part of
    the first other field that matches, marked) on each order of a page; one query at most (the
    comments' text, from the index, for orders matched only there)."""
    from kefu.knowledge.text import highlight, match_spans, one_line, parse_query

    for order in orders:
        order.search_title = order.search_snippet = None
    if order_number_prefix(raw):
        return orders
    terms = parse_query(raw).terms
    if not terms:
        return orders
    pending = []
    for order in orders:
        order.search_title = highlight(order.title, terms) if match_spans(order.title, terms) else None
        order.search_snippet = None
        for value in (order.description, order.resolution, order.contact_name,
                      order.customer.name if order.customer_id else "", order.asset.code if order.asset_id else ""):
            if match_spans(value, terms):
                order.search_snippet = highlight(one_line(value), terms, window=80)
                break
        if order.search_title is None and order.search_snippet is None:
            pending.append(order)
    if pending:
        from kefu.knowledge.models import WorkOrderSearch

        internal = sees_internal_comments(actor)
        rows = WorkOrderSearch.objects.filter(pk__in=[o.pk for o in pending]).values_list(
            "pk", "text", "internal_text")
        texts = {pk: text + ("\n" + internal_text if internal else "") for pk, text, internal_text in rows}
        for order in pending:
            for line in texts.get(order.pk, "").split("\n"):
                if match_spans(line, terms):
                    order.search_snippet = highlight(line, terms, window=80)
                    break
    return orders


# --- articles --------------------------------------------------------------------------------------

def _ancestor_ids(actor: Actor) -> list[int]:
    return [int(part) for part in actor.department_path.strip("/").split("/") if part.isdigit()]


def _sees_all_scopes(actor: Actor | None) -> bool:
    return actor is not None and (actor.visibility == Visibility.ALL or not actor.department_path)


def department_in_scope(actor: Actor, department: Department) -> bool:
    """Whether the actor may scope an article to `department`: their own department, one above it
    (their company) or below it; roles that see every order may scope anywhere."""
    if _sees_all_scopes(actor):
        return True
    return department.pk in _ancestor_ids(actor) or department.path.startswith(actor.department_path)


def article_scope_q(actor: Actor | None) -> Q:
    """Articles for the whole group, for the actor's company (or another department above them),
    or for a department below them."""
    if actor is None:
        return Q(pk__in=[])
    if _sees_all_scopes(actor):
        return Q()
    return (Q(scope_department__isnull=True) | Q(scope_department_id__in=_ancestor_ids(actor))
            | Q(scope_department__path__startswith=actor.department_path))


def article_visibility_q(actor: Actor | None) -> Q:
    """In scope, and published — or, before publication, the actor's own or one they approve."""
    if actor is None:
        return Q(pk__in=[])
    status_q = Q(status=ArticleStatus.PUBLISHED)
    if actor.role in workflow.PUBLISHER_ROLES:
        status_q = Q()
    elif actor.role in workflow.WRITER_ROLES:
        status_q |= Q(created_by_id=actor.user_id)
    return article_scope_q(actor) & status_q


def article_visible(actor: Actor | None, article: Article) -> bool:
    return Article.objects.filter(article_visibility_q(actor), pk=article.pk).exists()


def article_list(*, actor: Actor | None) -> QuerySet[Article]:
    return (Article.objects.filter(article_visibility_q(actor))
            .select_related("category", "scope_department", "created_by__staff"))


def article_get(*, actor: Actor | None, pk) -> Article:
    """The article `pk` if the actor may see it; NotFound otherwise (no existence leak)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Article not found.")) from None
    article = article_list(actor=actor).select_related("published_by__staff", "source_order").filter(pk=pk).first()
    if article is None:
        raise NotFound(_("Article not found."))
    return article


def article_search(qs: QuerySet[Article], *, query: Query) -> QuerySet[Article]:
    """Articles whose title, body, answer or tags contain every term (the same exact semantics as
    the order search; a substring scan of `search_text`: articles number thousands, not millions),
    title matches first, then the most helpful, then the newest."""
    if not query:
        return qs
    in_title = Q()
    for term in query.terms:
        qs = qs.filter(GreaterThan(StrIndex("search_text", Value(term)), 0))
        in_title &= Q(GreaterThan(StrIndex("search_title", Value(term)), 0))
    rank = Case(When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField())
    return qs.order_by(rank.desc(), F("helpful_yes").desc(), "-updated_at", "-id")


def article_events(*, article: Article) -> QuerySet[ArticleEvent]:
    return article.events.select_related("actor__staff").order_by("created_at", "id")


def article_suggestions(*, actor: Actor | None, category_id=None, text: str = "", limit: int = 5) -> list[Article]:
    """Published articles to show beside the intake form and the order page: those of the order's
    category (or its parent), and those sharing the text's keywords (jieba), best matches first."""
    from kefu.knowledge.keywords import keywords

    qs = article_list(actor=actor).filter(status=ArticleStatus.PUBLISHED)
    words = keywords(text, limit=6) if text else []
    category_ids = []
    if category_id:
        category = Category.objects.filter(pk=category_id).only("pk", "parent_id").first()
        if category is not None:
            category_ids = [category.pk] + ([category.parent_id] if category.parent_id else [])
    if not words and not category_ids:
        return []
    condition = Q(category_id__in=category_ids) if category_ids else Q()
    score: Any = Case(When(Q(category_id__in=category_ids), then=Value(3)), default=Value(0),
                      output_field=IntegerField()) if category_ids else Value(0, output_field=IntegerField())
    for word in words:
        has_word = Q(GreaterThan(StrIndex("search_text", Value(word)), 0))
        condition |= has_word
        score = score + Case(When(has_word, then=Value(1)), default=Value(0), output_field=IntegerField())
    return list(qs.filter(condition).annotate(score=score)
                .order_by("-score", F("helpful_yes").desc(), "-updated_at")[:limit])


# --- canned replies ---------------------------------------------------------------------------

def canned_reply_list(*, actor: Actor | None, include_inactive: bool = False) -> QuerySet[CannedReply]:
    """The actor's own replies and the shared ones."""
    if actor is None:
        return CannedReply.objects.none()
    qs = CannedReply.objects.filter(Q(owner__isnull=True) | Q(owner_id=actor.user_id)).select_related("category")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by(F("owner_id").asc(nulls_last=True), "title", "id")


def canned_reply_get(*, actor: Actor | None, pk) -> CannedReply:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Canned reply not found.")) from None
    reply = canned_reply_list(actor=actor, include_inactive=True).filter(pk=pk).first()
    if reply is None:
        raise NotFound(_("Canned reply not found."))
    return reply


REPLY_VARIABLES = ("customer_name", "order_number", "promised_time", "technician", "site_phone")
_VARIABLE = re.compile(r"\{(" + "|".join(REPLY_VARIABLES) + r")\}")


def reply_values(*, order: WorkOrder | None, actor: Actor | None) -> dict[str, str]:
    """The values of a reply's variables for an order (empty ones stay visible as blanks)."""
    from django.utils import timezone

    from kefu.org.selectors import user_display_name

    if order is None:
        return dict.fromkeys(REPLY_VARIABLES, "")
    phone = ""
    if order.site_id:
        phone = SiteServicePhone.objects.filter(site_id=order.site_id).values_list("phone", flat=True).first() or ""
    return {
        "customer_name": order.contact_name or (order.customer.name if order.customer is not None else ""),
        "order_number": order.number,
        "promised_time": (timezone.localtime(order.promised_at).strftime("%Y-%m-%d %H:%M")
                          if order.promised_at else ""),
        "technician": user_display_name(order.assignee) if order.assignee_id else "",
        "site_phone": phone or settings.KEFU_SERVICE_PHONE,
    }


def render_reply(reply: CannedReply, *, order: WorkOrder | None, actor: Actor | None) -> str:
    """The reply's text with {customer_name}, {order_number}, {promised_time}, {technician} and
    {site_phone} filled in for `order` (other braces are left as they are)."""
    values = reply_values(order=order, actor=actor)
    return _VARIABLE.sub(lambda m: values[m.group(1)], reply.body)


# --- the header search box ---------------------------------------------------------------------

GROUP_LIMIT = 5
_PHONE_QUERY = re.compile(r"^[\d\s()+\-.]{4,}$")


def _order_rows(qs: QuerySet, limit: int) -> list[WorkOrder]:
    return list(qs.select_related("customer", "asset").only(
        "pk", "number", "title", "status", "received_at", "contact_name", "description", "resolution",
        "customer__name", "asset__code")[:limit])


def header_orders(*, actor: Actor, q: str, limit: int = GROUP_LIMIT) -> list[WorkOrder]:
    """Orders for the header box: by number (or its start), by the tail of their contact phone
    (4+ digits) or their customer's phone, else by words (the exact search, ranked)."""
    from kefu.customers.phones import phone_digits_query
    from kefu.knowledge.models import WorkOrderSearch
    from kefu.knowledge.text import parse_query
    from kefu.workorders.selectors import visibility_q

    visible = WorkOrder.objects.filter(visibility_q(actor))
    number = order_number_prefix(q)
    if number:
        return _order_rows(visible.filter(number__startswith=number).order_by("-number"), limit)
    digits = phone_digits_query(q)
    if _PHONE_QUERY.match(q.strip()) and len(digits) >= 4:
        from kefu.customers.models import CustomerPhone

        key = digits[::-1]
        # Two indexed range scans, read first: an OR of two subqueries in one statement made
        # PostgreSQL scan every order (27 s at 1M orders, bench/search.py).
        order_ids = list(WorkOrderSearch.objects.filter(phone_reversed__gte=key, phone_reversed__lt=key + ":")
                         .values_list("work_order_id", flat=True)[:200])
        customer_ids = list(CustomerPhone.objects.filter(number_reversed__gte=key, number_reversed__lt=key + ":")
                            .values_list("customer_id", flat=True)[:50])
        rows = _order_rows(visible.filter(Q(pk__in=order_ids) | Q(customer_id__in=customer_ids))
                           .order_by("-received_at", "-id"), limit) if order_ids or customer_ids else []
        if rows:
            return rows
    query = parse_query(q)
    if not query:
        return []
    matches = search_matches(actor=actor, query=query)
    qs = work_order_search(visible, actor=actor, query=query, matches=matches)
    return _order_rows(work_order_search_ranked(qs, actor=actor, query=query, matches=matches), limit)


def header_units(*, actor: Actor, q: str, limit: int = GROUP_LIMIT) -> list:
    """Units, accounts and products by code in any spelling ("3栋2单元1201" = "3-2-1201"): the
    start of the code, or (four characters or more) its end, as the customer lookup does."""
    from kefu.customers.codes import asset_code_key
    from kefu.customers.models import Asset
    from kefu.customers.selectors import asset_visibility_q

    key = asset_code_key(q)
    if not key:
        return []
    match = Q(code_key__startswith=key)
    if len(key) >= 4:
        match |= Q(code_key_reversed__startswith=key[::-1])
    return list(Asset.objects.filter(asset_visibility_q(actor)).filter(match).select_related("site")
                .order_by("code")[:limit])


def header_search(*, actor: Actor, q: str, limit: int = GROUP_LIMIT) -> dict:
    """The header box's answer, grouped: orders, customers (name, pinyin initials, phone, ID tail,
    unit — the customers app's ranked lookup), units (code in any spelling) and published
    articles; each group scoped to what the actor may see. Raises InvalidInput for a too long q."""
    from kefu.customers.selectors import customer_search
    from kefu.knowledge.text import parse_query

    q = (q or "").strip()
    query = parse_query(q, field="q")
    if not q:
        return {"q": q, "terms": (), "orders": [], "customers": [], "units": [], "articles": []}
    articles = list(article_search(article_list(actor=actor).filter(status=ArticleStatus.PUBLISHED),
                                   query=query)[:limit]) if query else []
    return {
        "q": q, "terms": query.terms,
        "orders": work_order_highlights(header_orders(actor=actor, q=q, limit=limit), raw=q, actor=actor),
        "customers": customer_search(q=q, limit=limit, actor=actor),
        "units": header_units(actor=actor, q=q, limit=limit),
        "articles": articles,
    }


# --- similar cases at intake -------------------------------------------------------------------

SIMILAR_DAYS = 90
SIMILAR_CANDIDATES = 3000


def similar_orders(*, actor: Actor, text: str = "", category_id=None, asset_id=None,
                   limit: int = 6) -> list[WorkOrder]:
    """Open and recent orders like the one being logged: on the same unit first, then in the same
    building, then by text within the category (keywords of the title and description by jieba,
    each looked up with the exact search; more shared keywords first), newest first within each.
    Each result carries `similar_reason` ("unit", "building", "text") and `similar_words`."""
    from datetime import timedelta

    from django.utils import timezone

    from kefu.customers.models import Asset
    from kefu.knowledge.keywords import keywords
    from kefu.workorders.choices import OPEN_STATUSES
    from kefu.workorders.selectors import visibility_q

    since = timezone.now() - timedelta(days=SIMILAR_DAYS)
    recent = WorkOrder.objects.filter(visibility_q(actor)).filter(
        Q(status__in=OPEN_STATUSES) | Q(received_at__gte=since))
    found: dict[int, WorkOrder] = {}

    def take(qs, reason: str, words=()):
        for order in _order_rows(qs.exclude(pk__in=list(found)).order_by("-received_at", "-id"), limit - len(found)):
            setattr(order, "similar_reason", reason)  # noqa: B010 — attributes for the template
            setattr(order, "similar_words", list(words))  # noqa: B010
            found[order.pk] = order

    asset = Asset.objects.filter(pk=asset_id).only("pk", "building_id").first() if asset_id else None
    if asset is not None:
        take(recent.filter(asset_id=asset.pk), "unit")
        if asset.building_id and len(found) < limit:
            take(recent.filter(asset__building_id=asset.building_id), "building")
    words = keywords(text, limit=5) if text and text.strip() else []
    if words and len(found) < limit:
        scoped = recent.filter(category_id=category_id) if category_id else recent
        # The most recent candidates only, scored by the keywords they hold (substring of the
        # indexed text): looking each keyword up over all orders cost seconds at 1M orders for
        # common words (bench/search.py), and a similar case is a recent one.
        candidates = list(scoped.exclude(pk__in=list(found)).order_by("-received_at", "-id")
                          .values_list("pk", flat=True)[:SIMILAR_CANDIDATES])
        score: Any = Value(0, output_field=IntegerField())
        for word in words:
            score = score + Case(When(GreaterThan(StrIndex("search_index__text", Value(word)), 0), then=Value(1)),
                                 default=Value(0), output_field=IntegerField())
        rows = (WorkOrder.objects.filter(pk__in=candidates).annotate(similar_score=score)
                .filter(similar_score__gte=1).order_by("-similar_score", "-received_at", "-id"))
        for order in _order_rows(rows, limit - len(found)):
            setattr(order, "similar_reason", "text")  # noqa: B010
            setattr(order, "similar_words", [w for w in words if w in _normalised_order_text(order)])  # noqa: B010
            found[order.pk] = order
    return list(found.values())


def _normalised_order_text(order: WorkOrder) -> str:
    from kefu.knowledge.text import normalise

    return normalise(" ".join(filter(None, (order.title, order.description, order.resolution))))
