"""Admin for callbacks. Callbacks, their attempts and the customers' ratings are records of contact
with customers (evidence in GB/T 19012 audits, and what the report facts count): nothing here edits
them, ratings are never deleted, and the only deletes — a callback nobody has worked on, a wrongly
drawn sample with its untouched callbacks — go through the services, which keep the orders' history,
callback clocks and report facts right (docs/callbacks.md)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.callbacks import selectors, services
from kefu.callbacks.models import Callback, CallbackAttempt, CallbackRule, RatingLink, SamplingRun
from kefu.core.errors import ApplicationError


@admin.register(CallbackRule)
class CallbackRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "precedence", "is_active", "mode", "sample_percent", "onsite_percent", "period",
                    "max_attempts", "auto_close", "callback_team"]
    list_filter = ["is_active", "mode"]
    list_editable = ["precedence", "is_active"]


def _kept(ids: set[int]) -> list[str]:
    """The lines the delete confirmation shows as protected: the callbacks that must stay."""
    return [_("Callback #%(id)s: worked on (an attempt or a result); records of contact with customers are "
              "kept.") % {"id": pk} for pk in sorted(ids)]


class ServiceDeleteMixin:
    """The admin's delete (one object, or the "delete selected" action) runs the service; what the
    service would refuse is shown as protected on the confirmation page, so it is never posted."""

    def _delete(self, request, ids: list[int]) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_queryset(request, self.model.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        try:
            self._delete(request, list(queryset.values_list("pk", flat=True)))
        except ApplicationError as exc:
            # Someone worked on a callback between the confirmation page and the post.
            raise PermissionDenied(exc.message) from exc

    def response_delete(self, request, obj_display, obj_id):
        # Django goes back to the admin's index when the list is view-only; the list is where the
        # administrator was.
        response = super().response_delete(request, obj_display, obj_id)
        if response.status_code == 302 and self.has_view_permission(request):
            opts = self.opts
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist",
                                                current_app=self.admin_site.name))
        return response


@admin.register(SamplingRun)
class SamplingRunAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    list_display = ["rule", "period_start", "population", "selected", "onsite", "actual_percent", "seed"]
    list_filter = ["rule"]

    # Draws are records of what happened: made by the service only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_deleted_objects(self, objs, request):
        """A run is deleted with the callbacks it drew (the service does it): list them, and list
        as protected those that were worked on (then nothing is deleted)."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        drawn = list(Callback.objects.filter(sampling_run__in=list(objs)).select_related("work_order").order_by("pk"))
        if drawn:
            to_delete.append([f"{Callback._meta.verbose_name} #{c.pk}: {c.get_source_display()}, "
                              f"{c.get_status_display()}, {c.work_order.number if c.work_order else '—'}"
                              for c in drawn])
            model_count[Callback._meta.verbose_name_plural] = len(drawn)
            protected = [*protected, *_kept(selectors.callbacks_worked(callback_ids=[c.pk for c in drawn]))]
        return to_delete, model_count, perms_needed, protected

    def _delete(self, request, ids):
        services.sampling_runs_delete(run_ids=ids, actor_user=request.user)


class AttemptInline(admin.TabularInline):
    model = CallbackAttempt
    extra = 0
    can_delete = False
    fields = ["method", "attempted_at", "reached", "outcome", "solved", "comment", "recorded_by"]
    readonly_fields = fields  # type: ignore[assignment]  # the same plain field names as `fields`

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Callback)
class CallbackAdmin(ServiceDeleteMixin, admin.ModelAdmin):
    """Read-only: callbacks change through their service (attempts, reopen through the gate). Only
    a callback nobody has worked on may be deleted (`services.callbacks_delete`)."""

    list_display = ["id", "work_order", "customer", "source", "status", "due_at", "on_site_required",
                    "attempts_count", "outcome"]
    list_filter = ["status", "source", "on_site_required"]
    raw_id_fields = ["work_order", "customer"]
    list_select_related = ["work_order", "customer"]  # nullable: Django's default would not follow them
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or not selectors.callbacks_worked(callback_ids=[obj.pk])

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        worked = selectors.callbacks_worked(callback_ids=[c.pk for c in objs])
        return to_delete, model_count, perms_needed, [*protected, *_kept(worked)]

    def _delete(self, request, ids):
        services.callbacks_delete(callback_ids=ids, actor_user=request.user)


@admin.register(RatingLink)
class RatingLinkAdmin(admin.ModelAdmin):
    """Read-only and never deleted: a used link is the customer's rating (what the reports count);
    an unused one expires by itself."""

    list_display = ["work_order", "channel", "created_at", "expires_at", "used_at", "speed", "attitude", "quality"]
    exclude = ["token_hash"]
    raw_id_fields = ["work_order"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
