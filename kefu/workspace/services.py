"""Writes of the workspace: saved views of the queues (a user's own preference, not a workflow:
no event is written; the row itself says who saved what and when)."""

from typing import Any
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, NotFound, field_error
from kefu.org.models import Department
from kefu.org.selectors import require_actor
from kefu.workorders.filters import WorkOrderFilterSet
from kefu.workspace.models import SavedView

# Roles that may share a view with their department or a team under it.
SHARE_ROLES = frozenset({"supervisor", "manager", "director", "administrator"})
MAX_NAME = 60
MAX_QUERY = 1000
MAX_VIEWS_PER_USER = 50
# What a saved view keeps: the queue, its filters and sort (never the page number).
VIEW_PARAMS = frozenset({"queue", *WorkOrderFilterSet.base_filters}) - {"ids"}


def clean_query(params: QueryDict) -> str:
    pairs = [(key, value) for key in sorted(params) if key in VIEW_PARAMS
             for value in params.getlist(key) if value.strip()]
    query = urlencode(pairs)
    if len(query) > MAX_QUERY:
        raise field_error("query", _("These filters are too long to save."))
    return query


@transaction.atomic
def saved_view_save(*, actor_user: Any, name: str, params: QueryDict, shared_with: Department | None = None
                    ) -> SavedView:
    """Save the queue's current filters and sort under `name` (the user's view of that name is
    replaced). `shared_with`: a department or team in the actor's scope, for roles that share."""
    actor = require_actor(actor_user)
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("Give the view a name."))
    if len(name) > MAX_NAME:
        raise field_error("name", _("At most %(max)s characters.") % {"max": MAX_NAME})
    query = clean_query(params)
    if shared_with is not None:
        if actor.role not in SHARE_ROLES:
            raise NotAllowed(_("Only supervisors share views with a team."), code="share_not_allowed")
        if not actor.department_path or not shared_with.path.startswith(actor.department_path):
            raise field_error("shared_with", _("Share only with your department or a team in it."))
    existing = SavedView.objects.select_for_update().filter(owner=actor_user, name=name).first()
    if existing is None:
        if SavedView.objects.filter(owner=actor_user).count() >= MAX_VIEWS_PER_USER:
            raise field_error("name", _("At most %(max)s saved views; delete one first.") % {"max": MAX_VIEWS_PER_USER})
        try:
            with transaction.atomic():
                return SavedView.objects.create(owner=actor_user, name=name, query=query, shared_with=shared_with)
        except IntegrityError:  # the same name saved at the same moment by another tab
            existing = SavedView.objects.select_for_update().get(owner=actor_user, name=name)
    existing.query, existing.shared_with = query, shared_with
    existing.save(update_fields=["query", "shared_with", "updated_at"])
    return existing


def saved_view_delete(*, actor_user: Any, pk: int) -> None:
    """Delete one of the user's own views (a view shared with them is not theirs to delete)."""
    deleted, _rows = SavedView.objects.filter(owner=actor_user, pk=pk).delete()
    if not deleted:
        raise NotFound(_("Saved view not found."))
