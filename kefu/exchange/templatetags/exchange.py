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

