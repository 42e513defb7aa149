"""Template helpers of the customer pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] or None: per-row form errors keyed by document type id."""
    if not mapping:
        return None
    return mapping.get(key)
