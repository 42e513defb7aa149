from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The top floor: pages and tools that assemble several apps (see docs/architecture.md)."""

    name = "kefu.workspace"
    label = "workspace"
    verbose_name = _("Workspace")
