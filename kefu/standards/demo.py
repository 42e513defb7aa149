"""Demo data of the standards register: the default report pack scheduled for the demo manager,
Cuihu Garden's own rule for the sampled callbacks (recorded, so the board shows a site rule and its
history), and the warnings of what is about to be missed. Called by `manage.py demo_data`;
idempotent."""

from django.contrib.auth import get_user_model

from kefu.customers.models import Site
from kefu.reports.selectors import Scope
from kefu.standards import services
from kefu.standards.models import StandardRule


def create_demo_standards() -> str:
    users = get_user_model().objects.in_bulk(["manager", "director"], field_name="username")
    manager = users.get("manager")
    if manager is None:
        return "standards: no demo manager"
    pack = services.report_pack_seed(owner=manager, fallback_recipient="service-center@example.com")
    site = Site.objects.filter(code="CH").first()
    if site is not None and not StandardRule.objects.filter(site=site).exists():
        services.standard_rule_set(actor_user=manager, code="callback_sampling", scope=Scope(site_id=site.pk),
                                   parameters={"sample_percent": 0.15, "onsite_percent": 0.3}, target="1")
    warnings = services.standards_warn()
    return f"standards: {len(pack)} report schedules, {len(warnings)} warnings"
