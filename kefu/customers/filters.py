"""One FilterSet for the unit list: the HTML page, the API and the xlsx export use the same filters.

Site and building choices are limited to the user's scope (an unseen one is "not a valid choice",
the same answer as one that does not exist); without a request (the export builds the set from a
queryset already scoped) every site and building is a valid choice.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import UnitStatus, UnitUse
from kefu.customers.codes import asset_code_key
from kefu.customers.models import Asset, Building, CustomerAsset, Site


def _actor(request):
    """`request.actor` (None without a request or for someone who is not staff; the lazy proxy is
    unwrapped so that `site_scope_q` can test for None)."""
    return (getattr(request, "actor", None) or None) if request is not None else None


def _sites(request):
    from kefu.customers.selectors import site_scope_q

    return Site.objects.filter(site_scope_q(_actor(request)))


def _buildings(request):
    from kefu.customers.selectors import site_scope_q

    return Building.objects.filter(site_scope_q(_actor(request), "site__"))


def occupied_q() -> Q:
    """A unit with at least one current occupant (an open occupancy of a customer not deleted)."""
    return Q(Exists(CustomerAsset.objects.filter(asset=OuterRef("pk"), ended_on=None, customer__deleted_at=None)))


class UnitFilterSet(django_filters.FilterSet):
    site = django_filters.ModelChoiceFilter(queryset=_sites, label=_("Site"))
    building = django_filters.ModelChoiceFilter(queryset=_buildings, label=_("Building"))
    # distinct=False: columns of the unit itself, no join can repeat a row.
    status = django_filters.ChoiceFilter(field_name="unit_status", choices=UnitStatus.choices, label=_("Status"),
                                         distinct=False)
    use = django_filters.ChoiceFilter(choices=UnitUse.choices, label=_("Use"), distinct=False)
    # A choice, not a BooleanFilter: that one reads "maybe" as "any" where a 400 should name the field.
    occupied = django_filters.ChoiceFilter(choices=[("true", _("With occupants")), ("false", _("No occupants"))],
                                           method="filter_occupied", label=_("Occupants"))
    q = django_filters.CharFilter(method="filter_q", label=_("Unit code or name"))

    class Meta:
        model = Asset
        fields = ["site", "building", "status", "use", "occupied", "q"]

    def filter_occupied(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(occupied_q()) if value == "true" else queryset.exclude(occupied_q())

    def filter_q(self, queryset, name, value):
        """The code in any spelling ("3栋2单元1201" = "3-2-1201"), from its start or its end (a code
        typed without the site prefix, "1201" for every unit numbered 1201), or part of the name."""
        value = value.strip()
        if not value:
            return queryset
        condition = Q(name__icontains=value)
        key = asset_code_key(value)
        if key:
            condition |= Q(code_key__startswith=key) | Q(code_key_reversed__startswith=key[::-1])
        return queryset.filter(condition)
