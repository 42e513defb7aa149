"""Writes of the exchange app: import jobs (upload → mapping → dry run → import) and customer merges.

Each service is one transaction, except `import_job_run`, the background task's body: it commits
its progress as it reads (so the page's progress bar moves) and writes the data itself in one
inner transaction (`importer.write_plan`: all or nothing).
"""

import hashlib
import json
import logging
import pickle
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import pgettext

from kefu.core.errors import Conflict, NotAllowed, field_error
from kefu.exchange import importer
from kefu.exchange.choices import RUNNING, JobStatus
from kefu.exchange.models import ImportJob, ImportRowError
from kefu.exchange.rows import TARGET_KEYS, UnreadableFile, check_row, guess_mapping, read_rows
from kefu.exchange.selectors import may_import
from kefu.org.selectors import Actor, actor_for_user

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PROGRESS_EVERY = 5000


def _import_actor(actor_user) -> Actor:
    actor = actor_for_user(actor_user)
    if not may_import(actor):
        raise NotAllowed(pgettext("import", "Your role may not import customer data."))
    return actor  # type: ignore[return-value]  # not None on this path (set or checked before)


@transaction.atomic
def import_job_create(*, actor_user, upload: UploadedFile) -> ImportJob:
    """Store an uploaded xlsx/CSV file, read its header row and guess the column mapping."""
    _import_actor(actor_user)
    if upload is None:
        raise field_error("file", pgettext("import", "Choose a file to import."))
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    if not name.lower().endswith((".xlsx", ".csv")):
        raise field_error("file", pgettext("import", "Only .xlsx and .csv files can be imported."))
    if upload.size > MAX_UPLOAD_BYTES:  # type: ignore[operator]  # not None on this path (set or checked before)
        raise field_error("file", pgettext("import", "The file is larger than 50 MB."))
    try:
        upload.seek(0)
        headers, _rows, total = read_rows(upload, name)
    except UnreadableFile as exc:
        raise field_error("file", str(exc)) from None
    if not any(headers):
        raise field_error("file", pgettext("import", "The first row must hold the column headers."))
    upload.seek(0)
    job = ImportJob(created_by=actor_user, created_at=timezone.now(), original_name=name, headers=headers,
                    mapping=guess_mapping(headers), total_rows=total)
    job.file.save(name, upload, save=False)
    job.save()
    return job


@transaction.atomic
def import_job_set_mapping(*, job: ImportJob, actor_user, mapping: dict) -> ImportJob:
    """Set which column feeds which field ({column index: target}; blank = ignored)."""
    _import_actor(actor_user)
    if job.status in RUNNING:
        raise Conflict(pgettext("import", "The file is being processed; wait until it finishes."))
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for index, target in mapping.items():
        if not target:
            continue
        if not str(index).isdigit() or int(index) >= len(job.headers) or target not in TARGET_KEYS:
            raise field_error(f"column_{index}", pgettext("import", "Unknown column or field."))
        if target in used:
            msg = pgettext("import", "Two columns (%(a)s, %(b)s) are mapped to the same field.") % {
                "a": job.headers[int(used[target])], "b": job.headers[int(index)]}
            raise field_error(f"column_{index}", msg)
        used[target] = str(index)
        clean[str(index)] = target
    if not ({"name", "unit", "account"} & set(clean.values())):
        raise field_error("mapping", pgettext("import", "Map at least the name, unit code or account column."))
    job.mapping = clean
    job.status = JobStatus.UPLOADED
    job.save(update_fields=["mapping", "status"])
    return job


@transaction.atomic
def import_job_start(*, job: ImportJob, actor_user, commit: bool, skip_rejected: bool = False) -> ImportJob:
    """Queue a dry run (commit=False) or the import itself; the page then polls the progress.

    An import needs a dry run first, and a file with rejected rows imports only when the user
    says to skip them."""
    _import_actor(actor_user)
    if commit and job.status not in (JobStatus.CHECKED,):
        raise Conflict(pgettext("import", "Run the dry run first."))
    if commit and job.rejected_rows and not skip_rejected:
        msg = pgettext("import", "%(n)s rows are rejected: tick “skip rejected rows” to import the others.") % {
            "n": job.rejected_rows}
        raise field_error("skip_rejected", msg)
    status = JobStatus.IMPORTING if commit else JobStatus.CHECKING
    # Claimed with a conditional UPDATE: a double click starts one run, the second gets a 409.
    claimed = ImportJob.objects.filter(pk=job.pk).exclude(status__in=RUNNING).exclude(status=JobStatus.DONE).update(
        status=status, processed_rows=0, skip_rejected=skip_rejected, failure="", started_at=timezone.now(),
        finished_at=None)
    if not claimed:
        raise Conflict(pgettext("import", "This file is already being processed or was imported."))
    job.refresh_from_db()
    from kefu.exchange.tasks import import_job_run_task

    transaction.on_commit(lambda: import_job_run_task(job.pk, commit))
    return job


