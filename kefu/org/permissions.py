"""The administrator role holds every permission of Kefu's own apps, including apps added later.

org/0002 seeded the administrator group with the permissions of the apps that existed then; each
later app (sla, callbacks, surveys, …) would otherwise need its own data migration, and forgetting
one left administrators unable to open that app's admin pages. Granting after every migrate (and
after the test suite re-seeds) keeps the rule in one place.
"""

from django.contrib.auth.models import Group, Permission

ADMIN_GROUP = "kefu:administrator"


def kefu_app_labels() -> list[str]:
    from django.apps import apps

    return [c.label for c in apps.get_app_configs() if c.name.startswith("kefu.")] + ["auth", "authtoken"]


def grant_administrator_permissions(**_kwargs: object) -> int:
    """Add every permission of Kefu's apps to the administrator group; returns how many it holds."""
    group = Group.objects.filter(name=ADMIN_GROUP).first()
    if group is None:  # roles not seeded yet (or just flushed): nothing to grant
        return 0
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=kefu_app_labels()))
    return group.permissions.count()
