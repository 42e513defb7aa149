"""Factories for the organisation: departments (paths maintained), staff with a role."""

import itertools

from kefu.org.models import Department, Role, Staff
from kefu.org.services import department_create, staff_create

_seq = itertools.count(1)
PASSWORD = "pw"


def make_department(*, kind: str = "team", parent: Department | None = None, name: str = "",
                    code: str = "") -> Department:
    n = next(_seq)
    return department_create(name=name or f"部门{n}", code=code or f"D{n}", kind=kind, parent=parent)


def make_staff(*, role: str, department: Department, username: str = "", name: str = "",
               language: str = "zh-hans", superuser: bool = False) -> Staff:
    n = next(_seq)
    return staff_create(username=username or f"{role}{n}", password=PASSWORD, display_name=name or f"{role}{n}",
                        department=department, role=Role.objects.get(code=role), employee_no=f"T{n:05d}",
                        language=language, is_superuser=superuser)
