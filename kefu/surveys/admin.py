"""Admin for surveys. Questionnaires are built in the survey pages; here, a published version's
sections and questions are read-only and never deleted (answers refer to them), and deleting a
draft's section or question runs the builder's services, so positions stay 1…n."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import BaseInlineFormSet

from kefu.core.errors import ApplicationError
from kefu.surveys import services
from kefu.surveys.choices import QuestionnaireStatus
from kefu.surveys.models import Campaign, Question, Questionnaire, Section, ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "position"]
    list_editable = ["position"]


class SectionFormSet(BaseInlineFormSet):
    def delete_existing(self, obj, commit=True):
        """A section ticked "delete" goes through the service: its questions with it, the other
        sections close up (1…n)."""
        if commit:
            try:
                services.section_delete(actor_user=self.request.user, section=obj)
            except ApplicationError as exc:
                raise PermissionDenied(exc.message) from exc


class SectionInline(admin.TabularInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = ["position", "item", "title", "title_en"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def has_delete_permission(self, request, obj=None):
        # obj is the questionnaire: a published one's sections never go.
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


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

    def has_delete_permission(self, request, obj=None):
        # Also checked per question by the "delete selected" action: a published one's are refused.
        if obj is not None and obj.section.questionnaire.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":  # questions are added to (or moved into) drafts only
            kwargs["queryset"] = Section.objects.filter(questionnaire__status=QuestionnaireStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Question.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Each question through `services.question_delete` (refused for a published version,
        the rest of its section closes up); all or nothing."""
        try:
            with transaction.atomic():
                for question in queryset.order_by("pk"):
                    services.question_delete(actor_user=request.user, question=question)
        except ApplicationError as exc:
            raise PermissionDenied(exc.message) from exc


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "starts_on", "ends_on", "target_rate", "satisfied_min"]
    list_filter = ["status"]
    readonly_fields = ["status", "questionnaire", "opened_at", "closed_on", "created_by", "population"]
