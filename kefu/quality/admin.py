"""Admin: QA forms and their weighted items (weights must sum to 100), and the settings row;
checks are read-only here (they change through the gate)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from kefu.quality.models import QACheck, QACheckEvent, QAForm, QAFormItem, QualitySettings


@admin.register(QualitySettings)
class QualitySettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "samples_per_agent", "sampling_enabled"]

    def has_add_permission(self, request):
        return not QualitySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = sum(f.cleaned_data.get("weight") or 0 for f in self.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE"))
        if total != 100:
            raise forms.ValidationError(_("The item weights sum to %(sum)s%%; they must sum to 100%%.") % {"sum": total})


class ItemInline(admin.TabularInline):
    model = QAFormItem
    formset = ItemFormSet
    extra = 0


@admin.register(QAForm)
class QAFormAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "pass_threshold", "is_active"]
    inlines = [ItemInline]


class EventInline(admin.TabularInline):
    model = QACheckEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "created_at", "from_status", "to_status", "body", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QACheck)
class QACheckAdmin(admin.ModelAdmin):
    list_display = ["id", "work_order", "agent", "week_start", "status", "score", "passed"]
    list_filter = ["status", "passed", "week_start"]
    readonly_fields = [f.name for f in QACheck._meta.fields]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