def _checked_rows(job: ImportJob):
    """Read and check every row; progress committed every PROGRESS_EVERY rows."""
    columns = [(int(i), t) for i, t in job.mapping.items()]
    good: list[tuple[int, dict]] = []
    errors: list[ImportRowError] = []
    headers = job.headers
    with job.file.open("rb") as fileobj:
        _headers, rows, _total = read_rows(fileobj, job.original_name)
        n = 0
        for n, cells in enumerate(rows, start=1):
            row_no = n + 1  # the header is row 1, as Excel numbers them
            values = {t: (cells[i] if i < len(cells) else None) for i, t in columns}
            if not any(v not in (None, "") for v in values.values()):
                continue  # blank lines at the end of a sheet
            clean, problems = check_row(values)
            if problems:
                errors += [_row_error(job, row_no, p, headers, columns) for p in problems]
            else:
                good.append((row_no, clean))
            if n % PROGRESS_EVERY == 0:
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=n)
    return good, errors, n


def _row_error(job, row_no, problem, headers, columns) -> ImportRowError:
    index = next((i for i, t in columns if t == problem.column), None)
    column = headers[index] if index is not None and index < len(headers) else problem.column
    return ImportRowError(job=job, row=row_no, column=str(column)[:100], value=str(problem.value)[:200],
                          code=problem.code, params=problem.params)


def _checked_cache(job: ImportJob) -> Path:
    digest = hashlib.sha256(json.dumps(job.mapping, sort_keys=True).encode()).hexdigest()[:16]
    return Path(settings.MEDIA_ROOT) / "exchange" / "checked" / f"{job.pk}-{digest}.pickle"


def _checked_rows_cached(job: ImportJob, *, commit: bool):
    """The checked rows of the dry run, reused by the import that follows it: the file and the
    mapping are the same and the check is a pure function of them, so only the plan (which
    depends on the database) is made again. The cache is written by this process only (pickle
    of plain values), keyed by job and mapping, and removed after the import."""
    path = _checked_cache(job)
    if commit and path.exists():
        with path.open("rb") as fh:
            good, errors, total = pickle.load(fh)  # noqa: S301 - our own file, never user input
        return good, [ImportRowError(job=job, **e) for e in errors], total
    good, errors, total = _checked_rows(job)
    if not commit:
        path.parent.mkdir(parents=True, exist_ok=True)
        plain = [{"row": e.row, "column": e.column, "value": e.value, "code": e.code, "params": e.params}
                 for e in errors]
        with path.open("wb") as fh:
            pickle.dump((good, plain, total), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return good, errors, total


def import_job_run(*, job_id: int, commit: bool) -> dict:
    """The background run: check every row, plan the upserts, and (commit=True) write them in one
    transaction. Records counts and rejected rows on the job; idempotent per status (a run whose
    job is no longer claimed returns at once)."""
    job = ImportJob.objects.filter(pk=job_id).first()
    expected = JobStatus.IMPORTING if commit else JobStatus.CHECKING
    if job is None or job.status != expected:
        return {}
    try:
        good, errors, total = _checked_rows_cached(job, commit=commit)
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=total, total_rows=total)
        plan = importer.Planner(good).build()
        headers, columns = job.headers, [(int(i), t) for i, t in job.mapping.items()]
        for row_no, problems in plan.rejected.items():
            errors += [_row_error(job, row_no, p, headers, columns) for p in problems]
        rejected = len({e.row for e in errors})
        counts = plan.counts()
        counts["rows"] = {"accepted": plan.accepted_rows, "rejected": rejected}
        with transaction.atomic():
            if commit and (not rejected or job.skip_rejected):
                importer.write_plan(plan, actor_user=job.created_by)
                status = JobStatus.DONE
                transaction.on_commit(lambda: _checked_cache(job).unlink(missing_ok=True))
            else:
                status = JobStatus.CHECKED
            ImportRowError.objects.filter(job=job).delete()
            ImportRowError.objects.bulk_create(errors, batch_size=2000)
            ImportJob.objects.filter(pk=job.pk).update(status=status, counts=counts, rejected_rows=rejected,
                                                       finished_at=timezone.now())
        return counts
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, failure=str(exc)[:2000],
                                                   finished_at=timezone.now(), processed_rows=F("processed_rows"))
        return {}


