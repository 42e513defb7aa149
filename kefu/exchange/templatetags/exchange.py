"""`{% export_button "work-orders" queue=queue %}`: the "Export xlsx" control of a list page,
carrying the page's current filters (and, for roles with the personal-data permission, an
unmasked export that asks why and is logged)."""

from django import template

register = template.Library()


@register.inclusion_tag("exchange/partials/export_button.html", takes_context=True)
def export_button(context, list_name: str, **extra):
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in extra.items():
        if value:
            params[key] = value
    return {"list_name": list_name, "query": params.urlencode()}


@register.inclusion_tag("exchange/partials/nav.html", takes_context=True)
def exchange_nav(context):
    """Navbar entries of the data pages, each only for the roles that may use it."""
    from kefu.exchange.selectors import MERGE_ROLES, may_import
    from kefu.org.selectors import actor_for_user
    from kefu.privacy.selectors import may_audit

    request = context["request"]
    actor = actor_for_user(getattr(request, "user", None))
    role = actor.role if actor else None
    return {"request": request, "may_import": may_import(actor), "may_merge": role in MERGE_ROLES,
            "may_audit": may_audit(actor)}
