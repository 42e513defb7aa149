"""Admin for the organisation: departments/teams, positions, roles (authority limits), staff.

Writes go through org.services so department paths and permission groups stay consistent.
"""

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from kefu.org import services
from kefu.org.models import Department, Position, Role, Staff


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["code", "name", "name_en", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = ["path"]

    def save_model(self, request: HttpRequest, obj: Department, form: ModelForm[Department], change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.department_update(department=obj, name=data["name"], name_en=data.get("name_en", ""),
                                       code=data["code"], kind=data["kind"], parent=data.get("parent"),
                                       is_active=data.get("is_active", True))
        else:
            created = services.department_create(name=data["name"], name_en=data.get("name_en", ""),
                                                 code=data["code"], kind=data["kind"], parent=data.get("parent"))
            obj.pk, obj.path = created.pk, created.path


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin[Position]):
    list_display = ["name", "name_en"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ["code", "name", "name_en", "rank", "visibility", "is_approver", "max_complaint_level",
                    "max_approval_amount"]
    list_editable = ["max_complaint_level", "max_approval_amount", "is_approver"]
    readonly_fields = ["code", "group"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Roles are referenced by code in the workflow table; new codes would have no rights.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin[Staff]):
    list_display = ["employee_no", "display_name", "user", "role", "department", "language", "is_active"]
    list_filter = ["role", "is_active", "language"]
    search_fields = ["employee_no", "display_name", "user__username"]
    autocomplete_fields = ["department"]
    list_select_related = ["user", "role", "department"]

    def save_model(self, request: HttpRequest, obj: Staff, form: ModelForm[Staff], change: bool) -> None:
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "user"}
            original = Staff.objects.get(pk=obj.pk)
            services.staff_update(staff=original, **fields)
        else:
            super().save_model(request, obj, form, change)
            obj.user.groups.add(obj.role.group)