# --- merging duplicates ------------------------------------------------------------------------------

def _snapshot(customer) -> dict:
    """The merged customer as it was: its own fields, phones and asset links (JSON-safe)."""
    fields = {}
    for f in type(customer)._meta.concrete_fields:
        value = getattr(customer, f.attname)
        fields[f.attname] = value.isoformat() if hasattr(value, "isoformat") else value
    return {
        "fields": fields,
        "phones": [{"number": p.number, "raw": p.raw, "label": p.label} for p in customer.phones.all()],
        "asset_links": [{"asset_id": link.asset_id, "relation": link.relation,
                         "started_on": link.started_on.isoformat() if link.started_on else None,
                         "ended_on": link.ended_on.isoformat() if link.ended_on else None}
                        for link in customer.asset_links.all()],
    }


@transaction.atomic
def customer_merge(*, actor_user, survivor_id: int, merged_id: int, reason: str = ""):
    """Merge a duplicate customer into the surviving one (supervisors and up).

    Phones, asset links (occupancies, accounts, products) and everything else that points at the
    merged customer move to the survivor; work orders move through the work-order service (one
    event per order); a MergeRecord keeps who, when, why, what moved and a snapshot of the merged
    customer; then the merged customer is deleted.
    """
    from django.db import IntegrityError

    from kefu.customers.models import Customer, CustomerAsset, CustomerPhone
    from kefu.exchange.models import MergeRecord
    from kefu.exchange.selectors import MERGE_ROLES
    from kefu.privacy.selectors import customers_for_actor
    from kefu.workorders.models import WorkOrder
    from kefu.workorders.services import work_orders_relink_customer

    actor = actor_for_user(actor_user)
    if actor is None or actor.role not in MERGE_ROLES:
        raise NotAllowed(pgettext("merge", "Only supervisors and above may merge customers."))
    if survivor_id == merged_id:
        raise field_error("merged", pgettext("merge", "Choose two different customers."))
    reason = (reason or "").strip()[:200]
    visible = set(customers_for_actor(actor=actor).filter(pk__in=[survivor_id, merged_id]).values_list("pk", flat=True))
    # Locked by primary key alone: the scope query may join (outer) tables FOR UPDATE cannot lock.
    found = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=visible)}
    if len(found) != 2:
        from kefu.core.errors import NotFound

        raise NotFound(pgettext("merge", "No such customer."))
    survivor, merged = found[survivor_id], found[merged_id]
    snapshot = _snapshot(merged)
    moved: dict[str, int] = {}

    have = set(survivor.phones.values_list("number", flat=True))
    phones = list(merged.phones.all())
    move = [p.pk for p in phones if p.number not in have]
    CustomerPhone.objects.filter(pk__in=move).update(customer=survivor, is_primary=False)
    CustomerPhone.objects.filter(customer=merged).delete()  # the numbers the survivor already has
    moved["phones"] = len(move)

    open_assets = set(survivor.asset_links.filter(ended_on=None).values_list("asset_id", flat=True))
    links = list(merged.asset_links.all())
    clash = [link.pk for link in links if link.ended_on is None and link.asset_id in open_assets]
    CustomerAsset.objects.filter(pk__in=clash).delete()  # the survivor already occupies / holds it
    moved["asset_links"] = CustomerAsset.objects.filter(customer=merged).update(customer=survivor)

    moved["work_orders"] = work_orders_relink_customer(from_customer=merged, to_customer=survivor,
                                                       actor_user=actor_user)
    handled = {CustomerPhone, CustomerAsset, WorkOrder, MergeRecord}
    for rel in Customer._meta.related_objects:
        if rel.related_model in handled or rel.many_to_many:
            continue
        manager = rel.related_model._base_manager  # type: ignore[union-attr]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
        try:
            with transaction.atomic():
                count = manager.filter(**{rel.field.name: merged}).update(**{rel.field.name: survivor})
        except IntegrityError:
            raise Conflict(pgettext("merge", "Both customers have a %(what)s that cannot be combined.") % {
                "what": rel.related_model._meta.verbose_name}) from None  # type: ignore[union-attr]  # an attribute the code sets on (or a model class it is given) the stubs cannot see
        if count:
            moved[rel.related_model._meta.label_lower] = count  # type: ignore[union-attr]  # an attribute the code sets on (or a model class it is given) the stubs cannot see

    record = MergeRecord.objects.create(survivor=survivor, merged_customer_id=merged.pk, merged_snapshot=snapshot,
                                        moved=moved, reason=reason, actor=actor_user, created_at=timezone.now())
    merged.delete()
    return record
