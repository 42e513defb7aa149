"""Every write of the callbacks app: callback tasks from resolutions, samples, low ratings and
surveys; attempts and their consequences; sampling draws; rating links and ratings.

The work order itself changes only through `workorders.services.work_order_transition`: a
dissatisfied or "not solved" callback reopens the order through it (with the callback as reason),
and a satisfied one closes it when the rule says so. See docs/callbacks.md.
"""

import hashlib
import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.callbacks import sampling
from kefu.callbacks.choices import (
    NEGATIVE_OUTCOMES,
    POSITIVE_OUTCOMES,
    CallbackStatus,
    Method,
    NotReachedReason,
    Outcome,
    RuleMode,
    Source,
)
from kefu.callbacks.models import Callback, CallbackAttempt, CallbackRule, RatingLink, SamplingRun
from kefu.callbacks.selectors import active_rules, callbacks_setting, callbacks_worked, rule_for
from kefu.core.errors import Conflict, NotAllowed, NotFound, field_error, required_field
from kefu.core.signatures import PNG_MAGIC
from kefu.core.signatures import signature_png as core_signature_png
from kefu.org.choices import DepartmentKind, RoleCode
from kefu.org.selectors import Actor, actor_for_user
from kefu.sla.choices import ClockKind
from kefu.sla.clocks import callback_clock_stop
from kefu.sla.models import SlaClock
from kefu.sla.selectors import calendar_due, policy_for
from kefu.workorders import workflow
from kefu.workorders.choices import Action, Status
from kefu.workorders.hooks import work_order_record_event, work_order_record_events
from kefu.workorders.models import WorkOrder, WorkOrderEvent

# Who calls customers back: the intake roles, QA (samples callbacks) and clerks. Technicians and
# vendors did the work and do not judge it.
CALLBACK_ROLES = workflow.INTAKE_ROLES | {RoleCode.QA, RoleCode.CLERK}
# Without a policy target (follow-ups of surveys, orders without an SLA policy): one day.
DEFAULT_DUE_MINUTES = 24 * 60
MAX_COMMENT = 2000
MAX_NEXT_ATTEMPT = timedelta(days=30)


def _callback_actor(user) -> Actor:
    actor = actor_for_user(user)
    if actor is None:
        raise NotAllowed(_("Only active staff may do this."))
    if actor.role not in CALLBACK_ROLES:
        raise NotAllowed(_("Your role may not record callbacks."), code="role_not_allowed")
    return actor


# --- rules and creation ---------------------------------------------------------------------------

def _due_at(order, now):
    """When a callback on `order` is due: the running callback clock's due time (started by the
    SLA hook on resolve), else the order's policy target counted from now, else one day."""
    clock = SlaClock.objects.filter(work_order=order, kind=ClockKind.CALLBACK, stopped_at=None).first()
    if clock is not None:
        return clock.due_at
    policy = policy_for(order=order)
    if policy is not None and policy.callback_minutes:
        if policy.callback_business:
            due, _warnings = calendar_due(calendar=policy.calendar, start=now, minutes=policy.callback_minutes)
            return due
        return now + timedelta(minutes=policy.callback_minutes)
    return now + timedelta(minutes=DEFAULT_DUE_MINUTES)


def _assignment(rule: CallbackRule | None, order) -> tuple:
    """(team, assignee): the rule's callback team, else the first-contact owner (首接责任制: the
    owner follows the order up until it is closed), in their intake team."""
    if rule is not None and rule.callback_team_id:
        return rule.callback_team, None
    owner = order.first_contact_owner
    staff = getattr(owner, "staff", None)
    active = owner.is_active and staff is not None and staff.is_active
    team = order.intake_department if order.intake_department_id and \
        order.intake_department.kind == DepartmentKind.TEAM else None
    return team, owner if active else None


