"""The printable 《维修工作单》 of a repair record: a one-page A4 PDF, always in Chinese (the sheet
technicians and customers know), the customer's phone masked for roles without the personal-data
permission, the customer's signature image when signed."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.core.masking import phone_for
from kefu.repairs.models import RepairRecord


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _person(user: Any) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return getattr(staff, "display_name", "") or user.get_username()


def _quote_state(record: RepairRecord) -> str:
    if not record.is_paid:
        return _("Free repair")
    if record.quote_amount is None:
        return _("not submitted")
    return str(record.work_order.get_plan_status_display())


def repair_sheet_pdf(*, record: RepairRecord, user: Any) -> bytes:
    """The sheet's PDF bytes (reportlab with the built-in Chinese CID font: nothing downloaded)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    order = record.work_order
    with translation.override("zh-hans"):
        styles = getSampleStyleSheet()
        for name in ("Title", "BodyText"):
            styles[name].fontName = "STSong-Light"
        styles["BodyText"].wordWrap = "CJK"

        def p(text: Any) -> Any:
            return Paragraph(escape("" if text is None else str(text)), styles["BodyText"])

        unit = order.asset.code if order.asset is not None else ""
        equipment = f"{record.equipment.code} {record.equipment.name}" if record.equipment is not None else ""
        appointment = (f"{_when(record.appointment_start)} – {timezone.localtime(record.appointment_end):%H:%M}"
                       if record.appointment_start and record.appointment_end else "")
        head = [
            [p(_("Order no.")), p(order.number), p(_("Received at")), p(_when(order.received_at))],
            [p(_("Contact")), p(order.contact_name), p(_("Phone")), p(phone_for(user, order.contact_phone))],
            [p(_("Unit / location")), p(unit), p(_("Equipment")), p(equipment)],
            [p(_("Appointment")), p(appointment), p(_("Technician")), p(_person(order.assignee))],
            [p(_("Reported")), p(f"{order.title}：{order.description}"), "", ""],
            [p(_("Fault found")), p(record.fault), "", ""],
            [p(_("Work done")), p(record.work_done), "", ""],
        ]
        grid = [("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP")]
        head_table = Table(head, colWidths=[25 * mm, 60 * mm, 25 * mm, 60 * mm])
        head_table.setStyle(TableStyle(grid + [("SPAN", (1, row), (3, row)) for row in (4, 5, 6)]))

        parts = [[p(_("Part / material")), p(_("Unit of measure")), p(_("Unit price (¥)")), p(_("Quantity")), p(_("Amount (¥)"))]]
        for part in record.parts.all():
            parts.append([p(part.name), p(part.unit), p(part.unit_price), p(part.quantity), p(part.amount)])
        parts.append([p(_("Parts and materials (¥)")), "", "", "", p(record.parts_total)])
        parts_table = Table(parts, colWidths=[70 * mm, 20 * mm, 27 * mm, 25 * mm, 28 * mm], repeatRows=1)
        parts_table.setStyle(TableStyle(grid + [("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))

        charge = [
            [p(_("Labour time (minutes)")), p(record.labour_minutes), p(_("Paid repair")),
             p(_("Yes") if record.is_paid else _("No"))],
            [p(_("Labour charge (¥)")), p(record.labour_charge), p(_("Total charge (¥)")), p(record.total)],
            [p(_("Quote (¥)")), p(record.quote_amount if record.quote_amount is not None else ""),
             p(_("Quote approval")), p(_quote_state(record))],
            [p(_("Charge collected (¥)")), p(record.charge_collected if record.charge_collected is not None else ""),
             p(_("Paid by")), p(record.get_payment_method_display() if record.payment_method else "")],
        ]
        charge_table = Table(charge, colWidths=[35 * mm, 50 * mm, 35 * mm, 50 * mm])
        charge_table.setStyle(TableStyle(grid))

        signature: Any = p("")
        if record.signature:
            with record.signature.open("rb") as handle:
                signature = Image(BytesIO(handle.read()), width=50 * mm, height=18 * mm, kind="proportional")
        satisfied = "" if record.satisfied is None else (_("Satisfied with the work") if record.satisfied else _("Not satisfied with the work"))
        sign_table = Table([[p(_("Customer signature")), signature, p(_("Signed at")), p(_when(record.signed_at))],
                            [p(_("Signed by (customer)")), p(record.signer_name), p(_("Customer's opinion")),
                             p(satisfied)]],
                           colWidths=[30 * mm, 55 * mm, 30 * mm, 55 * mm])
        sign_table.setStyle(TableStyle(grid + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))

        story = [Paragraph(_("Repair work sheet"), styles["Title"]), head_table, Spacer(1, 4 * mm), parts_table,
                 Spacer(1, 4 * mm), charge_table, Spacer(1, 4 * mm), sign_table]
        buffer = BytesIO()
        SimpleDocTemplate(buffer, pagesize=A4, title=_("Repair work sheet"), leftMargin=18 * mm,
                          rightMargin=18 * mm, topMargin=15 * mm, bottomMargin=15 * mm).build(story)
        return buffer.getvalue()
