"""Admin: scorecard templates with their indicators (weights must sum to 100 %), review forms;
scorecards and reviews are read-only here (they change through the services)."""

from django import forms
from django.contrib import admin

from kefu.core.errors import InvalidInput
from kefu.kpi.models import CompetencyReview, Indicator, ReviewForm, ReviewItem, Scorecard, ScorecardTemplate
from kefu.kpi.services import validate_weights


class IndicatorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [f.cleaned_data.get("weight") or 0 for f in self.forms
                   if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            validate_weights(weights)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from None


class IndicatorInline(admin.TabularInline):
    model = Indicator
    formset = IndicatorFormSet
    extra = 0


@admin.register(ScorecardTemplate)
class ScorecardTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "role", "position", "is_active"]
    inlines = [IndicatorInline]


class ReviewItemInline(admin.TabularInline):
    model = ReviewItem
    extra = 0


@admin.register(ReviewForm)
class ReviewFormAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "role"]
    inlines = [ReviewItemInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["id", "person", "template", "year", "quarter", "status", "total_score"]
    list_filter = ["status", "year", "quarter", "template"]


@admin.register(CompetencyReview)
class CompetencyReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "person", "year", "half", "average", "reviewer"]
