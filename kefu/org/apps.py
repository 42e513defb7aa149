from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kefu.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from kefu.org.permissions import grant_administrator_permissions

        # After auth's own post_migrate handler has created the permissions of every app.
        post_migrate.connect(grant_administrator_permissions, dispatch_uid="kefu.org.grant_administrator")
