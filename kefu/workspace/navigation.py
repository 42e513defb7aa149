"""Site navigation: the navbar's entries, in order, each with who may see it.

The one place that names the pages of every app: `templates/base.html` draws these items
(`kefu.workspace.context_processors.kefu` puts them in the context as `nav_items`). A new app
adds its entry here; `core` knows no page of any domain app.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.exchange.selectors import MERGE_ROLES, may_import
from kefu.org.selectors import Actor
from kefu.privacy.selectors import may_audit
from kefu.workorders.services import CREATE_ROLES

Visible = Callable[[Actor | None], bool]


@dataclass(frozen=True)
class NavItem:
    """One navbar entry: a link, or a dropdown of `children` (shown when any child is)."""

    key: str  # the element's id is "nav-<key>"
    label: Any  # a lazy translation
    icon: str  # a Bootstrap Icons name without "bi-"
    url_name: str = ""
    active_apps: tuple[str, ...] = ()  # URL namespaces (app_name) that mark the entry active
    active_urls: tuple[str, ...] = ()  # or URL names
    visible: Visible | None = None  # None: every signed-in member of staff
    children: tuple["NavItem", ...] = field(default=())


def _may_create_orders(actor: Actor | None) -> bool:
    return actor is not None and actor.role in CREATE_ROLES


def _may_merge(actor: Actor | None) -> bool:
    return actor is not None and actor.role in MERGE_ROLES


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("reports", _("Dashboard"), "speedometer2", "reports:dashboard", active_apps=("reports",)),
    NavItem("queue", _("Queues"), "list-task", "workorders:queue", active_urls=("queue",)),
    NavItem("intake", _("New work order"), "plus-circle", "workorders:intake", active_urls=("intake",),
            visible=_may_create_orders),
    NavItem("customers", _("Customers"), "people", "customers:list", active_apps=("customers",)),
    NavItem("frontdesk", _("Front desk"), "door-open", "frontdesk:passes", active_apps=("frontdesk",)),
    NavItem("corrective-actions", _("Corrective actions"), "clipboard-check", "improvement:list",
            active_apps=("improvement",)),
    NavItem("surveys", _("Satisfaction surveys"), "emoji-smile", "surveys:list", active_apps=("surveys",)),
    NavItem("inbound", _("Inbound"), "inbox", "channels:inbox", active_apps=("channels",)),
    NavItem("callbacks", _("Callbacks"), "telephone-outbound", "callbacks:list", active_apps=("callbacks",)),
    NavItem("data", pgettext_lazy("import", "Customer data"), "database", active_apps=("exchange", "privacy"),
            children=(
                NavItem("import", pgettext_lazy("import", "Import customers"), "upload", "exchange:import_list",
                        visible=may_import),
                NavItem("duplicates", pgettext_lazy("import", "Duplicates"), "union", "exchange:duplicates",
                        visible=_may_merge),
                NavItem("access-log", pgettext_lazy("import", "Access log"), "shield-lock", "privacy:access_log",
                        visible=may_audit),
            )),
    NavItem("patrols", _("Patrols"), "signpost-2", "patrols:list", active_apps=("patrols",)),
    NavItem("repairs", _("Repair records"), "tools", "repairs:list", active_apps=("repairs",)),
    NavItem("vendors", _("Vendors"), "building-gear", "vendors:list", active_apps=("vendors",)),
    NavItem("standards", _("Service standards"), "clipboard-data", "standards:board", active_apps=("standards",)),
    NavItem("quality", _("QA checks"), "patch-check", "quality:list", active_apps=("quality",)),
    NavItem("kpi", _("KPI scorecards"), "award", "kpi:mine", active_apps=("kpi",)),
    NavItem("notices", _("Notices"), "megaphone", "notices:list", active_apps=("notices",)),
)


def nav_for(actor: Actor | None, *, app_name: str = "", url_name: str = "",
            items: Sequence[NavItem] = NAV_ITEMS) -> list[dict[str, Any]]:
    """The entries `actor` may see, as dicts for the template (href, active, children)."""
    entries: list[dict[str, Any]] = []
    for item in items:
        if item.visible is not None and not item.visible(actor):
            continue
        children = nav_for(actor, app_name=app_name, url_name=url_name, items=item.children)
        if item.children and not children:
            continue
        entries.append({
            "id": f"nav-{item.key}", "label": item.label, "icon": item.icon,
            "href": reverse(item.url_name) if item.url_name else "#", "children": children,
            "active": (bool(app_name) and app_name in item.active_apps) or (bool(url_name) and url_name in item.active_urls),
        })
    return entries
