"""Reads of the knowledge app, always scoped to what the actor may see: work-order search (the
queue's `search` filter and the header box), articles, canned replies, similar cases."""

import re

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from kefu.knowledge import backends
from kefu.knowledge.text import Query
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor

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


def work_order_search(qs: QuerySet, *, actor: Actor | None, query: Query) -> QuerySet:
    """`qs` (already scoped to the actor and filtered) narrowed to the orders whose text contains
    every term of `query`: exactly the orders a substring scan of their title, description,
    resolution, contact name, customer name, unit code and comments (internal ones only for
    roles that read them) would return, modulo case and full/half width."""
    if not query:
        return qs
    return qs.filter(pk__in=backends.matching_ids(query, internal=sees_internal_comments(actor)))


# Ranking reads every match's title; past this many matches (of all orders) the list is newest
# first, which an index walk serves without reading them all (docs/search.md).
RANK_LIMIT = 1000


def work_order_search_ranked(qs: QuerySet, *, actor: Actor | None, query: Query) -> QuerySet:
    """Relevance, then recency: orders whose title holds every term first (the agent typed what
    the order is about), then the rest, newest first within each — when the query matches at most
    RANK_LIMIT orders; a broader query ("漏水" at a million orders) lists its matches newest first."""
    if not query:
        return qs
    if backends.count_matches(query, internal=sees_internal_comments(actor), limit=RANK_LIMIT) > RANK_LIMIT:
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
