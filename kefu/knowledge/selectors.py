"""Reads of the knowledge app, always scoped to what the actor may see: work-order search (the
queue's `search` filter and the header box), articles, canned replies, similar cases."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex

from kefu.knowledge import backends
from kefu.knowledge.text import Query
from kefu.org.choices import RoleCode
from kefu.org.selectors import Actor

# --- work orders ---------------------------------------------------------------------------------


def sees_internal_comments(actor: Actor) -> bool:
    """Internal comments (not shown to the customer) are the center's own notes: every staff role
    reads them except vendor users, who are another company's people working on dispatched jobs."""
    return actor.role != RoleCode.VENDOR


def work_order_search(qs: QuerySet, *, actor: Actor, query: Query) -> QuerySet:
    """`qs` (already scoped to the actor and filtered) narrowed to the orders whose text contains
    every term of `query`: exactly the orders a substring scan of their title, description,
    resolution, contact name, customer name, unit code and comments (internal ones only for
    roles that read them) would return, modulo case and full/half width."""
    if not query:
        return qs
    return qs.filter(pk__in=backends.matching_ids(query, internal=sees_internal_comments(actor)))


def work_order_search_ranked(qs: QuerySet, *, query: Query) -> QuerySet:
    """Relevance, then recency: orders whose title holds every term first (the agent typed what
    the order is about), then the rest; newest first within each."""
    if not query:
        return qs
    annotations = {f"_t{i}": StrIndex("search_index__title", Value(term)) for i, term in enumerate(query.terms)}
    condition = Q(**{f"_t{i}__gt": 0 for i in range(len(query.terms))})
    return (qs.annotate(**annotations)
            .annotate(search_rank=Case(When(condition, then=Value(1)), default=Value(0),
                                       output_field=IntegerField()))
            .order_by("-search_rank", "-received_at", "-id"))
