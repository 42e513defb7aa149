"""One FilterSet for the article list: the API and the HTML list use the same filters."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.knowledge.choices import ArticleKind, ArticleStatus
from kefu.knowledge.models import Article
from kefu.knowledge.text import parse_query, validate_query
from kefu.workorders.models import Category


class ArticleFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"), validators=[validate_query])
    kind = django_filters.MultipleChoiceFilter(choices=ArticleKind.choices, label=_("Kind"), distinct=False)
    status = django_filters.MultipleChoiceFilter(choices=ArticleStatus.choices, label=_("Status"), distinct=False)
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), method="filter_category",
                                                label=_("Category"))
    review_due = django_filters.BooleanFilter(method="filter_review_due", label=_("Due for review"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Written by me"))

    class Meta:
        model = Article
        fields = ["kind", "status"]

    def filter_search(self, queryset, name, value):
        from kefu.knowledge.selectors import article_search

        return article_search(queryset, query=parse_query(value))

    def filter_category(self, queryset, name, value):
        # The category and its children (articles are often filed under the parent).
        return queryset.filter(category__in=[value.pk, *value.children.values_list("pk", flat=True)]) \
            if value else queryset

    def filter_review_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = {"review_on__lte": timezone.localdate()}
        return queryset.filter(**due) if value else queryset.exclude(**due)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(created_by_id=user.pk) if value and user is not None else queryset
