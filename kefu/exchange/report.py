"""The result report of an import as xlsx: a summary sheet and every rejected row with its reason,
in the language of whoever downloads it."""

import tempfile

from django.utils.translation import pgettext

from kefu.core.spreadsheet import append_row
from kefu.exchange.models import ImportJob
from kefu.exchange.rows import reason_text


def import_report_xlsx(job: ImportJob):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(pgettext("import", "Summary"))
    append_row(summary, [pgettext("import", "File"), job.original_name])
    append_row(summary, [pgettext("import", "Status"), job.get_status_display()])
    append_row(summary, [pgettext("import", "Rows"), job.total_rows])
    rows = job.counts.get("rows", {})
    append_row(summary, [pgettext("import", "Accepted rows"), rows.get("accepted", 0)])
    append_row(summary, [pgettext("import", "Rejected rows"), rows.get("rejected", 0)])
    append_row(summary, [])
    append_row(summary, ["", pgettext("import", "Created"), pgettext("import", "Updated"), pgettext("import", "Unchanged")])
    labels = {"customers": pgettext("import", "Customers"), "units": pgettext("import", "Units"),
              "accounts": pgettext("import", "Accounts"), "occupancies": pgettext("import", "Occupancies")}
    for key, label in labels.items():
        c = job.counts.get(key, {})
        append_row(summary, [label, c.get("created", 0), c.get("updated", 0), c.get("unchanged", 0)])
    errors = workbook.create_sheet(pgettext("import", "Rejected rows"))
    append_row(errors, [pgettext("import", "Row"), pgettext("import", "Column"), pgettext("import", "Value"),
                        pgettext("import", "Reason")])
    for e in job.row_errors.order_by("row", "id").iterator(chunk_size=2000):
        append_row(errors, [e.row, e.column, e.value, reason_text(e.code, e.params)])
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out
