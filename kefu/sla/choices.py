from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday (day off)")
    WORKDAY = "workday", _("Make-up workday (调休)")


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    DISPATCH = "dispatch", _("Dispatch")
    ARRIVAL = "arrival", _("On-site arrival")
    RESOLUTION = "resolution", _("Resolution")
    PROMISE = "promise", _("Promised time")
    CALLBACK = "callback", _("Callback")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


CLOCK_STATE_COLORS = {
    ClockState.RUNNING: "primary",
    ClockState.PAUSED: "secondary",
    ClockState.MET: "success",
    ClockState.BREACHED: "danger",
    ClockState.CANCELLED: "light",
}

# Policy target fields per clock kind (the promise clock takes its due time from the order).
TARGET_FIELDS = {
    ClockKind.FIRST_RESPONSE: "first_response",
    ClockKind.DISPATCH: "dispatch",
    ClockKind.ARRIVAL: "arrival",
    ClockKind.RESOLUTION: "resolution",
    ClockKind.CALLBACK: "callback",
}
