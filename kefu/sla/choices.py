from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday (day off)")
    WORKDAY = "workday", _("Make-up workday (调休)")
