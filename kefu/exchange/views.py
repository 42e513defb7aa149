"""Pages of the exchange app (htmx + Bootstrap): imports (upload → mapping → dry run → import with
a progress bar → report), list exports, duplicate candidates and the merge form. Views parse
input and call services and selectors; errors become a marked field or a message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kefu.core.dbrouter import replica_reads
from kefu.core.errors import ApplicationError, InvalidInput, NotFound
from kefu.core.masking import may_view_personal_data
from kefu.exchange import exports, selectors, services
from kefu.exchange.choices import RUNNING, JobStatus
from kefu.exchange.report import import_report_xlsx
from kefu.exchange.rows import TARGETS, reason_text
from kefu.org.decorators import staff_required
from kefu.privacy.services import export_access_record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job_or_404(actor, pk):
    try:
        return selectors.import_job_get(actor=actor, pk=pk)
    except NotFound:
        raise Http404 from None


# --- imports ---------------------------------------------------------------------------------------

@staff_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    actor = request.actor
    may_import = selectors.may_import(actor)
    error = ""
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied(_("Your role may not import data."))
        try:
            job = services.import_job_create(actor_user=request.user, upload=request.FILES.get("file"))
        except InvalidInput as exc:
            error = "; ".join(exc.fields.get("file", [])) or exc.message
        else:
            return redirect("exchange:import_detail", pk=job.pk)
    jobs = list(selectors.import_jobs_for_actor(actor=actor)[:20])
    return render(request, "exchange/imports.html", {"jobs": jobs, "may_import": may_import, "file_error": error},
                  status=400 if error else 200)


def _detail_context(request, job, **extra) -> dict:
    columns = [(str(i), header, job.mapping.get(str(i), "")) for i, header in enumerate(job.headers)]
    errors = [(e, reason_text(e.code, e.params)) for e in job.row_errors.all()[:50]]
    return {"job": job, "columns": columns, "targets": TARGETS, "errors": errors, "running": job.status in RUNNING,
            "statuses": JobStatus, **extra}


@staff_required
@require_GET
def import_detail(request, pk):
    job = _job_or_404(request.actor, pk)
    return render(request, "exchange/import_detail.html", _detail_context(request, job))


@staff_required
@require_POST
def import_mapping(request, pk):
    """Save the column mapping and start the dry run in one step."""
    job = _job_or_404(request.actor, pk)
    mapping = {str(i): request.POST.get(f"column_{i}", "") for i in range(len(job.headers))}
    try:
        services.import_job_set_mapping(job=job, actor_user=request.user, mapping=mapping)
        job = services.import_job_start(job=job, actor_user=request.user, commit=False)
    except InvalidInput as exc:
        job.mapping = {k: v for k, v in mapping.items() if v}
        return render(request, "exchange/import_detail.html",
                      _detail_context(request, job, mapping_errors=exc.fields, mapping_message=exc.message),
                      status=400)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exchange:import_detail", pk=job.pk)


@staff_required
@require_POST
def import_start(request, pk):
    job = _job_or_404(request.actor, pk)
    try:
        services.import_job_start(job=job, actor_user=request.user, commit=True,
                                  skip_rejected=request.POST.get("skip_rejected") == "1")
    except InvalidInput as exc:
        return render(request, "exchange/import_detail.html",
                      _detail_context(request, job, start_error="; ".join(sum(exc.fields.values(), []))),
                      status=400)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exchange:import_detail", pk=job.pk)


@staff_required
@require_GET
def import_progress(request, pk):
    """htmx polling target: the progress bar while running; the whole page reloads when done."""
    job = _job_or_404(request.actor, pk)
    if job.status not in RUNNING:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "exchange/partials/progress.html", {"job": job, "running": True})


@staff_required
@require_GET
def import_report(request, pk):
    job = _job_or_404(request.actor, pk)
    out = import_report_xlsx(job)
    return FileResponse(out, as_attachment=True, filename=f"import-{job.pk}-report.xlsx", content_type=XLSX)


# --- exports ---------------------------------------------------------------------------------------

@staff_required
@require_http_methods(["GET", "POST"])
def export(request, list_name):
    """GET: the list as xlsx, personal data masked. POST (with a reason): unmasked, for roles with
    the personal-data permission only, logged in the access log."""
    actor = request.actor
    unmasked = request.method == "POST"
    if unmasked and not may_view_personal_data(request.user):
        raise PermissionDenied(_("Your role may not export unmasked personal data."))
    try:
        spec = exports.export_spec(list_name=list_name, actor=actor, params=request.GET)
    except NotFound:
        raise Http404 from None
    if unmasked and not request.POST.get("reason", "").strip():
        # Refused (and not logged) before a single row is read.
        return HttpResponse(pgettext("privacy", "Say why you need to see it."), status=400,
                            content_type="text/plain; charset=utf-8")
    with replica_reads():  # a list export may be up to KEFU_REPLICA_MAX_LAG_SECONDS old (kefu.core.dbrouter)
        out, count = exports.write_xlsx(spec, unmasked=unmasked)
    if unmasked:
        filters = {k: request.GET.getlist(k) for k in request.GET if k != "page"}
        export_access_record(actor_user=request.user, list_name=list_name, row_count=count, filters=filters,
                             reason=request.POST.get("reason", ""))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(out, as_attachment=True, filename=f"{list_name}-{stamp}.xlsx", content_type=XLSX)


@staff_required
@require_GET
def export_options(request, list_name):
    """htmx: the export menu — an unmasked export with a reason, for roles that may."""
    if list_name not in exports.LISTS:
        raise Http404
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "exchange/partials/export_options.html", {
        "list_name": list_name, "query": params.urlencode(), "may_unmask": may_view_personal_data(request.user)})


# --- duplicates and merge --------------------------------------------------------------------------

@staff_required
@require_GET
def duplicates(request):
    actor = request.actor
    if actor.role not in selectors.MERGE_ROLES:
        raise PermissionDenied(_("Your role may not merge duplicate customers."))
    pairs = selectors.duplicate_pairs(actor=actor)
    return render(request, "exchange/duplicates.html", {
        "pairs": pairs, "records": selectors.merge_records(actor=actor),
        "reason_labels": {"phone": pgettext("merge", "Same phone"), "id_number": pgettext("merge", "Same ID number"),
                          "similar_name": pgettext("merge", "Similar name, same phone tail")}})


@staff_required
@require_POST
def merge(request):
    survivor, _sep, merged = request.POST.get("direction", "").partition(":")
    if not survivor.isdigit() or not merged.isdigit():
        raise Http404
    try:
        record = services.customer_merge(actor_user=request.user, survivor_id=int(survivor), merged_id=int(merged),
                                         reason=request.POST.get("reason", ""))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
        return redirect(reverse("exchange:duplicates"))
    messages.success(request, pgettext("merge", "Merged into %(name)s (%(n)s work orders re-linked).") % {
        "name": record.survivor.name, "n": record.moved.get("work_orders", 0)})
    return redirect(reverse("exchange:duplicates"))
