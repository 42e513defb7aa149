"""Stable values of the front desk's registers; labels and badge colours live here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PassStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    USED = "used", _("Exit recorded")
    CANCELLED = "cancelled", _("Cancelled")


PASS_STATUS_COLORS = {
    PassStatus.REQUESTED: "warning",
    PassStatus.APPROVED: "primary",
    PassStatus.USED: "success",
    PassStatus.CANCELLED: "secondary",
}


class PassAction(models.TextChoices):
    """Everything that can happen to a release pass; one event row per occurrence."""

    CREATE = "create", _("Requested")
    APPROVE = "approve", _("Approve")
    SCAN = "scan", _("Record exit")
    CANCEL = "cancel", _("Cancel")


class FeeBasis(models.TextChoices):
    """How a fee item's monthly amount follows from its rate."""

    AREA = "area", _("Per m² of the unit")
    FIXED = "fixed", _("Fixed per unit")


class BillSource(models.TextChoices):
    GENERATED = "generated", _("Generated from the rate")
    MANUAL = "manual", _("Entered at the desk")
    IMPORT = "import", _("Imported from finance")


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")


class AgeBucket(models.TextChoices):
    """Days past the oldest unpaid due date."""

    D0_30 = "0-30", _("0–30 days")
    D31_90 = "31-90", _("31–90 days")
    D91_180 = "91-180", _("91–180 days")
    D180_PLUS = "180+", _("over 180 days")


def age_bucket(days: int) -> str:
    if days <= 30:
        return AgeBucket.D0_30
    if days <= 90:
        return AgeBucket.D31_90
    if days <= 180:
        return AgeBucket.D91_180
    return AgeBucket.D180_PLUS


class VisitorKind(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    CONTRACTOR = "contractor", _("Contractor")


class VisitStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    ARRIVED = "arrived", _("On the premises")
    DEPARTED = "departed", _("Left")
    CANCELLED = "cancelled", _("Cancelled")


class VisitAction(models.TextChoices):
    CREATE = "create", _("Registered")
    ARRIVE = "arrive", _("Arrived")
    DEPART = "depart", _("Left")
    CANCEL = "cancel", _("Cancel")


class KeyKind(models.TextChoices):
    UNIT = "unit", _("Unit key")
    PLANT_ROOM = "plant_room", _("Plant room key")
    OTHER = "other", _("Other key")


class LoanStatus(models.TextChoices):
    OUT = "out", _("On loan")
    RETURNED = "returned", _("Returned")


class LoanAction(models.TextChoices):
    CREATE = "create", _("Lent")
    RETURN = "return", _("Return")


class ParcelStatus(models.TextChoices):
    RECEIVED = "received", _("At the desk")
    DELIVERED = "delivered", _("Delivered")
    COLLECTED = "collected", _("Collected")


class ParcelAction(models.TextChoices):
    CREATE = "create", _("Signed for")
    DELIVER = "deliver", _("Deliver")
    COLLECT = "collect", _("Collect")


REGISTER_STATUS_COLORS = {
    "expected": "warning", "arrived": "primary", "departed": "success", "cancelled": "secondary",
    "out": "warning", "returned": "success", "received": "warning", "delivered": "success", "collected": "success",
}


class RenovationStatus(models.TextChoices):
    """Where a renovation permit (装修许可) stands."""

    APPLIED = "applied", _("Applied")
    REVIEWED = "reviewed", _("Drawings reviewed, deposit due")
    PERMITTED = "permitted", _("Permit issued, works on")
    RECTIFYING = "rectifying", _("Rectification ordered")
    ACCEPTED = "accepted", _("Accepted, refund due")
    REFUNDED = "refunded", _("Deposit refunded")
    REJECTED = "rejected", pgettext_lazy("renovation", "Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class RenovationAction(models.TextChoices):
    CREATE = "create", _("Applied")
    REVIEW = "review", _("Review drawings")
    REJECT = "reject", _("Reject")
    PAY = "pay", _("Deposit and fees paid")
    INSPECT = "inspect", _("Site check passed")
    ORDER = "order", _("Order rectification")
    RECTIFIED = "rectified", _("Rectified")
    ACCEPT = "accept", _("Acceptance inspection passed")
    REFUND = "refund", _("Refund deposit")
    CANCEL = "cancel", _("Cancel")


# The document and drawing review's checklist: every point must be ticked to pass.
RENOVATION_CHECKLIST = (
    ("structure", _("Structure (no load-bearing wall touched)")),
    ("fire", _("Fire safety")),
    ("waterproofing", _("Waterproofing")),
)

REGISTER_STATUS_COLORS.update({
    "applied": "warning", "reviewed": "info", "permitted": "primary", "rectifying": "danger", "accepted": "info",
    "refunded": "success", "rejected": "secondary",
})


class DunningStatus(models.TextChoices):
    """Where the chase of one unit's arrears (催缴) stands."""

    OPEN = "open", _("To chase")
    PROMISED = "promised", _("Promised to pay")
    ESCALATED = "escalated", _("Escalated to the manager")
    CLOSED = "closed", pgettext_lazy("dunning", "Closed")


class DunningMethod(models.TextChoices):
    SMS = "sms", _("SMS reminder")
    CALL = "call", _("Phone call")
    LETTER = "letter", _("Reminder letter")
    VISIT = "visit", _("Home visit")


class DunningAction(models.TextChoices):
    CREATE = "create", _("Task created")
    ATTEMPT = "attempt", pgettext_lazy("dunning", "Record an attempt")
    PROMISE = "promise", _("Promise to pay")
    ESCALATE = "escalate", _("Escalate")
    CLOSE = "close", _("Close")


# The ladder: the older the arrears, the stronger the first step (levels 1–4); from level 4 the
# task goes to the manager at once. (days past the oldest unpaid due date up to, level, method)
DUNNING_LADDER = ((30, 1, DunningMethod.SMS), (90, 2, DunningMethod.CALL), (180, 3, DunningMethod.LETTER),
                  (None, 4, DunningMethod.VISIT))

REGISTER_STATUS_COLORS.update({"open": "warning", "promised": "info", "escalated": "danger", "closed": "success"})


class LendKind(models.TextChoices):
    """What the desk lends to occupants."""

    UMBRELLA = "umbrella", _("Umbrella")
    CART = "cart", _("Cart")
    TOOL = "tool", _("Tool")
    OTHER = "other", _("Other item")


class ViolationKind(models.TextChoices):
    """Occupants' duties broken (装修违规, 搬家损坏, 噪音…)."""

    MOVING_DAMAGE = "moving_damage", _("Damage while moving")
    RENOVATION = "renovation", _("Illegal renovation")
    NOISE = "noise", _("Noise")
    OTHER = "other", _("Other")


class ViolationStatus(models.TextChoices):
    OPEN = "open", _("Rectification due")
    RECTIFIED = "rectified", _("Rectified")
    CANCELLED = "cancelled", _("Cancelled")


class ViolationAction(models.TextChoices):
    CREATE = "create", _("Recorded")
    RECTIFIED = "rectified", _("Rectified")
    CANCEL = "cancel", _("Cancel")


# A unit with this many violations in a year is a repeat offender (shown on the register).
REPEAT_OFFENDER_COUNT = 2
REGISTER_STATUS_COLORS.update({"rectified": "success"})
