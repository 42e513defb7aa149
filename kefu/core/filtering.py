"""Helpers shared by the list pages' FilterSets."""

from django.http import QueryDict


def non_empty(params: QueryDict) -> QueryDict:
    """The query parameters without empty values: a filter form submits every field, most of them
    empty, and an empty value must mean "any", not "invalid"."""
    data = params.copy()
    for key in list(data.keys()):
        values = [v for v in data.getlist(key) if v.strip()]
        if values:
            data.setlist(key, values)
        else:
            del data[key]
    return data
