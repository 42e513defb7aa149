"""Writes to the organisation: departments keep their materialised path, staff get a user."""

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
