"""Roles and authority: the seeded limits, who covers which plan, where plans are routed, the
Actor of a user, and department paths."""

from decimal import Decimal

import pytest

from kefu.core.errors import InvalidInput
from kefu.org.models import Department, Role
from kefu.org.selectors import actor_for_user, approver_role_for, department_subtree
from kefu.org.services import department_update, staff_update
from kefu.org.tests.factories import make_department, make_staff

pytestmark = pytest.mark.django_db


def test_seeded_roles():
    rows = {r.code: (r.rank, r.visibility, r.is_approver, r.max_complaint_level, r.max_approval_amount)
            for r in Role.objects.all()}
    assert rows == {
        "agent": (10, "all", False, 0, Decimal("0")),
        "steward": (10, "department", False, 0, Decimal("0")),
        "technician": (10, "department", False, 0, Decimal("0")),
        "clerk": (10, "all", False, 0, Decimal("0")),
        "qa": (20, "all", False, 0, Decimal("0")),
        "supervisor": (30, "department", True, 1, Decimal("500")),
        "manager": (40, "department", True, 2, Decimal("5000")),
        "director": (50, "all", True, 3, None),
        "vendor": (0, "assigned", False, 0, Decimal("0")),
        "administrator": (90, "all", False, 3, None),
    }
    assert all(r.group.name == f"kefu:{r.code}" for r in Role.objects.all())


@pytest.mark.parametrize(("role", "level", "amount", "covers"), [
    ("supervisor", None, None, True),
    ("supervisor", 1, Decimal("500"), True),
    ("supervisor", 1, Decimal("500.01"), False),
    ("supervisor", 2, None, False),
    ("manager", 2, Decimal("5000"), True),
    ("manager", 3, None, False),
    ("manager", None, Decimal("8000"), False),
    ("director", 3, Decimal("1000000"), True),
    ("agent", None, None, True),
    ("agent", None, Decimal("1"), False),
    ("agent", 1, None, False),
], ids=["sup_nothing_case", "sup_at_limit_case", "sup_over_limit_case", "sup_level2_case", "mgr_at_limit_case",
        "mgr_level3_case", "mgr_8000_case", "dir_unlimited_case", "agent_nothing_case", "agent_amount_case",
        "agent_level_case"])
def test_role_covers(role, level, amount, covers):
    assert Role.objects.get(code=role).covers(complaint_level=level, amount=amount) is covers


@pytest.mark.parametrize(("level", "amount", "role"), [
    (None, None, "supervisor"),
    (None, Decimal("300"), "supervisor"),
    (1, Decimal("500"), "supervisor"),
    (None, Decimal("800"), "manager"),
    (2, None, "manager"),
    (2, Decimal("5000"), "manager"),
    (2, Decimal("5000.01"), "director"),
    (None, Decimal("8000"), "director"),
    (3, None, "director"),
], ids=["nothing_case", "repair_300_case", "level1_500_case", "amount_800_case", "level2_case",
        "level2_5000_case", "level2_over_5000_case", "amount_8000_case", "level3_case"])
def test_routing(level, amount, role):
    assert approver_role_for(complaint_level=level, amount=amount).code == role


def test_routing_follows_edited_limits():
    Role.objects.filter(code="supervisor").update(max_approval_amount=Decimal("1000"))
    assert approver_role_for(complaint_level=None, amount=Decimal("800")).code == "supervisor"
    Role.objects.filter(code="director").update(max_approval_amount=Decimal("10000"))
    assert approver_role_for(complaint_level=None, amount=Decimal("10000.01")) is None


def test_actor_for_staff(cast, org):
    actor = actor_for_user(cast["supervisor"])
    assert (actor.role, actor.department_id, actor.department_path, actor.visibility, actor.max_complaint_level,
            actor.max_approval_amount, actor.is_approver) == (
        "supervisor", org["cs"].pk, org["cs"].path, "department", 1, Decimal("500"), True)
    assert actor_for_user(cast["supervisor"]) is actor  # cached on the user


def test_actor_for_superuser_without_staff(superuser):
    actor = actor_for_user(superuser)
    assert (actor.role, actor.department_id, actor.visibility, actor.max_approval_amount, actor.staff) == (
        "administrator", None, "all", None, None)
    assert actor.covers(complaint_level=3, amount=Decimal("99999999"))


def test_superuser_with_staff_profile_acts_as_administrator(org):
    staff = make_staff(role="agent", department=org["front"], superuser=True)
    actor = actor_for_user(staff.user)
    assert (actor.role, actor.department_id, actor.visibility) == ("administrator", org["front"].pk, "all")


def test_no_actor(db, django_user_model, cast):
    plain = django_user_model.objects.create_user("plain", password="pw")
    assert actor_for_user(plain) is None
    assert actor_for_user(None) is None
    inactive = cast["agent"]
    inactive.is_active = False
    assert actor_for_user(django_user_model.objects.get(pk=inactive.pk)) is not None
    django_user_model.objects.filter(pk=inactive.pk).update(is_active=False)
    assert actor_for_user(django_user_model.objects.get(pk=inactive.pk)) is None


def test_department_paths(org):
    g, co, cs, front = org["group"], org["company"], org["cs"], org["front"]
    assert (g.path, co.path, cs.path, front.path) == (
        f"/{g.pk}/", f"/{g.pk}/{co.pk}/", f"/{g.pk}/{co.pk}/{cs.pk}/", f"/{g.pk}/{co.pk}/{cs.pk}/{front.pk}/")
    assert set(department_subtree(department=cs).values_list("code", flat=True)) == {"CS", "FRONT", "STW"}


def test_duplicate_department_code_refused(org):
    with pytest.raises(InvalidInput):
        make_department(code="CS", parent=org["company"])


def test_moving_a_department_moves_its_subtree(org):
    department_update(department=org["cs"], name="客服中心", name_en="", code="CS", kind="department",
                      parent=org["other"], is_active=True)
    front = Department.objects.get(code="FRONT")
    assert front.path == f"{org['other'].path}{org['cs'].pk}/{front.pk}/"
    assert set(department_subtree(department=org["other"]).values_list("code", flat=True)) == {
        "OTHER", "OTEAM", "CS", "FRONT", "STW"}


def test_moving_a_department_under_itself_is_refused(org):
    with pytest.raises(InvalidInput) as exc:
        department_update(department=org["cs"], name="x", name_en="", code="CS", kind="department",
                          parent=org["front"], is_active=True)
    assert list(exc.value.fields) == ["parent"]
    assert Department.objects.get(code="CS").parent == org["company"]


def test_changing_role_moves_permission_group(cast):
    staff = cast["clerk"].staff
    staff_update(staff=staff, role=Role.objects.get(code="agent"))
    assert list(staff.user.groups.values_list("name", flat=True)) == ["kefu:agent"]
    assert staff.user.has_perm("customers.view_personal_data")
