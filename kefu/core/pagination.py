"""Pagination for lists that can hold millions of rows.

Counting every row a manager may see costs a scan of hundreds of thousands of index entries at
1M orders, on every page load. Nobody pages through more than 10,000 rows, so lists count
exactly up to CAP and report "CAP+" beyond (COUNT over a LIMIT CAP+1 subquery).
"""

from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.response import Response

CAP = 10_000


class CappedPaginator(Paginator[Any]):
    """A Django Paginator whose `count` stops at CAP; `capped` says whether it did."""

    capped = False

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, list):
            return len(self.object_list)
        # Without its ORDER BY: how many rows there are does not depend on their order, and a
        # ranked search would otherwise rank every match before counting (kefu.knowledge).
        counted = cast("QuerySet[Any]", self.object_list).order_by()[: CAP + 1].count()
        self.capped = counted > CAP
        return min(counted, CAP)


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination with a client-chosen page size (≤100) and a capped count:
    `count` is exact up to 10,000; beyond it is 10000 and `count_capped` is true."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None  # DRF calls this after paginate_queryset
        paginator = self.page.paginator
        return Response({
            "count": paginator.count,
            "count_capped": getattr(paginator, "capped", False),
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_capped"] = {"type": "boolean", "example": False}
        return result
