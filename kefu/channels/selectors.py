"""Reads of the channels app, always scoped to what the actor may see: accounts (and what came
in through them) of the actor's department subtree; roles that see all work orders see all."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kefu.channels.models import ChannelAccount
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
