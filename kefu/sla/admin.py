"""Admin for calendars, holidays and SLA policies, with an upload page for a new year's holidays."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import InvalidInput
from kefu.sla.forms import WorkCalendarForm
from kefu.sla.models import Escalation, Holiday, HolidayYear, SlaClock, SlaPolicy, WorkCalendar
from kefu.sla.services import holiday_changed, holidays_import_csv, holidays_import_xlsx


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    """Working hours are edited as days × time ranges (`kefu.sla.forms.WorkCalendarForm`)."""

    form = WorkCalendarForm
    list_display = ["name", "timezone", "use_china_holidays", "always_open", "team"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Edits of single days go through `holiday_changed`, so deadlines and caches follow them."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        years = {obj.date.year}
        if change and "date" in form.changed_data:
            years.add(form.initial["date"].year)
        super().save_model(request, obj, form, change)
        holiday_changed(years=years)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        holiday_changed(years={obj.date.year})

    def delete_queryset(self, request, queryset):
        years = {d.year for d in queryset.values_list("date", flat=True)}
        super().delete_queryset(request, queryset)
        holiday_changed(years=years)


class HolidayUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or xlsx file (date, kind, name)"))


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]
    change_list_template = "admin/sla/holidayyear/change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="sla_holidayyear_import"),
                *super().get_urls()]

    def import_view(self, request):
        """Upload a year's arrangement as soon as the State Council publishes it."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = HolidayUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            importer = holidays_import_xlsx if upload.name.lower().endswith(".xlsx") else holidays_import_csv
            try:
                result = importer(content=content, source=f"upload {upload.name}"[:100])
            except InvalidInput as exc:
                for errors in exc.fields.values():
                    for error in errors:
                        form.add_error("file", error)
            else:
                messages.success(request, _("Imported %(days)s days for %(years)s.") % {
                    "days": result["days"], "years": ", ".join(map(str, result["years"]))})
                return redirect("admin:sla_holidayyear_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Import holidays")}
        return render(request, "admin/sla/holidayyear/import.html", context)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "precedence", "is_default", "is_active", "calendar", "first_response_minutes",
                    "resolution_minutes"]
    list_editable = ["precedence", "is_active"]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ["work_order", "kind", "state", "due_at", "stopped_at", "breached_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["work_order"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # clocks change only with their work order's events

    def has_add_permission(self, request):
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["clock", "step", "notify_role", "fired_at"]
    raw_id_fields = ["clock", "event"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
