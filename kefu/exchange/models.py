"""Spreadsheet imports (jobs, their rejected rows) and customer merges."""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from kefu.exchange.choices import JobStatus


def upload_path(instance, filename):
    return f"exchange/imports/{instance.created_at:%Y%m}/{filename}"


class ImportJob(models.Model):
    """One uploaded customer file (xlsx/CSV) through mapping, dry run and import.

    Owns the file, the column mapping, the progress the page polls and the counts of the last run
    (a dry run or the import itself). Rejected rows are `ImportRowError`s.
    """

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(pgettext_lazy("import", "uploaded at"))
    file = models.FileField(upload_to=upload_path)
    original_name = models.CharField(pgettext_lazy("import", "file name"), max_length=200)
    headers = models.JSONField(default=list, blank=True)
    # {column index (str): target field}; unmapped columns are ignored.
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(pgettext_lazy("import", "status"), max_length=12, choices=JobStatus.choices,
                              default=JobStatus.UPLOADED)
    skip_rejected = models.BooleanField(pgettext_lazy("import", "import valid rows, skip rejected ones"),
                                        default=False)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # {"customers": {"created": n, "updated": n, "unchanged": n}, "units": …, "links": …, "rows": {…}}
    counts = models.JSONField(default=dict, blank=True)
    rejected_rows = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("import", "import job")
        verbose_name_plural = pgettext_lazy("import", "import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.pk} {self.original_name} {self.status}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.processed_rows / self.total_rows))


class ImportRowError(models.Model):
    """Why one row (row number as in the spreadsheet) was rejected: the column, the value and a
    reason code with parameters, translated when shown so each reader sees their language."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=32)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="exchange_rowerr_job_idx")]

    def __str__(self):
        return f"{self.job_id}:{self.row} {self.code}"


class MergeRecord(models.Model):
    """A merge of a duplicate customer into a surviving one: who, when, why, what moved, and a
    snapshot of the merged customer as it was (PIPL: shown masked like any personal data)."""

    survivor = models.ForeignKey("customers.Customer", verbose_name=pgettext_lazy("merge", "kept customer"),
                                 null=True, on_delete=models.SET_NULL, related_name="merge_records")
    merged_customer_id = models.PositiveBigIntegerField(pgettext_lazy("merge", "merged customer id"))
    merged_snapshot = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    reason = models.CharField(pgettext_lazy("merge", "reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = pgettext_lazy("merge", "customer merge")
        verbose_name_plural = pgettext_lazy("merge", "customer merges")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.merged_customer_id} → {self.survivor_id}"
