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


# chinese-calendar's English holiday names → the names of the State Council notices: the holiday
# table is kept in Chinese (imports giving the English names are translated; migration 0012).
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
