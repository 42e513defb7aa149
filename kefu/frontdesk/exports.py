"""The arrears list as xlsx: the same rows and ageing as the page (one selector), text cells never
written as formulas."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from kefu.frontdesk import selectors
from kefu.org.selectors import Actor

MAX_ROWS = 100_000


def _append(sheet: Any, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
            cell.data_type = "s"  # shown as text, never evaluated


def arrears_xlsx(*, actor: Actor | None, site_id: Any = None, today: date | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Arrears")[:31]
    _append(sheet, [_("Unit"), _("Balance"), _("Oldest unpaid due date"), _("Days"), _("Arrears age")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    balances = list(selectors.arrears_queryset(actor=actor, site_id=site_id, today=today)[:MAX_ROWS])
    for row in selectors.arrears_rows(balances, today=today):
        _append(sheet, [row.unit_code, row.balance, row.oldest_due_date, row.age_days, row.age_bucket])
    ageing = workbook.create_sheet(_("Ageing")[:31])
    _append(ageing, [_("Arrears age"), _("units"), _("Balance")])
    for bucket in selectors.ageing(actor=actor, site_id=site_id, today=today):
        _append(ageing, [str(bucket["label"]), bucket["units"], bucket["amount"]])
    for column, width in zip("ABCDE", (24, 14, 18, 8, 14), strict=False):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