def callback_create_for_order(*, order, source: str, now, rule: CallbackRule | None = None, reason: str = "",
                      reference: str = "", run: SamplingRun | None = None,
                      on_site_required: bool = False) -> Callback:
    """A callback task on `order`, unless one is already open (then that one is returned: one
    call covers every reason to call)."""
    existing = Callback.objects.filter(work_order=order, status=CallbackStatus.OPEN).first()
    if existing is not None:
        return existing
    team, assignee = _assignment(rule, order)
    return Callback.objects.create(
        work_order=order, customer_id=order.customer_id, source=source, reference=reference, reason=reason,
        rule=rule, sampling_run=run, on_site_required=on_site_required, due_at=_due_at(order, now),
        team=team, assignee=assignee, max_attempts=rule.max_attempts if rule else 3,
        auto_close=rule.auto_close if rule else False, created_at=now)


@transaction.atomic
def callback_create_follow_up(*, customer, reason: str, source: str, reference: str, team=None,
                              assignee=None, due_at=None) -> Callback:
    """A callback task about a customer, not tied to a work order (a dissatisfied survey answer).

    Idempotent on (source, reference): asking again returns the task made the first time.
    """
    if source not in Source.values:
        raise field_error("source", _("“%(value)s” is not a valid choice for %(field)s.") % {
            "value": source, "field": "source"})
    reference = (reference or "").strip()[:100]
    if not reference:
        raise required_field("reference")
    if customer is None:
        raise required_field("customer")
    existing = Callback.objects.filter(source=source, reference=reference).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            return Callback.objects.create(
                customer=customer, source=source, reference=reference, reason=(reason or "").strip(), team=team,
                assignee=assignee, due_at=due_at or now + timedelta(minutes=DEFAULT_DUE_MINUTES), created_at=now)
    except IntegrityError:
        # The same follow-up asked for twice at once: the other request made it.
        return Callback.objects.get(source=source, reference=reference)


# --- attempts ---------------------------------------------------------------------------------------

def _clean_choice(field: str, value, choices) -> str:
    if value not in choices.values:
        raise field_error(field, _("“%(value)s” is not a valid choice for %(field)s.") % {
            "value": value, "field": field})
    return value


