"""Reads of the channels app, always scoped to what the actor may see: accounts (and what came
in through them) of the actor's department subtree; roles that see all work orders see all."""

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.channels.choices import CallStatus
from kefu.channels.models import Call, ChannelAccount, Conversation, Message
from kefu.core.errors import NotFound
from kefu.org.choices import Visibility
from kefu.org.selectors import Actor
from kefu.workorders.selectors import subtree_ids


def account_ids_for_actor(actor: Actor) -> list[int] | None:
    """Ids of the accounts the actor may see; None means all of them."""
    if actor.visibility == Visibility.ALL:
        return None
    return list(ChannelAccount.objects.filter(department_id__in=subtree_ids(actor)).values_list("pk", flat=True))


def channel_account_list_for_actor(*, actor: Actor) -> QuerySet[ChannelAccount]:
    qs = ChannelAccount.objects.select_related("department")
    if actor.visibility != Visibility.ALL:
        qs = qs.filter(department_id__in=subtree_ids(actor))
    return qs


def channel_account_get_for_actor(*, actor: Actor, pk) -> ChannelAccount:
    try:
        return channel_account_list_for_actor(actor=actor).get(pk=int(pk))
    except (ChannelAccount.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Channel account not found.")) from None


def _scoped(qs, actor: Actor, account_field: str = "account__department_id"):
    if actor.visibility == Visibility.ALL:
        return qs
    return qs.filter(**{f"{account_field}__in": subtree_ids(actor)})


def call_list_for_actor(*, actor: Actor, account_id=None) -> QuerySet[Call]:
    qs = _scoped(Call.objects.select_related("account", "customer", "agent_user").prefetch_related("work_orders"),
                 actor)
    if account_id not in (None, ""):
        qs = qs.filter(account_id=int(account_id))
    return qs.order_by("-created_at", "-id")


def conversation_list_for_actor(*, actor: Actor, account_id=None, status: str | None = None) -> QuerySet[Conversation]:
    qs = _scoped(Conversation.objects.select_related("account", "customer", "work_order").prefetch_related(
        Prefetch("messages", queryset=Message.objects.order_by("received_at", "id").prefetch_related("attachments"))),
        actor)
    if account_id not in (None, ""):
        qs = qs.filter(account_id=int(account_id))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-last_message_at", "-id")


def conversation_get_for_actor(*, actor: Actor, pk) -> Conversation:
    try:
        return conversation_list_for_actor(actor=actor).get(pk=int(pk))
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Conversation not found.")) from None


def screen_pop_call(*, user, now=None) -> Call | None:
    """The call ringing (or just answered) for this agent in the last two minutes, newest first."""
    now = now or timezone.now()
    return (Call.objects.filter(agent_user=user, status__in=[CallStatus.RINGING, CallStatus.ANSWERED],
                                updated_at__gte=now - timedelta(minutes=2))
            .select_related("customer", "account", "conversation").order_by("-updated_at", "-id").first())
