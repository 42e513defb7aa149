"""`{% load workspace %}`: the workspace's parts of other apps' pages — the saved-views menu of the
work-order queue (`{% saved_views_menu %}`). The queue's views do not import this app (kefu/floors.py)."""

from typing import Any

from django import template

from kefu.core.errors import ApplicationError
from kefu.workspace.selectors import saved_views_for_actor
from kefu.workspace.services import SHARE_ROLES, clean_query

register = template.Library()


@register.inclusion_tag("workspace/partials/saved_views_menu.html", takes_context=True)
def saved_views_menu(context: Any) -> dict[str, Any]:
    """The user's saved views and those shared with their department, the current queue's
    filters to save, and whether the user may share (one query)."""
    request = context["request"]
    actor = request.actor
    try:
        current = clean_query(request.GET)
    except ApplicationError:  # filters too long to save: the menu still lists the views
        current = ""
    views = saved_views_for_actor(actor=actor)
    return {"views": views, "current": current, "may_share": actor.role in SHARE_ROLES and bool(actor.department_path),
            "user_id": actor.user_id, "active": next((v for v in views if v.query == current), None),
            "csrf_token": context.get("csrf_token")}
