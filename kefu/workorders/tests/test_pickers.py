"""Pickers offer only the user's own organisation's teams, staff and categories; names are unique
among siblings (a constraint, with a data check in the migration)."""

import pytest
from django.db import IntegrityError, transaction

from kefu.core.errors import InvalidInput
from kefu.org.selectors import actor_for_user, organisation_path
from kefu.org.services import department_create
from kefu.workorders.models import Category
from kefu.workorders.tests.factories import category_for

pytestmark = pytest.mark.django_db


def test_the_queue_pickers_hold_only_the_users_organisation(client, cast, org):
    own = category_for("repair")
    theirs = Category.objects.create(code="other.only", name="其他项目专用", industry="property",
                                     organisation=org["other"], parent=own.parent)
    client.force_login(cast["agent"])
    context = client.get("/work-orders/").context
    team_codes = {t.code for t in context["teams"]}
    assert team_codes == {"FRONT", "STW", "MEP", "VEND"}  # not the other company's OTEAM
    assert "other_tech" not in {s.user.username for s in context["assignees"]}
    offered = {c.pk for _group, items in context["category_groups"] for c in items}
    assert own.pk in offered and theirs.pk not in offered
    # the other company's staff are offered it, and their own team
    client.force_login(cast["other_steward"])
    context = client.get("/work-orders/").context
    assert {t.code for t in context["teams"]} == {"OTEAM"}
    assert theirs.pk in {c.pk for _group, items in context["category_groups"] for c in items}
    # a group-level role picks from the whole group
    assert organisation_path(actor_for_user(cast["director"])) == org["group"].path


def test_intake_refuses_another_organisations_category(client, cast, org):
    from kefu.workorders.forms import IntakeForm

    own = category_for("repair")
    theirs = Category.objects.create(code="other.only", name="其他项目专用", industry="property",
                                     organisation=org["other"], parent=own.parent)
    form = IntakeForm({"category": theirs.pk}, actor=actor_for_user(cast["agent"]))
    form.is_valid()
    assert "category" in form.errors


def test_the_assignee_options_stay_inside_the_organisation(client, cast, org):
    client.force_login(cast["agent"])
    assert client.get("/work-orders/assignees/", {"team": org["oteam"].pk}).context["staff"] == []
    staff = client.get("/work-orders/assignees/", {"team": org["mep"].pk}).context["staff"]
    assert [s.user.username for s in staff] == ["technician"]


def test_sibling_names_are_unique(org):
    with pytest.raises(InvalidInput) as error:
        department_create(name="水电组", code="MEP2", kind="team", parent=org["eng"])
    assert list(error.value.fields) == ["name"]
    department_create(name="水电组", code="MEP3", kind="team", parent=org["oteam"].parent)  # another company: fine
    parent = category_for("repair").parent
    sibling = parent.children.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(code="dup.name", name=sibling.name, industry=sibling.industry, parent=parent)
