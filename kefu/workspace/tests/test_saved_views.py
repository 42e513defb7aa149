"""Saved views of the work-order queue: per user, shared per team by a supervisor, checked input,
and the menu on the queue page."""

import pytest
from django.http import QueryDict

from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.workspace.models import SavedView
from kefu.workspace.selectors import saved_views_for_actor
from kefu.workspace.services import saved_view_delete, saved_view_save

pytestmark = pytest.mark.django_db


def _names(user):
    from kefu.org.selectors import actor_for_user

    return [v.name for v in saved_views_for_actor(actor=actor_for_user(user))]


def test_saving_keeps_only_the_queue_filters_and_sort_and_opens_the_view(client, cast):
    client.force_login(cast["agent"])
    response = client.post("/workspace/saved-views/", {
        "name": " 紧急 · 最早到期 ", "query": "queue=all&priority=urgent&ordering=due&page=3&bogus=1&status="})
    view = SavedView.objects.get(owner=cast["agent"])
    assert (view.name, view.query, view.shared_with) == ("紧急 · 最早到期", "ordering=due&priority=urgent&queue=all", None)
    assert response.status_code == 302 and response["Location"] == "/work-orders/?ordering=due&priority=urgent&queue=all"
    # the same name again replaces it
    client.post("/workspace/saved-views/", {"name": "紧急 · 最早到期", "query": "queue=mine"})
    assert list(SavedView.objects.filter(owner=cast["agent"]).values_list("query", flat=True)) == ["queue=mine"]
    html = client.get("/work-orders/?queue=mine").content.decode()
    assert 'data-name="紧急 · 最早到期"' in html and 'href="/work-orders/?queue=mine"' in html


@pytest.mark.parametrize(("name", "query", "field"), [
    ("", "queue=all", "name"), ("x" * 61, "queue=all", "name"), ("long", "search=" + "漏" * 400, "query")],
    ids=["empty_name", "long_name", "long_query"])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(client, cast, name, query, field):
    with pytest.raises(InvalidInput) as error:
        saved_view_save(actor_user=cast["agent"], name=name, params=QueryDict(query))
    assert list(error.value.fields) == [field]
    client.force_login(cast["agent"])
    response = client.post("/workspace/saved-views/", {"name": name, "query": query})
    assert response.status_code == 400 and response.context["error_message"] == error.value.message
    assert not SavedView.objects.exists()


def test_a_supervisor_shares_a_view_with_their_department_and_only_they_delete_it(client, cast, org):
    client.force_login(cast["supervisor"])
    client.post("/workspace/saved-views/", {"name": "待派单", "query": "queue=dispatch", "share": "1"})
    view = SavedView.objects.get()
    assert view.shared_with_id == org["cs"].pk
    assert _names(cast["agent"]) == ["待派单"]  # the front desk is under the customer-service centre
    assert _names(cast["technician"]) == []  # engineering is not
    assert _names(cast["other_steward"]) == []
    with pytest.raises(NotFound):
        saved_view_delete(actor_user=cast["agent"], pk=view.pk)
    client.force_login(cast["agent"])
    assert client.post(f"/workspace/saved-views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    client.force_login(cast["supervisor"])
    assert client.post(f"/workspace/saved-views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_only_sharing_roles_share_and_only_inside_their_scope(cast, org):
    with pytest.raises(NotAllowed):
        saved_view_save(actor_user=cast["agent"], name="mine", params=QueryDict("queue=all"), shared_with=org["front"])
    with pytest.raises(InvalidInput) as error:
        saved_view_save(actor_user=cast["supervisor"], name="eng", params=QueryDict("queue=all"), shared_with=org["mep"])
    assert list(error.value.fields) == ["shared_with"]
    assert not SavedView.objects.exists()
    # an agent's "share" box is ignored by the page (they are not offered it): saved as their own
    view = saved_view_save(actor_user=cast["supervisor"], name="front", params=QueryDict("queue=all"),
                           shared_with=org["front"])
    assert view.shared_with == org["front"]
