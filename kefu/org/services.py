"""Writes to the organisation: departments keep their materialised path, staff get a user."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from kefu.core.errors import InvalidInput
from kefu.org.models import Department, Position, Role, Staff


@transaction.atomic
def department_create(*, name: str, code: str, kind: str, parent: Department | None = None,
                      name_en: str = "") -> Department:
    """Create a department under `parent` and set its path (`<parent path><id>/`)."""
    if Department.objects.filter(code=code).exists():
        raise InvalidInput("duplicate code", code="duplicate", fields={"code": ["exists"]})
    if Department.objects.filter(parent=parent, name=name).exists():
        raise InvalidInput("duplicate name", code="duplicate", fields={"name": ["exists under this parent"]})
    dept = Department.objects.create(name=name, name_en=name_en, code=code, kind=kind, parent=parent)
    dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
    dept.save(update_fields=["path"])
    return dept


@transaction.atomic
def staff_create(*, username: str, password: str, display_name: str, department: Department,
                 role: Role, employee_no: str, position: Position | None = None, phone: str = "",
                 language: str = "zh-hans", email: str = "", is_superuser: bool = False) -> Staff:
    """Create a user account with its staff profile and put it in its role's permission group."""
    user_model = get_user_model()
    user = user_model(username=username, email=email, is_staff=is_superuser or role.code == "administrator",
                      is_superuser=is_superuser)
    user.set_password(password)
    user.save()
    user.groups.add(role.group)
    return Staff.objects.create(
        user=user, display_name=display_name, department=department, role=role,
        employee_no=employee_no, position=position, phone=phone, language=language,
    )


@transaction.atomic
def staff_set_language(*, staff: Staff, language: str) -> Staff:
    staff.language = language
    staff.save(update_fields=["language"])
    return staff


@transaction.atomic
def department_update(*, department: Department, name: str, name_en: str, code: str, kind: str,
                      parent: Department | None, is_active: bool) -> Department:
    """Edit a department; moving it re-roots the materialised path of its whole subtree."""
    if parent is not None and parent.path.startswith(department.path):
        raise InvalidInput("cycle", code="cycle", fields={"parent": ["A department cannot be moved under itself."]})
    old_path = department.path
    department.name, department.name_en, department.code = name, name_en, code
    department.kind, department.parent, department.is_active = kind, parent, is_active
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.save()
    if department.path != old_path:
        for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
            child.path = department.path + child.path[len(old_path):]
            child.save(update_fields=["path"])
    return department


@transaction.atomic
def staff_update(*, staff: Staff, **fields: Any) -> Staff:
    """Edit a staff profile; a new role moves the user to that role's permission group."""
    old_role_id = staff.role_id
    for name, value in fields.items():
        setattr(staff, name, value)
    staff.save()
    if staff.role_id != old_role_id:
        old_group = Role.objects.get(pk=old_role_id).group
        staff.user.groups.remove(old_group)
        staff.user.groups.add(staff.role.group)
    return staff
