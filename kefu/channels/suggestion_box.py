"""The suggestion box (意见箱): daily rounds on business days, opened at 15:00, at the center by
15:30, handled by 17:30 (per box: `config.open_at`, `at_center_by`, `handled_by`, `calendar` =
a WorkCalendar id; default the first calendar that follows China's holidays). Each item logged
from a round becomes a work order of channel `suggestion_box` through `work_order_create`, with
`received_at` backfilled to when the box was opened."""

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.channels.choices import AccountKind
from kefu.channels.models import ChannelAccount, SuggestionRound
from kefu.core.errors import Conflict, field_error
from kefu.sla.models import WorkCalendar
from kefu.sla.selectors import calendar_spec
from kefu.workorders.choices import Channel
from kefu.workorders.services import work_order_create

DEFAULTS = {"open_at": "15:00", "at_center_by": "15:30", "handled_by": "17:30"}
STEPS = {"open": "opened_at", "at_center": "at_center_at", "handled": "handled_at"}


def _clock(account: ChannelAccount, key: str) -> time:
    value = account.config_value(key, DEFAULTS[key])
    try:
        hours, minutes = (int(x) for x in str(value).split(":"))
        return time(hours, minutes)
    except ValueError:
        hours, minutes = (int(x) for x in DEFAULTS[key].split(":"))
        return time(hours, minutes)


def _calendar(account: ChannelAccount) -> WorkCalendar | None:
    pk = account.config_value("calendar")
    if pk:
        return WorkCalendar.objects.filter(pk=pk).first()
    return WorkCalendar.objects.filter(use_china_holidays=True, always_open=False).order_by("id").first()


def is_business_day(account: ChannelAccount, day: date) -> bool:
    calendar = _calendar(account)
    if calendar is None:
        return day.weekday() < 5
    intervals, _missing = calendar_spec(calendar=calendar).day(day)
    return bool(intervals)


def deadlines(account: ChannelAccount, day: date) -> tuple[datetime, datetime, datetime]:
    tz = timezone.get_current_timezone()
    return tuple(datetime.combine(day, _clock(account, key), tz)  # type: ignore[return-value]
                 for key in ("open_at", "at_center_by", "handled_by"))


def rounds_ensure(*, day: date) -> list[SuggestionRound]:
    """The day's round of every active suggestion box, if `day` is a business day (idempotent)."""
    made = []
    for account in ChannelAccount.objects.filter(kind=AccountKind.SUGGESTION_BOX, is_paused=False):
        if not is_business_day(account, day):
            continue
        open_due, at_center_due, handled_due = deadlines(account, day)
        try:
            with transaction.atomic():
                made.append(SuggestionRound.objects.create(account=account, business_day=day, open_due=open_due,
                                                           at_center_due=at_center_due, handled_due=handled_due))
        except IntegrityError:
            made.append(SuggestionRound.objects.get(account=account, business_day=day))
    return made


@transaction.atomic
def round_record(*, round: SuggestionRound, step: str, at: datetime | None = None,
                 expected_version: int | None = None) -> SuggestionRound:
    """Record when the box was opened, reached the center, or its items were handled (once each,
    in that order)."""
    if step not in STEPS:
        raise field_error("step", _("Unknown step."))
    at = at or timezone.now()
    field = STEPS[step]
    order = list(STEPS.values())
    earlier = order[: order.index(field)]
    current = SuggestionRound.objects.select_for_update().get(pk=round.pk)
    if getattr(current, field) is not None or any(getattr(current, f) is None for f in earlier):
        raise Conflict(_("This step of the round is already recorded or comes later."), code="invalid_transition")
    if expected_version is not None and expected_version != current.version:
        raise Conflict(_("Someone changed this round meanwhile; reload and try again."), code="concurrent_change")
    SuggestionRound.objects.filter(pk=current.pk).update(**{field: at}, version=F("version") + 1)
    current.refresh_from_db()
    return current


@transaction.atomic
def round_log_item(*, round: SuggestionRound, actor_user, type: str, category, title: str, description: str,
                   customer=None, contact_name: str = "", contact_phone: str = ""):
    """One slip from the box → a work order of channel suggestion_box, received when the box was opened."""
    if round.opened_at is None:
        raise Conflict(_("Open the box before logging its items."), code="invalid_transition")
    order = work_order_create(actor_user=actor_user, type=type, channel=Channel.SUGGESTION_BOX, category=category,
                              title=title, description=description, customer=customer,
                              contact_name=contact_name, contact_phone=contact_phone, received_at=round.opened_at)
    SuggestionRound.objects.filter(pk=round.pk).update(items=F("items") + 1)
    return order


def round_figures(*, rounds, now) -> dict:
    """Rounds due, opened, on time, missed; on-time rate = on time ÷ rounds whose handled deadline passed."""
    rows = list(rounds)
    due = [r for r in rows if now > r.handled_due]
    on_time = sum(1 for r in due if r.on_time())
    return {"rounds": len(rows), "due": len(due), "on_time": on_time, "missed": sum(1 for r in due if r.missed(now)),
            "on_time_rate": round(100 * on_time / len(due), 1) if due else None}