def _clean_bool(field: str, value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    raise field_error(field, _("%(field)s must be true or false.") % {"field": field})


def signature_png(data_url: str) -> bytes:
    """The PNG bytes of a canvas data URL (the check is the kernel's, shared with the resolve form)."""
    return core_signature_png(data_url)


def _photo(upload) -> tuple[object, str]:
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise field_error("photo", _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
                           "file_too_large")
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        content_type, extension = "image/jpeg", ".jpg"
    elif head.startswith(PNG_MAGIC):
        content_type, extension = "image/png", ".png"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        content_type, extension = "image/webp", ".webp"
    else:
        raise field_error("photo", _("Only photos (JPEG, PNG, WebP) are accepted."), "unsupported_file_type")
    upload.name = f"photo-{uuid.uuid4().hex}{extension}"
    return upload, content_type


@transaction.atomic
def callback_attempt_record(*, callback: Callback | int, actor_user, method: str, reached, outcome: str = "",
                            solved=None, comment: str = "", signature: str = "", photo=None,
                            attempted_at=None, not_reached_reason: str = "",
                            next_attempt_at=None) -> CallbackAttempt:
    """Record one attempt at reaching the customer, and what follows from it.

    Reached: `outcome` and `solved` are required; the callback is completed and the order's
    callback clock stopped. Dissatisfied or not solved → the order is reopened through the gate
    with the callback as reason (first-contact owner and supervisor are notified by the reopen
    event); if the recorder's role may not reopen, the callback is flagged and the supervisor is
    told instead. Satisfied and solved → the order is closed when the rule says so (auto-close).
    Not reached: after `max_attempts` attempts the callback ends as unreachable; until then the
    attempt may say why (`not_reached_reason`: no answer, busy, wrong number, switched off) and
    when to try again (`next_attempt_at`, within 30 days; the workbench skips it until then).
    On-site attempts that reach the customer need the customer's signature (a canvas PNG).
    Nothing is written unless everything passes.
    """
    actor = _callback_actor(actor_user)
    from kefu.callbacks.selectors import callback_visibility_q

    pk = callback.pk if isinstance(callback, Callback) else callback
    rows = Callback.objects.filter(callback_visibility_q(actor), pk=pk)
    # Lock order (ADR 0002): the work order's row before the callback's, as the gate does (its
    # callbacks hook writes this callback on a reopen), so the two never wait on each other.
    _lock_orders(rows.values_list("work_order_id", flat=True))
    if connection.features.has_select_for_update_of:
        # Two people recording at once: the second waits and then sees the first one's result.
        rows = rows.select_for_update(of=("self",))
    task = rows.first()
    if task is None:
        raise NotFound(_("Callback not found."))
    if task.status != CallbackStatus.OPEN:
        raise Conflict(_("This callback is already %(status)s.") % {
            "status": CallbackStatus(task.status).label}, code="callback_closed")

    now = timezone.now()
    _clean_choice("method", method, Method)
    reached = _clean_bool("reached", reached)
    if reached is None:
        raise required_field("reached")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise field_error("comment", _("Keep the comment under %(n)s characters.") % {"n": MAX_COMMENT})
    if attempted_at is None:
        attempted_at = now
    else:
        if timezone.is_naive(attempted_at):
            attempted_at = timezone.make_aware(attempted_at)
        if attempted_at > now + timedelta(seconds=60):
            raise field_error("attempted_at", _("%(field)s cannot be in the future.") % {"field": "attempted_at"})
        attempted_at = min(attempted_at, now)
    solved = _clean_bool("solved", solved)
    if reached:
        if not outcome:
            raise required_field("outcome")
        _clean_choice("outcome", outcome, Outcome)
        if solved is None:
            raise required_field("solved")
        if task.on_site_required and method != Method.ON_SITE:
            raise field_error("method", _("This callback must be done on site with the customer's signature."))
    else:
        if outcome or solved is not None:
            field = "outcome" if outcome else "solved"
            raise field_error(field, _("%(field)s is only recorded when the customer was reached.") % {
                "field": field})
        outcome = ""
    if not_reached_reason:
        if reached:
            raise field_error("not_reached_reason", _("%(field)s is only recorded when the customer was not reached.")
                              % {"field": "not_reached_reason"})
        _clean_choice("not_reached_reason", not_reached_reason, NotReachedReason)
    if next_attempt_at is not None:
        if reached:
            raise field_error("next_attempt_at", _("%(field)s is only recorded when the customer was not reached.")
                              % {"field": "next_attempt_at"})
        if timezone.is_naive(next_attempt_at):
            next_attempt_at = timezone.make_aware(next_attempt_at)
        if not now < next_attempt_at <= now + MAX_NEXT_ATTEMPT:
            raise field_error("next_attempt_at", _("The next attempt must be in the future, within 30 days."))
    png = None
    if signature:
        png = signature_png(signature)
    elif reached and method == Method.ON_SITE:
        raise field_error("signature", _("An on-site callback needs the customer's signature."), "required")
    photo_type = ""
    if photo is not None:
        photo, photo_type = _photo(photo)

    attempt = CallbackAttempt(callback=task, method=method, attempted_at=attempted_at, reached=reached,
                              outcome=outcome, solved=solved, comment=comment, recorded_by=actor_user,
                              created_at=now, photo_content_type=photo_type,
                              not_reached_reason=not_reached_reason or "", next_attempt_at=next_attempt_at)
    if png is not None:
        attempt.signature.save(f"signature-{uuid.uuid4().hex}.png", ContentFile(png), save=False)
    if photo is not None:
        attempt.photo.save(photo.name, photo, save=False)
    attempt.save()

    task.attempts_count += 1
    fields = ["attempts_count", "next_attempt_at"]
    task.next_attempt_at = next_attempt_at
    if reached:
        task.status, task.outcome, task.solved, task.comment = CallbackStatus.COMPLETED, outcome, solved, comment
        fields += ["status", "outcome", "solved", "comment"]
    elif task.attempts_count >= task.max_attempts:
        task.status, task.next_attempt_at = CallbackStatus.UNREACHABLE, None
        fields.append("status")
    if task.status != CallbackStatus.OPEN:
        task.completed_at, task.completed_by = now, actor_user
        fields += ["completed_at", "completed_by"]
    task.save(update_fields=fields)

    if task.status != CallbackStatus.OPEN and task.work_order_id:
        order = WorkOrder.objects.get(pk=task.work_order_id)
        callback_clock_stop(order=order, at=now)
        if reached:
            _follow_up(task=task, order=order, actor=actor, actor_user=actor_user, now=now)
        # Last, after the follow-up's reopen or close: the hooks' report facts read the callback.
        status = CallbackStatus(task.status).label
        work_order_record_event(
            order=order, action=Action.CALLBACK_COMPLETED, actor_user=actor_user, at=now, internal=True,
            body=_("Callback #%(id)s: %(status)s.") % {"id": task.pk, "status": status} if not reached else
            _("Callback #%(id)s: %(status)s, %(outcome)s.") % {"id": task.pk, "status": status,
                                                              "outcome": Outcome(task.outcome).label},
            data={"callback": task.pk, "status": task.status, "outcome": task.outcome, "solved": task.solved},
            notify=False)
    return attempt


def _lock_orders(order_ids) -> None:
    """Lock these work orders' rows, in id order (the first lock of a writer that touches an
    order's callbacks, clocks or facts)."""
    ids = sorted({pk for pk in order_ids if pk})
    if ids:
        list(WorkOrder.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _follow_up(*, task: Callback, order, actor: Actor, actor_user, now) -> None:
    from kefu.workorders.services import work_order_transition

    unhappy = task.outcome in NEGATIVE_OUTCOMES or task.solved is False
    if unhappy:
        reason = _("Callback #%(id)s: %(outcome)s, %(solved)s.") % {
            "id": task.pk, "outcome": Outcome(task.outcome).label,
            "solved": _("solved") if task.solved else _("not solved")}
        if task.comment:
            reason = f"{reason} {task.comment}"
        refusal = workflow.check(action=Action.REOPEN, status=order.status, role=actor.role)
        if refusal is None:
            work_order_transition(work_order=order, action=Action.REOPEN, actor_user=actor_user, reason=reason)
        elif refusal is workflow.Refusal.ROLE:
            # Never around the gate: the order's supervisor reopens it (notified by this event).
            Callback.objects.filter(pk=task.pk).update(reopen_requested=True)
            task.reopen_requested = True
            work_order_record_event(
                order=order, action=Action.COMMENT, at=now, internal=True,
                body=_("Reopen requested: %(reason)s") % {"reason": reason},
                data={"callback": task.pk, "reopen_requested": True, "notify_supervisor": True,
                      "recorded_by": actor_user.pk})
        # A STATE refusal: the order is open again already (reopened by someone else); nothing to do.
        return
    if task.auto_close and task.outcome in POSITIVE_OUTCOMES and order.status == Status.RESOLVED:
        if workflow.check(action=Action.CLOSE, status=order.status, role=actor.role) is None:
            work_order_transition(work_order=order, action=Action.CLOSE, actor_user=actor_user,
                                  note=_("Closed after a satisfied callback."))


# --- sampling ---------------------------------------------------------------------------------------

@transaction.atomic
def callback_sampling_run(*, rule: CallbackRule, period_start: date, now=None) -> SamplingRun:
    """Draw the sample of a sample rule for the period containing `period_start` (which must have
    ended): ceil(share × N) of the N orders resolved in it that the rule matched, ceil(on-site
    share × k) of those on site; one callback task each. Idempotent: a period is drawn once, and
    asking again returns that draw."""
    if rule.mode != RuleMode.SAMPLE:
        raise field_error("rule", _("Only sample rules are drawn."))
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start, end = sampling.period_bounds(rule.period, period_start, tz)
    existing = SamplingRun.objects.filter(rule=rule, period_start=start).first()
    if existing is not None:
        return existing
    if end > now:
        raise Conflict(_("The period has not ended yet."), code="period_open")

    resolved_ids = (WorkOrderEvent.objects.filter(action=Action.RESOLVE, created_at__gte=start, created_at__lt=end)
                    .values("work_order_id"))
    candidates = WorkOrder.objects.filter(pk__in=resolved_ids, status__in=(Status.RESOLVED, Status.CLOSED))
    if rule.types:
        candidates = candidates.filter(type__in=rule.types)
    if rule.channels:
        candidates = candidates.filter(channel__in=rule.channels)
    rules = active_rules()
    orders = {o.pk: o for o in candidates.select_related("category", "intake_department",
                                                         "first_contact_owner__staff")
              if rule_for(order=o, rules=rules) == rule}
    seed = sampling.seed_for(rule_id=rule.pk, period_start=start.date())
    result = sampling.draw(orders, seed=seed, percent=rule.sample_percent, onsite_percent=rule.onsite_percent)
    run = SamplingRun.objects.create(
        rule=rule, period_start=start, period_end=end, seed=seed, population=result.population,
        selected=len(result.selected), onsite=len(result.onsite), sample_percent=rule.sample_percent,
        onsite_percent=rule.onsite_percent, created_at=now)
    for pk in result.selected:
        callback_create_for_order(order=orders[pk], source=Source.SAMPLE, now=now, rule=rule, run=run,
                          on_site_required=pk in result.onsite)
    return run


def callback_sampling_run_due(*, now=None) -> list[SamplingRun]:
    """Draw the last ended period of every active sample rule that has not been drawn yet (the
    periodic task and the management command)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    runs = []
    for rule in CallbackRule.objects.filter(is_active=True, mode=RuleMode.SAMPLE).order_by("precedence", "id"):
        runs.append(callback_sampling_run(rule=rule, period_start=sampling.previous_period_start(rule.period, today),
                                          now=now))
    return runs


# --- rating links -------------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rating_url(token: str) -> str:
    base = callbacks_setting("KEFU_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("callbacks:rate", args=[token])


def rating_link_issue(*, order, now=None, deliver: bool = True) -> tuple[RatingLink, str] | None:
    """Create a one-time rating link for a resolved order and queue it to the customer (email when
    the customer has an address, else SMS to the contact phone). Returns (link, token), or None
    when there is nobody to send it to. Runs in the caller's transaction. Without `deliver` the
    link is only created (channel `portal`): the customer portal opens it right away."""
    from kefu.notifications.services import outbox_enqueue, without_link

    now = now or timezone.now()
    customer = order.customer if order.customer_id else None
    if not deliver:
        token = secrets.token_urlsafe(24)
        days = int(callbacks_setting("KEFU_RATING_LINK_DAYS", 7))
        link = RatingLink.objects.create(work_order=order, token_hash=token_hash(token), channel="portal",
                                         created_at=now, expires_at=now + timedelta(days=days))
        return link, token
    if customer is not None and customer.email:
        channel, to_address = "email", customer.email
    elif order.contact_phone:
        channel, to_address = "sms", order.contact_phone
    else:
        return None
    token = secrets.token_urlsafe(24)
    days = int(callbacks_setting("KEFU_RATING_LINK_DAYS", 7))
    link = RatingLink.objects.create(work_order=order, token_hash=token_hash(token), channel=channel,
                                     to_address=to_address[:254], created_at=now,
                                     expires_at=now + timedelta(days=days))
    url = rating_url(token)
    # In the customer's language (their record says which), else the site's.
    language = (customer.language if customer is not None else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("How did we do? Rate work order %(number)s") % {"number": order.number}
        body = _("Your request “%(title)s” (%(number)s) has been resolved. Please rate our service "
                 "(valid for %(days)s days): %(url)s") % {
            "title": order.title, "number": order.number, "days": days, "url": url}
        # The link is a credential: the outbox keeps it only until the message is sent.
        redacted_body = without_link(body, url)
    outbox_enqueue(channel=channel, to_address=to_address, subject=subject, body=body, redacted_body=redacted_body,
                   kind="rating_invitation", work_order=order,
                   params={"number": order.number, "title": order.title, "days": str(days), "url": url})
    return link, token


def _clean_stars(field: str, value) -> int:
    if value in (None, ""):
        raise required_field(field)
    try:
        stars = int(value)
    except (TypeError, ValueError):
        raise field_error(field, _("Choose 1 to 5 stars.")) from None
    if isinstance(value, bool) or not 1 <= stars <= 5 or str(stars) != str(value).strip():
        raise field_error(field, _("Choose 1 to 5 stars."))
    return stars


@transaction.atomic
def rating_submit(*, token: str, speed, attitude, quality, comment: str = "") -> RatingLink:
    """Store the customer's rating through a valid link (once). Any dimension at or below
    KEFU_RATING_LOW_THRESHOLD (default 2) creates a callback task on the order."""
    from kefu.callbacks.selectors import rating_link_for_token

    state, link = rating_link_for_token(token=token)
    if link is None or state != "valid":
        raise Conflict(_("This rating link can no longer be used."), code=f"link_{state}")
    _lock_orders([link.work_order_id])  # lock order (ADR 0002): the order's row first
    stars = {name: _clean_stars(name, value) for name, value in
             (("speed", speed), ("attitude", attitude), ("quality", quality))}
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise field_error("comment", _("Keep the comment under %(n)s characters.") % {"n": MAX_COMMENT})
    now = timezone.now()
    # The claim: a second submit of the same link (double click, two tabs) matches no row.
    if RatingLink.objects.filter(pk=link.pk, used_at=None).update(used_at=now, comment=comment, **stars) != 1:
        raise Conflict(_("This rating link can no longer be used."), code="link_used")
    link.refresh_from_db()
    threshold = int(callbacks_setting("KEFU_RATING_LOW_THRESHOLD", 2))
    if min(stars.values()) <= threshold:
        order = WorkOrder.objects.select_related("category", "intake_department",
                                                 "first_contact_owner__staff").get(pk=link.work_order_id)
        rule = rule_for(order=order)
        reason = _("Low rating: speed %(speed)s, attitude %(attitude)s, quality %(quality)s.") % stars
        if comment:
            reason = f"{reason} {comment}"
        callback_create_for_order(order=order, source=Source.RATING, now=now,
                                  rule=rule if rule and rule.mode != RuleMode.NONE else None, reason=reason,
                                  reference=f"rating:{link.pk}")
    # The customer acted, not a person of the center: no actor. The hooks refresh the facts.
    work_order_record_event(
        order=WorkOrder.objects.get(pk=link.work_order_id), action=Action.RATING_RECEIVED, at=now, internal=True,
        body=_("Rating: speed %(speed)s, attitude %(attitude)s, quality %(quality)s.") % stars,
        data={"rating_link": link.pk, **stars}, notify=False)
    return link


# --- administrators' corrections (the admin's delete) ------------------------------------------------

def _require_permission(actor_user, permission: str) -> None:
    if actor_user is None or not actor_user.is_active or not actor_user.has_perm(permission):
        raise NotAllowed(_("Only administrators may delete callbacks or sampling draws."))


def _locked(queryset):
    if connection.features.has_select_for_update_of:
        # An attempt being recorded at the same time waits, then finds the callback gone (404);
        # or this waits for the attempt and then refuses (the callback has been worked on).
        return queryset.select_for_update(of=("self",))
    return queryset


def _worked_refusal(ids: set[int]) -> Conflict:
    listed = ", ".join(f"#{pk}" for pk in sorted(ids)[:20])
    return Conflict(_("Callbacks %(ids)s have been worked on (an attempt or a result): records of contact with "
                      "customers are kept, not deleted.") % {"ids": listed}, code="callback_worked")


def _delete_untouched(*, tasks: list[Callback], actor_user, now, run: SamplingRun | None = None) -> None:
    """Delete callbacks nobody has worked on, with what follows on their orders: an open one's
    running callback clock is cancelled (no callback is owed any more) and each order's history
    gets an internal event naming the callback and who deleted it (the hooks refresh the orders'
    facts). The caller holds the orders' row locks."""
    from kefu.org.selectors import user_display_name

    if not tasks:
        return
    Callback.objects.filter(pk__in=[t.pk for t in tasks]).delete()
    orders = WorkOrder.objects.in_bulk({t.work_order_id for t in tasks if t.work_order_id})
    who = user_display_name(actor_user)
    events = []
    for task in tasks:
        order = orders.get(task.work_order_id)
        if order is None:
            continue
        if task.status == CallbackStatus.OPEN:
            callback_clock_stop(order=order, at=now, cancelled=True)
        values = {"id": task.pk, "source": Source(task.source).label, "status": CallbackStatus(task.status).label,
                  "user": who}
        data = {"callback": task.pk, "callback_deleted": True, "deleted_by": actor_user.pk}
        if run is None:
            body = _("Callback #%(id)s (%(source)s, %(status)s) deleted by %(user)s.") % values
        else:
            values["start"] = timezone.localdate(run.period_start).isoformat()
            body = _("Callback #%(id)s (%(source)s, %(status)s) deleted by %(user)s with the sampling draw of "
                     "%(start)s.") % values
            data["sampling_run"] = run.pk
        events.append(WorkOrderEvent(work_order=order, action=Action.COMMENT, actor=None, created_at=now,
                                     from_status=order.status, to_status=order.status, internal=True, body=body,
                                     data=data))
    work_order_record_events(events=events, orders=orders, notify=False)


@transaction.atomic
def callbacks_delete(*, callback_ids, actor_user) -> int:
    """Delete callbacks created by mistake, as long as nobody has worked on them (open or
    cancelled, no attempt); the admin's delete runs this. Any callback that is a record of contact
    refuses the whole request (Conflict naming them) and nothing is deleted. Needs the
    `callbacks.delete_callback` permission. Returns the number deleted."""
    _require_permission(actor_user, "callbacks.delete_callback")
    ids = sorted({int(pk) for pk in callback_ids})
    _lock_orders(Callback.objects.filter(pk__in=ids).values_list("work_order_id", flat=True))
    tasks = list(_locked(Callback.objects.filter(pk__in=ids).order_by("pk")))
    worked = callbacks_worked(callback_ids=[t.pk for t in tasks])
    if worked:
        raise _worked_refusal(worked)
    _delete_untouched(tasks=tasks, actor_user=actor_user, now=timezone.now())
    return len(tasks)


@transaction.atomic
def sampling_runs_delete(*, run_ids, actor_user) -> int:
    """Delete wrongly drawn samples (a rule set up wrong): each run goes with the callbacks it
    drew, so the period can be drawn again. Refused (Conflict, nothing deleted) once any of those
    callbacks has been worked on: the draw is then part of the record. Needs the
    `callbacks.delete_samplingrun` permission. Returns the number of runs deleted."""
    _require_permission(actor_user, "callbacks.delete_samplingrun")
    ids = sorted({int(pk) for pk in run_ids})
    runs = list(_locked(SamplingRun.objects.filter(pk__in=ids).order_by("pk")))
    if not runs:
        return 0
    _lock_orders(Callback.objects.filter(sampling_run__in=runs).values_list("work_order_id", flat=True))
    tasks = list(_locked(Callback.objects.filter(sampling_run__in=runs).order_by("pk")))
    worked = callbacks_worked(callback_ids=[t.pk for t in tasks])
    if worked:
        raise _worked_refusal(worked)
    now = timezone.now()
    for run in runs:
        _delete_untouched(tasks=[t for t in tasks if t.sampling_run_id == run.pk], actor_user=actor_user, now=now,
                          run=run)
    SamplingRun.objects.filter(pk__in=[run.pk for run in runs]).delete()
    return len(runs)
