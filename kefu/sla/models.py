"""Work calendars and China's holiday table: what business time means for SLA clocks."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.sla.choices import HolidayKind


class WorkCalendar(models.Model):
    """Working hours per weekday (several intervals a day) in a time zone, optionally following
    China's statutory holidays and make-up workdays; or open 24×7. A team may have its own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    use_china_holidays = models.BooleanField(_("follow China's holidays and make-up workdays"), default=True)
    always_open = models.BooleanField(_("open 24×7"), default=False)
    # {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ..., "sun": []}; validated by the service.
    hours = models.JSONField(_("working hours"), default=dict)
    team = models.ForeignKey("org.Department", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="calendars")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name


class HolidayYear(models.Model):
    """A year whose holiday arrangement is known (seeded from official data or imported).

    Years without a row fall back to the weekly hours with a visible warning.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=100)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class Holiday(models.Model):
    """One day that differs from the weekly rhythm: a statutory day off or a make-up workday."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=HolidayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.kind} {self.name}"
