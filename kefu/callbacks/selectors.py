"""Reads of callbacks, scoped to what the actor may see, and rating-link look-ups.

A callback on a work order is visible to whoever may see the order (workorders.selectors);
one without an order (a survey follow-up) to roles that see everything, to its team (and the
departments above it) and to its assignee.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kefu.callbacks.choices import CLOSED_STATUSES, CallbackStatus, RatingLinkState
from kefu.callbacks.models import Callback, CallbackAttempt, CallbackRule, RatingLink, SamplingRun
from kefu.core.errors import NotFound
from kefu.org.choices import Visibility
from kefu.org.selectors import Actor
from kefu.workorders.models import WorkOrder
from kefu.workorders.selectors import subtree_ids, team_ids, visibility_q

QUEUES = ("due", "overdue", "upcoming", "mine", "team", "open", "done")
# The workbench's tabs (with counts): what to call today, what is late, what comes later, mine.
WORKBENCH_TABS = ("due", "overdue", "upcoming", "mine")


def callback_visibility_q(actor: Actor) -> Q:
    if actor.visibility == Visibility.ALL:
        return Q()
    # A correlated EXISTS (one primary-key lookup per callback), not `work_order_id IN (visible
    # orders)`: under the OR below PostgreSQL cannot turn IN into a join, and once the visible
    # orders outgrow work_mem it re-scanned them for every callback — a supervisor's dashboard
    # count ran for over 18 minutes at 1M orders, and takes 0.6 s this way (docs/performance.md).
    visible = Exists(WorkOrder.objects.filter(visibility_q(actor), pk=OuterRef("work_order_id")))
    free = Q(work_order__isnull=True) & (Q(assignee_id=actor.user_id) | Q(team_id__in=subtree_ids(actor)))
    return Q(visible) | free


def _users():
    return get_user_model().objects.select_related("staff")


def callback_list_for_actor(*, actor: Actor) -> QuerySet[Callback]:
    return (Callback.objects.filter(callback_visibility_q(actor))
            .select_related("work_order", "customer", "team")
            .prefetch_related(Prefetch("assignee", queryset=_users())))


def callback_get_for_actor(*, actor: Actor, pk) -> Callback:
    """The callback if the actor may see it; NotFound otherwise (no existence leak)."""
    from django.utils.translation import gettext as _

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Callback not found.")) from None
    callback = callback_list_for_actor(actor=actor).filter(pk=pk).first()
    if callback is None:
        raise NotFound(_("Callback not found."))
    return callback


def end_of_today(now=None) -> datetime:
    today = timezone.localdate(now)
    return datetime.combine(today + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())


def queue_q(*, actor: Actor, queue: str, now=None) -> Q:
    """A named queue (on top of visibility). `due`: open callbacks due by the end of today, the
    overdue ones included; `mine`/`team`: open ones assigned to me / to my teams."""
    open_q = Q(status=CallbackStatus.OPEN)
    if queue == "due":
        return open_q & Q(due_at__lt=end_of_today(now))
    if queue == "overdue":
        return open_q & Q(due_at__lt=now or timezone.now())
    if queue == "upcoming":
        return open_q & Q(due_at__gte=end_of_today(now))
    if queue == "mine":
        return open_q & Q(assignee_id=actor.user_id)
    if queue == "team":
        return open_q & Q(team_id__in=team_ids(actor))
    if queue == "done":
        return Q(status__in=CLOSED_STATUSES)
    return open_q


def queue_counts(*, actor: Actor, queues=WORKBENCH_TABS, now=None) -> dict[str, int]:
    """How many callbacks each named queue holds, in one query."""
    now = now or timezone.now()
    totals = callback_list_for_actor(actor=actor).order_by().aggregate(**{
        name: Count("pk", filter=queue_q(actor=actor, queue=name, now=now)) for name in queues})
    return {name: totals[name] or 0 for name in queues}


def next_in_queue(*, actor: Actor, queue: str, after: Callback, now=None) -> Callback | None:
    """The callback to work on after `after` in `queue` ("save and next"): the earliest due
    that is not waiting for its next attempt time, `after` itself excluded."""
    now = now or timezone.now()
    ready = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (Callback.objects.filter(callback_visibility_q(actor)).filter(queue_q(actor=actor, queue=queue, now=now))
            .filter(ready).exclude(pk=after.pk).order_by(*queue_ordering(queue)).only("pk").first())


def queue_ordering(queue: str) -> list[str]:
    # Open queues: earliest due first, so whatever is overdue comes first.
    return ["-completed_at", "-id"] if queue == "done" else ["due_at", "id"]


def callback_attempts(*, callback: Callback) -> QuerySet[CallbackAttempt]:
    return callback.attempts.select_related("recorded_by__staff").order_by("attempted_at", "id")


def sampling_runs(*, limit: int = 20) -> list[SamplingRun]:
    return list(SamplingRun.objects.select_related("rule").order_by("-period_start", "rule_id")[:limit])


def rating_link_for_token(*, token: str, now=None) -> tuple[str, RatingLink | None]:
    """(state, link) for a token from a URL: valid, used, expired or unknown."""
    from kefu.callbacks.services import token_hash

    if not token or len(token) > 100:
        return RatingLinkState.UNKNOWN, None
    link = RatingLink.objects.select_related("work_order").filter(token_hash=token_hash(token)).first()
    if link is None:
        return RatingLinkState.UNKNOWN, None
    if link.used_at is not None:
        return RatingLinkState.USED, link
    if link.expires_at <= (now or timezone.now()):
        return RatingLinkState.EXPIRED, link
    return RatingLinkState.VALID, link


def order_follow_up(*, order) -> dict:
    """The loop after the fix as the work-order page shows it: the order's callbacks (newest
    first) with who calls and each attempt's result, the customer's ratings and the rating links
    still waiting. Three queries
    (two without callbacks); the caller has already checked that the user may see the order."""
    callbacks = list(Callback.objects.filter(work_order=order).select_related("assignee__staff", "team")
                     .prefetch_related(Prefetch("attempts", queryset=CallbackAttempt.objects.order_by(
                         "attempted_at", "id")))
                     .order_by("-created_at", "-id")[:10])
    # The order's rating links, newest first: the ratings given, and the links still waiting (with
    # where they went), so staff see what the customer received (one query for both).
    links = list(RatingLink.objects.filter(work_order=order).order_by("-created_at", "-id")[:10])
    ratings = sorted((link for link in links if link.used_at), key=lambda link: link.used_at or link.created_at,
                     reverse=True)[:5]
    waiting = [link for link in links if not link.used_at][:3]
    return {"callbacks": callbacks, "ratings": ratings, "rating_links": waiting}


# --- a customer's callbacks and ratings (the customer 360 page) ----------------------------------

def customer_callbacks(*, customer, work_order_ids: list[int], limit: int = 20) -> list[Callback]:
    """The customer's callbacks and those of these (visible) orders, newest first."""
    return list(Callback.objects.filter(Q(customer=customer) | Q(work_order_id__in=work_order_ids))
                .select_related("work_order").order_by("-created_at")[:limit])


