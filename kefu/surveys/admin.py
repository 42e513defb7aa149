from django.contrib import admin

from kefu.surveys.models import Campaign, Question, Questionnaire, Section, ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "position"]
    list_editable = ["position"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "item", "title", "title_en"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Read-mostly: questionnaires are built and published through the survey pages, whose
    services keep published versions frozen."""

    list_display = ["code", "version", "title", "status", "published_at"]
    list_filter = ["status"]
    inlines = [SectionInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "required", "section"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.section.questionnaire.is_frozen:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "starts_on", "ends_on", "target_rate", "satisfied_min"]
    list_filter = ["status"]
    readonly_fields = ["status", "questionnaire", "opened_at", "closed_on", "created_by", "population"]
