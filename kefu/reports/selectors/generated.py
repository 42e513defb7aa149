"""Generated report files (the output of report schedules) the reader may open."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.choices import Visibility
from kefu.org.selectors import Actor


def generated_for_actor(*, actor: Actor):
    """Generated report files the actor may open: their own, or all for roles that see all orders
    (the figures in a file were computed with its owner's visibility, never wider than theirs)."""
    from kefu.reports.models import GeneratedReport

    qs = GeneratedReport.objects.select_related("schedule", "generated_by__staff")
    if actor.visibility != Visibility.ALL:
        qs = qs.filter(generated_by_id=actor.user_id)
    return qs.order_by("-created_at", "-id")


def generated_get_for_actor(*, actor: Actor, pk):
    generated = generated_for_actor(actor=actor).filter(pk=pk).first()
    if generated is None:
        raise NotFound(_("Report not found."))
    return generated