def customer_ratings(*, work_order_ids: list[int], limit: int = 20) -> list[RatingLink]:
    """The ratings given on these (visible) orders, newest first."""
    return list(RatingLink.objects.filter(work_order_id__in=work_order_ids, used_at__isnull=False)
                .select_related("work_order").order_by("-used_at")[:limit])


# --- rules, settings, worked callbacks (reads the services use) ----------------------------------

def callbacks_setting(name: str, default):
    """A KEFU_* setting of callbacks and ratings (base URL, link lifetime, low-rating threshold)."""
    return getattr(settings, name, default)


def active_rules() -> list[CallbackRule]:
    """The active callback rules by precedence."""
    return list(CallbackRule.objects.filter(is_active=True).order_by("precedence", "id"))


def rule_for(*, order, rules: list[CallbackRule] | None = None) -> CallbackRule | None:
    """The first active rule (by precedence) that matches the order."""
    for rule in active_rules() if rules is None else rules:
        if rule.matches(order):
            return rule
    return None


def callbacks_worked(*, callback_ids) -> set[int]:
    """The callbacks among these that are records of contact with the customer: tried at least
    once, or ended with a result (completed, unreachable). They are evidence (GB/T 19012 audits)
    and are never deleted."""
    ids = list(callback_ids)
    if not ids:
        return set()
    ended = (CallbackStatus.COMPLETED, CallbackStatus.UNREACHABLE)
    worked = set(Callback.objects.filter(Q(status__in=ended) | Q(attempts_count__gt=0), pk__in=ids)
                 .values_list("pk", flat=True))
    return worked | set(CallbackAttempt.objects.filter(callback_id__in=ids).values_list("callback_id", flat=True))
