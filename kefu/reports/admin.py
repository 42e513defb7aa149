from django.contrib import admin

from kefu.reports.models import GeneratedReport, ReportSchedule


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    list_display = ("name", "report", "file_format", "frequency", "owner", "is_active", "last_period_start")
    list_filter = ("report", "frequency", "is_active")


@admin.register(GeneratedReport)
class GeneratedReportAdmin(admin.ModelAdmin):
    list_display = ("report", "file_format", "period_start", "period_end", "generated_by", "schedule", "created_at")
    list_filter = ("report", "file_format")
    readonly_fields = [f.name for f in GeneratedReport._meta.fields]
