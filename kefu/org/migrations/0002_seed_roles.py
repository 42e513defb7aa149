"""Seed the ten roles with their permission groups, visibility and default authority limits.

Defaults follow the sources: supervisor approves up to ¥500 and level-1 plans, manager ¥5,000
and level 2, director unlimited and level 3. Editable afterwards in the admin.
"""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

# code, 中文名, English, rank, visibility, approver, max level, max amount (None = unlimited)
ROLES = [
    ("agent", "客服员", "Agent", 10, "all", False, 0, Decimal("0")),
    ("steward", "楼层管家", "Steward", 10, "department", False, 0, Decimal("0")),
    ("technician", "维修工程师", "Technician", 10, "department", False, 0, Decimal("0")),
    ("clerk", "文员", "Clerk", 10, "all", False, 0, Decimal("0")),
    ("qa", "质检员", "Quality inspector", 20, "all", False, 0, Decimal("0")),
    ("supervisor", "客服主管", "Supervisor", 30, "department", True, 1, Decimal("500")),
    ("manager", "客服经理", "Manager", 40, "department", True, 2, Decimal("5000")),
    ("director", "客服总监", "Director", 50, "all", True, 3, None),
    ("vendor", "外包单位", "Vendor user", 0, "assigned", False, 0, Decimal("0")),
    ("administrator", "系统管理员", "Administrator", 90, "all", False, 3, None),
]

# Who may see unmasked phone and ID numbers (PIPL: access on need). QA, clerks and vendors
# work with masked data; revealing is a later, audited feature.
PERSONAL_DATA_ROLES = {"agent", "steward", "technician", "supervisor", "manager", "director", "administrator"}
KEFU_APPS = ["org", "customers", "workorders", "notifications", "core"]


def seed(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so groups can get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("org", "Role")
    personal = Permission.objects.get(codename="view_personal_data", content_type__app_label="customers")
    everything = Permission.objects.filter(content_type__app_label__in=KEFU_APPS + ["auth", "authtoken"])
    for code, name, name_en, rank, visibility, approver, level, amount in ROLES:
        group, _ = Group.objects.get_or_create(name=f"kefu:{code}")
        Role.objects.update_or_create(code=code, defaults=dict(
            name=name, name_en=name_en, group=group, rank=rank, visibility=visibility, is_approver=approver,
            max_complaint_level=level, max_approval_amount=amount))
        if code == "administrator":
            group.permissions.set(everything)
        elif code in PERSONAL_DATA_ROLES:
            group.permissions.add(personal)


def unseed(apps, schema_editor):
    apps.get_model("org", "Role").objects.all().delete()
    apps.get_model("auth", "Group").objects.filter(name__startswith="kefu:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("customers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
