from django.db import models
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", pgettext_lazy("import", "Uploaded: map the columns")
    CHECKING = "checking", pgettext_lazy("import", "Dry run in progress")
    CHECKED = "checked", pgettext_lazy("import", "Dry run done")
    IMPORTING = "importing", pgettext_lazy("import", "Import in progress")
    DONE = "done", pgettext_lazy("import", "Imported")
    FAILED = "failed", pgettext_lazy("import", "Failed")


RUNNING = {JobStatus.CHECKING, JobStatus.IMPORTING}


class Outcome(models.TextChoices):
    """What a row did (or would do, in a dry run)."""

    CREATED = "created", pgettext_lazy("import", "Created")
    UPDATED = "updated", pgettext_lazy("import", "Updated")
    UNCHANGED = "unchanged", pgettext_lazy("import", "Unchanged")
    REJECTED = "rejected", pgettext_lazy("import", "Rejected")
