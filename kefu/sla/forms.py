"""The calendar editor's form: working hours as days × time ranges (time inputs), never raw JSON.

The widget shows each weekday with up to SLOTS ranges; empty ranges are ignored. The field
validates each day (both ends given, a time of day, end after start, no overlap) and names the day
in the user's language; it yields the `{"mon": [["09:00", "12:00"], ...], ...}` that
`WorkCalendar.hours` keeps (`kefu.sla.business_time.parse_hours`/`format_hours`).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kefu.sla import business_time
from kefu.sla.business_time import WEEKDAYS
from kefu.sla.models import WorkCalendar

# Ranges offered per day: a center splits its day at lunch, sometimes an evening shift (3); the
# fourth is spare. A stored day with more ranges keeps them all (the widget grows to fit).
SLOTS = 4
DAY_LABELS = {"mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
              "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday")}


def _minutes(text: str) -> int | None:
    """"HH:MM" (or "24:00", the end of the day) → minutes; None when not a time of day."""
    try:
        hh, mm = text.split(":")[:2]
        h, m = int(hh), int(mm)
    except ValueError:
        return None
    if (h, m) == (24, 0):
        return 1440
    return h * 60 + m if 0 <= h < 24 and 0 <= m < 60 else None


class WorkingHoursWidget(forms.Widget):
    """A table: one row per weekday, per range a start and an end `<input type="time">` (a text input for "24:00", which a time input cannot hold).

    Posted as `<name>_<day>_<n>_start` / `_end`; the value handed to the field is
    {day: [[start, end], ...]} with the raw strings (blank ranges included, the field drops them).
    """

    template_name = "sla/widgets/working_hours.html"

    class Media:
        css = {"all": ["css/sla-hours.css"]}

    def format_value(self, value):
        return value if isinstance(value, dict) else {}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        hours = self.format_value(value)
        slots = max([SLOTS, *(len(hours.get(day) or []) for day in WEEKDAYS)])
        rows = []
        for day in WEEKDAYS:
            ranges = [list(pair) + ["", ""][len(pair):] if isinstance(pair, list | tuple) else ["", ""]
                      for pair in (hours.get(day) or [])]
            ranges += [["", ""]] * (slots - len(ranges))
            rows.append({"day": day, "label": DAY_LABELS[day],
                         "ranges": [{"n": n, "start": s, "end": e, "prefix": f"{name}_{day}_{n}"}
                                    for n, (s, e) in enumerate(ranges)]})
        context["widget"].update({"rows": rows, "slots": range(1, slots + 1)})
        return context

    def value_from_datadict(self, data, files, name):
        hours = {}
        for day in WEEKDAYS:
            ranges = []
            n = 0
            while f"{name}_{day}_{n}_start" in data or f"{name}_{day}_{n}_end" in data:
                ranges.append([str(data.get(f"{name}_{day}_{n}_start", "")).strip(),
                               str(data.get(f"{name}_{day}_{n}_end", "")).strip()])
                n += 1
                if n > 24:  # a bound on what a post may make us read
                    break
            hours[day] = ranges
        return hours

    def value_omitted_from_data(self, data, files, name):
        return not any(key.startswith(f"{name}_") for key in data)

    def id_for_label(self, id_):
        return f"{id_}_mon_0_start" if id_ else id_


class WorkingHoursField(forms.Field):
    """Validates the days × ranges, naming the day and the range in the user's language."""

    widget = WorkingHoursWidget

    def to_python(self, value):
        return value if isinstance(value, dict) else {}

    def validate(self, value):
        pass  # an empty week is checked against "open 24×7" by the form

    def clean(self, value):
        value = self.to_python(value)
        errors, hours = [], {}
        for day in WEEKDAYS:
            label = DAY_LABELS[day]
            kept = []
            for start, end in value.get(day) or []:
                if not start and not end:
                    continue
                if not start or not end:
                    errors.append(ValidationError(_("%(day)s: give both the start and the end of each range."),
                                                  params={"day": label}))
                    continue
                s, e = _minutes(start), _minutes(end)
                if s is None or e is None:
                    errors.append(ValidationError(_("%(day)s: “%(value)s” is not a time of day."),
                                                  params={"day": label, "value": start if s is None else end}))
                    continue
                if e <= s:
                    errors.append(ValidationError(_("%(day)s: %(start)s–%(end)s ends before it starts."),
                                                  params={"day": label, "start": start, "end": end}))
                    continue
                kept.append((s, e, start, end))
            kept.sort()
            for (_s1, e1, a1, b1), (s2, _e2, a2, b2) in zip(kept, kept[1:], strict=False):
                if s2 < e1:
                    errors.append(ValidationError(_("%(day)s: %(first)s and %(second)s overlap."),
                                                  params={"day": label, "first": f"{a1}–{b1}",
                                                          "second": f"{a2}–{b2}"}))
            hours[day] = [[a, b] for _s, _e, a, b in kept]
        if errors:
            raise ValidationError(errors)
        # The stored shape, normalised ("9:00" → "09:00") by the same code the clocks read it with.
        return business_time.format_hours(business_time.parse_hours(hours))


class WorkCalendarForm(forms.ModelForm):
    """The calendar editor (admin): name, time zone, holidays, 24×7, team, and the working hours."""

    hours = WorkingHoursField(label=_("working hours"), required=False,
                              help_text=_("Up to four ranges a day, e.g. 09:00–12:00 and 13:00–18:00; "
                                          "leave a day empty when it is off. With China's holidays on, a "
                                          "make-up workday takes Monday–Friday's first hours."))

    class Meta:
        model = WorkCalendar
        fields = ["name", "timezone", "use_china_holidays", "always_open", "team", "hours"]

    def clean_timezone(self):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = (self.cleaned_data.get("timezone") or "").strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_("Unknown time zone."), code="timezone") from None
        return value

    def clean(self):
        cleaned = super().clean()
        hours = cleaned.get("hours")
        if hours is not None and not cleaned.get("always_open") and not any(hours.values()):
            self.add_error("hours", _("A calendar needs working hours on at least one day."))
        return cleaned
