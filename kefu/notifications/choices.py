from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEvent(models.TextChoices):
    """The work-order events that reach someone beyond the app (email, SMS, WeChat) when the
    recipient asks for them (`NotificationPreference.email_actions`).

    Values are work-order actions; only actions that notify anyone are offered, so nobody ticks a
    box that can never send anything. Labels say whose orders, because that decides who hears.
    """

    ESCALATE = "escalate", _("SLA warnings and escalations")
    DISPATCH = "dispatch", _("Work dispatched to me or my team")
    SUBMIT_PLAN = "submit_plan", _("Handling plans waiting for my approval")
    APPROVE_PLAN = "approve_plan", _("A handling plan is approved")
    REJECT_PLAN = "reject_plan", _("A handling plan is rejected")
    RESOLVE = "resolve", _("An order I received or work on is resolved")
    REOPEN = "reopen", _("An order I received or work on is reopened")
    HOLD = "hold", _("An order I received or work on is put on hold")
    CANCEL = "cancel", _("An order I received or work on is cancelled")
    COMMENT = "comment", _("A comment on an order I received or work on")
