"""Every write to a work order. `work_order_transition` is the one gate for state changes.

In one transaction it checks the transition table, the actor's role, scope and authority, the
required fields; compares-and-swaps the order's `version` (a concurrent change → 409); writes
one immutable WorkOrderEvent; and after commit enqueues notifications. The API, the UI,
management commands and tasks all call these functions; none saves a WorkOrder itself.
"""

import mimetypes
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import ApplicationError, Conflict, NotAllowed, NotFound, field_error, required_field
from kefu.core.numbering import next_number
from kefu.core.signatures import signature_png
from kefu.core.workflow import Change, Refusal, Workflow, choices_label, lock_for_update, run_transition
from kefu.org.choices import DepartmentKind, RoleCode
from kefu.org.models import Department
from kefu.org.selectors import Actor, actor_for_user, approver_role_for, require_actor, user_display_name
from kefu.workorders import workflow
from kefu.workorders.choices import (
    OPEN_STATUSES,
    Action,
    Channel,
    HoldReason,
    PlanStatus,
    Priority,
    Status,
    WorkOrderType,
)
from kefu.workorders.hooks import RowUpdates, work_order_record_event, work_order_record_events
from kefu.workorders.models import (
    Attachment,
    Category,
    PlanApproval,
    ResolutionMaterial,
    Tag,
    WorkOrder,
    WorkOrderEvent,
)
from kefu.workorders.selectors import can_see, can_work_on, visibility_q

# Who may log a new order: intake roles, plus technicians (patrol findings) and clerks (letters).
CREATE_ROLES = workflow.INTAKE_ROLES | {RoleCode.TECHNICIAN, RoleCode.CLERK}
# Roles that may record an order on behalf of another first-contact owner (integrations, leads).
OWNER_OVERRIDE_ROLES = {RoleCode.SUPERVISOR, RoleCode.MANAGER, RoleCode.DIRECTOR, RoleCode.ADMINISTRATOR}
# A client clock slightly ahead of ours is not "the future"; more than this is refused.
CLOCK_SKEW = timedelta(seconds=60)
# Input limits (issue #15): the times an order may carry, the size of its text and tag list.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
MAX_DESCRIPTION = 10_000
MAX_TAGS = 20
MAX_AMOUNT = Decimal("9999999999.99")

# First bytes of the file types we accept; the declared content type is not trusted.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def _blank(value: object) -> bool:
    """Not given: None or "" (form and API bodies send either)."""
    return value is None or value == ""


def _clean_choice(field: str, value: Any, choices: type[models.TextChoices]) -> str:
    if value not in choices.values:
        raise field_error(field, _("“%(value)s” is not a valid choice for %(field)s.") % {
            "value": value, "field": field})
    return str(value)


def _clean_amount(value: Any) -> Decimal | None:
    if _blank(value):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error("compensation_amount", _("Enter a valid amount.")) from None
    exponent = amount.as_tuple().exponent if amount.is_finite() else 0
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT or (isinstance(exponent, int) and exponent < -2):
        raise field_error("compensation_amount", _("Enter an amount between 0 and 9999999999.99 with at most two decimals."))
    return amount


def _clean_time(field: str, value: datetime, now: datetime) -> datetime:
    aware: datetime = timezone.make_aware(value) if timezone.is_naive(value) else value
    if aware < EARLIEST_TIME:
        raise field_error(field, _("%(field)s cannot be before the year 2000.") % {"field": field})
    if aware > now + CLOCK_SKEW:
        raise field_error(field, _("%(field)s cannot be in the future.") % {"field": field})
    return min(aware, now)


def _team(value: Any) -> Department:
    if not isinstance(value, Department) or value.kind != DepartmentKind.TEAM or not value.is_active:
        raise field_error("team", _("Choose an active team."))
    return value


def _assignee_for_team(user: Any, team: Department) -> Any:
    """The assignee must be active staff inside the team (or a department under it)."""
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    if not user.is_active or staff is None or not staff.is_active:
        raise field_error("assignee", _("The assignee must be an active staff member."))
    if not staff.department.path.startswith(team.path):
        raise field_error("assignee", _("The assignee is not a member of the chosen team."))
    return user


@transaction.atomic
def work_orders_relink_customer(*, from_customer: Any, to_customer: Any, actor_user: Any) -> int:
    """Move every work order of a customer merged into another to the surviving customer.

    Not a status change: each order's version is bumped (a page read before gets a clear 409)
    and one internal event records from → to, so the order's history shows the merge.
    Returns the number of orders moved."""
    orders = list(WorkOrder.objects.select_for_update().filter(customer=from_customer)
                  .values_list("pk", "status"))
    if not orders:
        return 0
    now = timezone.now()
    WorkOrder.objects.filter(pk__in=[pk for pk, _s in orders]).update(
        customer=to_customer, version=F("version") + 1, updated_at=now)
    body = _("Customer record merged: %(old)s → %(new)s") % {"old": from_customer.name, "new": to_customer.name}
    # The facts hook refreshes the moved complaints and those they may now repeat (or be
    # repeated by) among the surviving customer's complaints.
    work_order_record_events(events=[
        WorkOrderEvent(work_order_id=pk, action=Action.COMMENT, actor=actor_user, created_at=now, from_status=status,
                       to_status=status, internal=True, body=body,
                       data={"customer_relinked": {"from": from_customer.pk, "to": to_customer.pk}})
        for pk, status in orders], notify=False)
    return len(orders)


PRIORITY_LADDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


def work_order_escalate(*, work_order_id: int, at: datetime, data: dict[str, Any], raise_priority: bool = False,
                        raise_complaint_level: bool = False, reassign_to: str = "") -> WorkOrderEvent | None:
    """An escalation step that changes the order (SLA ladder options): raise the priority one
    level, raise a complaint's level one level (up to 3), or hand an order that is not yet being
    worked on (new, accepted, dispatched) to another team, unassigned.

    The system's own transition: the order row is locked, the version bumped (so a person acting
    on the page they read before gets a clear 409, never a lost update) and one "escalate" event
    records old → new. Orders already resolved, closed or cancelled are only noted, not changed.
    Runs in the caller's transaction; returns the event (recorded with the hooks and notified
    after commit), or None when the order is gone.
    """
    order = WorkOrder.objects.select_for_update(of=("self",)).filter(pk=work_order_id).select_related("team").first()
    if order is None:
        return None
    changes: dict[str, Any] = {}
    changed: dict[str, Any] = {}
    if order.status in OPEN_STATUSES:
        if raise_priority and order.priority != Priority.URGENT:
            new = PRIORITY_LADDER[PRIORITY_LADDER.index(order.priority) + 1]
            changes["priority"], changed["priority"] = new, [order.priority, str(new)]
        if raise_complaint_level and order.type == "complaint" and (order.complaint_level or 1) < 3:
            level = (order.complaint_level or 1) + 1
            changes["complaint_level"], changed["complaint_level"] = level, [order.complaint_level, level]
        # Work already started stays with the person doing it; only waiting orders move.
        if reassign_to and order.status in (Status.NEW, Status.ACCEPTED, Status.DISPATCHED) and (
                order.team is None or order.team.code != reassign_to):
            team = Department.objects.filter(code=reassign_to, is_active=True).first()
            if team is not None:
                # The new team's supervisor picks the person; a technician of the old team keeps
                # nothing they can no longer see.
                changes.update(team=team, assignee=None)
                changed["team"] = [order.team.name if order.team else "", team.name]
                # The SLA hook moves the team-calendar clocks to the new team, as on a dispatch.
                data = {**data, "team": team.pk}
    if changes:
        WorkOrder.objects.filter(pk=order.pk).update(version=F("version") + 1, updated_at=at, **changes)
    return work_order_record_event(order=order, action=Action.ESCALATE, at=at, internal=True,
                                   data={**data, "changes": changed})


# --- create ------------------------------------------------------------------------------------

@transaction.atomic
def work_order_create(
    *, actor_user: Any, type: str, channel: str, category: Category | None, title: str, description: str,
    priority: str = Priority.NORMAL, complaint_level: int | None = None, customer: Any = None,
    contact_name: str = "", contact_phone: str = "", asset: Any = None, received_at: datetime | None = None,
    promised_at: datetime | None = None, tags: list[str] | None = None, related_order: WorkOrder | None = None,
    first_contact_owner: Any = None,
) -> WorkOrder:
    """Log a new request (status `new`) with a fresh number; the actor becomes its first-contact
    owner unless a lead or integration records it on behalf of `first_contact_owner`."""
    actor = require_actor(actor_user)
    if actor.role not in CREATE_ROLES:
        raise NotAllowed(_("Your role may not create work orders."))
    now = timezone.now()
    _clean_choice("type", type, WorkOrderType)
    _clean_choice("channel", channel, Channel)
    _clean_choice("priority", priority, Priority)
    if category is None:
        raise required_field("category")
    if not category.is_active or not category.allows_type(type):
        raise field_error("category", _("This category cannot be used for this type of work order."))
    if type == WorkOrderType.COMPLAINT:
        complaint_level = 1 if _blank(complaint_level) else complaint_level
        if complaint_level not in (1, 2, 3):
            raise field_error("complaint_level", _("Complaint level must be 1, 2 or 3."))
    elif not _blank(complaint_level):
        raise field_error("complaint_level", _("Only complaints have a complaint level."))
    else:
        complaint_level = None
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        raise required_field("title")
    if len(title) > 200:
        raise field_error("title", _("Keep the title under 200 characters."))
    if not description:
        raise required_field("description")
    if len(description) > MAX_DESCRIPTION:
        raise field_error("description", _("Keep the description under %(max)s characters.") % {"max": MAX_DESCRIPTION})
    if tags is not None and len(tags) > MAX_TAGS:
        raise field_error("tags", _("At most %(max)s tags.") % {"max": MAX_TAGS})
    received_at = _clean_time("received_at", received_at or now, now)
    if promised_at is not None:
        if timezone.is_naive(promised_at):
            promised_at = timezone.make_aware(promised_at)
        if promised_at <= received_at:
            raise field_error("promised_at", _("The promised time must be after the time received."))
    if related_order is not None and not can_see(actor, related_order):
        raise field_error("related_order", _("Work order not found."))

    owner = actor_user
    if first_contact_owner is not None and first_contact_owner.pk != actor_user.pk:
        if actor.role not in OWNER_OVERRIDE_ROLES:
            raise NotAllowed(_("Only supervisors and above may record an order for another owner."))
        owner_actor = actor_for_user(first_contact_owner)
        if owner_actor is None:
            raise field_error("first_contact_owner", _("The first-contact owner must be active staff."))
        owner = first_contact_owner
    owner_staff = getattr(owner, "staff", None)

    if customer is not None:
        contact_name = contact_name or customer.name
        if not contact_phone:
            phone = next(iter(customer.phones.all()), None)
            contact_phone = phone.number if phone else ""
    site = asset.site if asset is not None else None

    order = WorkOrder.objects.create(
        # A unique placeholder: the real number is taken last (see below).
        number=f"TMP-{uuid.uuid4().hex[:28]}",
        type=type, channel=channel, category=category, priority=priority, complaint_level=complaint_level,
        title=title, description=description, customer=customer, contact_name=(contact_name or "")[:100],
        contact_phone=(contact_phone or "")[:40], asset=asset, site=site, related_order=related_order,
        received_at=received_at, updated_at=now, first_contact_owner=owner,
        intake_department_id=owner_staff.department_id if owner_staff else None, promised_at=promised_at,
    )
    tag_names = [t.strip()[:50] for t in (tags or []) if t and t.strip()]
    existing: dict[str, Tag] = {}
    if tag_names:
        existing = {t.name: t for t in Tag.objects.filter(name__in=tag_names)}
        for name in tag_names:
            if name not in existing:
                existing[name], _created = Tag.objects.get_or_create(name=name)
        order.tags.set(existing.values())
    # The new order carries its tags as if prefetched (Tag's order: by name), so the answer built
    # from it lists them without a query.
    written_tags = order.tags.all()
    written_tags._result_cache = sorted(existing.values(), key=lambda tag: tag.name)
    written_tags._prefetch_done = True  # type: ignore[attr-defined]  # Django's prefetch marks, not in the stubs
    order._prefetched_objects_cache = {"tags": written_tags}  # type: ignore[attr-defined]
    # The hooks' changes of the new row (the SLA due time) wait for the number: one UPDATE sets both.
    row_updates = RowUpdates()
    work_order_record_event(
        order=order, action=Action.CREATE, actor_user=actor_user, at=now, from_status="", to_status=Status.NEW,
        data={"type": type, "channel": channel, "category": category.code, "priority": priority,
              "complaint_level": complaint_level, "received_at": received_at.isoformat(),
              "first_contact_owner": owner.pk}, row_updates=row_updates)
    # The day's counter row stays locked from its increment until commit, so every other intake
    # waits on it: take it as the last statements of the transaction to keep that wait short.
    order.number = next_number(prefix=settings.KEFU_WORK_ORDER_PREFIX, day=timezone.localdate(now))
    row_updates.add(order.pk, number=order.number)
    row_updates.apply()
    return order


# --- transitions -------------------------------------------------------------------------------

def _apply(order: WorkOrder, actor: Actor, action: str, data: dict[str, Any], now: datetime) -> Change:
    """The action's own validation and changes (the kernel's gate did the rest)."""
    changes: dict[str, Any] = {}
    event_data: dict[str, Any] = {}
    body = ""
    internal = False
    note = (data.get("note") or "").strip()
    if note:
        event_data["note"] = note

    if action == Action.DISPATCH:
        team = _team(data.get("team"))
        assignee = _assignee_for_team(data.get("assignee"), team)
        changes.update(team=team, assignee=assignee)
        event_data.update(team=team.pk, team_name=team.name, assignee=assignee.pk if assignee else None,
                          assignee_name=user_display_name(assignee))
        if data.get("promised_at"):
            promised = data["promised_at"]
            if timezone.is_naive(promised):
                promised = timezone.make_aware(promised)
            if promised <= now:
                raise field_error("promised_at", _("The promised time must be in the future."))
            changes["promised_at"] = promised
            event_data["promised_at"] = promised.isoformat()
    elif action == Action.HOLD:
        reason = data["reason"].strip()
        waiting_for = data.get("waiting_for") or HoldReason.OTHER
        _clean_choice("waiting_for", waiting_for, HoldReason)
        changes["hold_reason"] = waiting_for
        body = reason
        event_data.update(reason=reason, waiting_for=waiting_for)
    elif action == Action.RESUME:
        changes["hold_reason"] = ""
    elif action == Action.RESOLVE:
        if order.needs_approved_plan and order.plan_status != PlanStatus.APPROVED:
            raise Conflict(_("This order needs an approved handling plan before it can be resolved."),
                           code="plan_not_approved")
        changes.update(resolution=data["resolution"].strip(), resolved_at=now)
        body = changes["resolution"]
        if len(body) > MAX_DESCRIPTION:
            raise field_error("resolution", _("Keep the resolution under %(max)s characters.") % {"max": MAX_DESCRIPTION})
        on_site = _clean_on_site(data)
        if on_site.materials:
            event_data["materials"] = [{**line, "quantity": str(line["quantity"])} for line in on_site.materials]
        if on_site.confirmed_by:
            event_data["confirmed_by"] = on_site.confirmed_by
        if not on_site.is_empty:
            return Change(changes=changes, data=event_data, body=body,
                          after=lambda: _store_on_site(order, actor, on_site, event_data, now))
    elif action == Action.CLOSE:
        changes["closed_at"] = now
    elif action == Action.REOPEN:
        body = data["reason"].strip()
        changes.update(resolved_at=None, closed_at=None, reopen_count=F("reopen_count") + 1)
        event_data["reason"] = body
    elif action == Action.CANCEL:
        body = data["reason"].strip()
        event_data["reason"] = body
    elif action == Action.COMMENT:
        body = data["body"].strip()
        internal = bool(data.get("internal", True))
        mentioned = _mentioned_staff(body, order)
        if mentioned:
            event_data["mentions"] = mentioned
    elif action == Action.SUBMIT_PLAN:
        if order.plan_status == PlanStatus.PENDING:
            raise Conflict(_("A plan is already awaiting approval."), code="plan_pending")
        amount = _clean_amount(data.get("compensation_amount"))
        role = approver_role_for(complaint_level=order.complaint_level, amount=amount)
        if role is None:
            raise field_error("compensation_amount", _("No role has the authority to approve this amount."))
        body = data["plan"].strip()
        changes.update(plan=body, plan_status=PlanStatus.PENDING, plan_role=role, compensation_amount=amount)
        event_data.update(compensation_amount=str(amount) if amount is not None else None,
                          required_role=role.code)
    elif action in (Action.APPROVE_PLAN, Action.REJECT_PLAN):
        if order.plan_status != PlanStatus.PENDING:
            raise Conflict(_("There is no plan awaiting approval."), code="no_pending_plan")
        if not actor.covers(complaint_level=order.complaint_level, amount=order.compensation_amount):
            raise NotAllowed(_("This plan exceeds your approval authority."), code="authority_exceeded")
        approved = action == Action.APPROVE_PLAN
        changes["plan_status"] = PlanStatus.APPROVED if approved else PlanStatus.REJECTED
        body = note
    return Change(changes=changes, data=event_data, body=body, internal=internal,
                  # A comment does not claim the order: a colleague's open dialog stays valid.
                  moves=action != Action.COMMENT, after=_plan_rows(order, actor, action, changes, body, now))


# "@王师傅" or "@agent01": a staff member's display name or username, up to a space or punctuation.
# Not after an e-mail address's local part ("a@b.cn" mentions nobody); "请@王师傅" does.
MENTION_RE = re.compile(r"(?<![A-Za-z0-9._%+-])@([^\s@,，。.:：;；!！?？、()（）]{1,30})")
MAX_MENTIONS = 10


def _mentioned_staff(body: str, order: WorkOrder) -> list[dict[str, Any]]:
    """The staff a note @mentions (by display name or username), only those who may see the order
    (a mention must not reveal the order to someone outside its scope); kept in the event's data so
    kefu.notifications tells them in the app."""
    from kefu.org.models import Staff

    names = list(dict.fromkeys(MENTION_RE.findall(body)))[:MAX_MENTIONS]
    if not names:
        return []
    found = (Staff.objects.filter(models.Q(display_name__in=names) | models.Q(user__username__in=names),
                                  is_active=True, user__is_active=True)
             .select_related("user", "role", "department").order_by("employee_no"))
    result = []
    for staff in found[:MAX_MENTIONS]:
        actor = actor_for_user(staff.user)
        if actor is not None and can_see(actor, order):
            result.append({"id": staff.user_id, "name": staff.display_name})
    return result


# The resolve form's on-site record (issue #20): limits on what one resolution may carry.
MAX_MATERIAL_LINES = 30
MAX_MATERIAL_QUANTITY = Decimal("99999")
MAX_PHOTOS = 8
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


@dataclass(frozen=True)
class OnSite:
    """What a technician records on site when resolving: parts and materials, photos and the
    customer's signature (all optional; validated before anything is written)."""

    materials: list[dict[str, Any]]
    photos: list[tuple[UploadedFile, str]]
    signature: bytes | None
    confirmed_by: str

    @property
    def is_empty(self) -> bool:
        return not (self.materials or self.photos or self.signature or self.confirmed_by)


def _clean_materials(lines: Any) -> list[dict[str, Any]]:
    """Parts and materials lines: [{description, quantity, unit}], each error naming its line."""
    if _blank(lines):
        return []
    if not isinstance(lines, list | tuple):
        raise field_error("materials", _("Send the parts and materials as a list of lines."))
    if len(lines) > MAX_MATERIAL_LINES:
        raise field_error("materials", _("At most %(max)s lines of parts and materials.") % {"max": MAX_MATERIAL_LINES})
    cleaned = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise field_error("materials", _("Line %(n)s: not a valid line.") % {"n": number})
        description = str(line.get("description") or "").strip()
        unit = str(line.get("unit") or "").strip()
        raw_quantity = line.get("quantity")
        if not description and _blank(raw_quantity) and not unit:
            continue  # an empty row of the form
        if not description:
            raise field_error("materials", _("Line %(n)s: name the part or material.") % {"n": number})
        if len(description) > 200 or len(unit) > 20:
            raise field_error("materials", _("Line %(n)s: keep the name under 200 and the unit under 20 characters.")
                              % {"n": number})
        try:
            quantity = Decimal(str(raw_quantity if not _blank(raw_quantity) else "1"))
        except (InvalidOperation, ValueError):
            quantity = Decimal("NaN")
        exponent = quantity.as_tuple().exponent if quantity.is_finite() else 0
        if (not quantity.is_finite() or quantity <= 0 or quantity > MAX_MATERIAL_QUANTITY
                or (isinstance(exponent, int) and exponent < -2)):
            raise field_error("materials", _("Line %(n)s: enter a quantity between 0.01 and 99999 (two decimals at most).")
                              % {"n": number})
        cleaned.append({"description": description, "quantity": quantity, "unit": unit})
    return cleaned


def _clean_photos(photos: Any) -> list[tuple[UploadedFile, str]]:
    """Photos (JPEG, PNG, GIF, WebP by their first bytes), each within the attachment size limit."""
    uploads = [p for p in (photos or []) if p is not None]
    if len(uploads) > MAX_PHOTOS:
        raise field_error("photos", _("At most %(max)s photos.") % {"max": MAX_PHOTOS})
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES
    cleaned = []
    for upload in uploads:
        size = upload.size or 0
        if size > limit:
            raise field_error("photos", _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
                              "file_too_large")
        if size == 0:
            raise field_error("photos", _("The file is empty."))
        head = upload.read(16)
        upload.seek(0)
        content_type = _sniff(head)
        if content_type not in PHOTO_TYPES:
            raise field_error("photos", _("Only photos (JPEG, PNG, GIF, WebP) are accepted."), "unsupported_file_type")
        cleaned.append((upload, str(content_type)))
    return cleaned


def _clean_on_site(data: dict[str, Any]) -> OnSite:
    confirmed_by = str(data.get("confirmed_by") or "").strip()
    if len(confirmed_by) > 100:
        raise field_error("confirmed_by", _("Keep the name under 100 characters."))
    signature = data.get("signature") or ""
    return OnSite(materials=_clean_materials(data.get("materials")), photos=_clean_photos(data.get("photos")),
                  signature=signature_png(signature) if signature else None, confirmed_by=confirmed_by)


def _store_on_site(order: WorkOrder, actor: Actor, on_site: OnSite, event_data: dict[str, Any],
                   now: datetime) -> None:
    """The resolve's rows after the order row: materials lines, photos and the signature as
    attachments (the resolve event, written next, lists them)."""
    ResolutionMaterial.objects.bulk_create([
        ResolutionMaterial(work_order=order, position=n, recorded_by_id=actor.user_id, recorded_at=now, **line)
        for n, line in enumerate(on_site.materials, start=1)])
    photo_ids = []
    for upload, content_type in on_site.photos:
        upload.seek(0)  # a rerun after a deadlock reads the file again
        original = (upload.name or "photo").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        upload.name = f"{uuid.uuid4().hex}{mimetypes.guess_extension(content_type) or ''}"
        photo_ids.append(Attachment.objects.create(
            work_order=order, file=upload, original_name=original, content_type=content_type, size=upload.size or 0,
            uploaded_by_id=actor.user_id, uploaded_at=now).pk)
    if photo_ids:
        event_data["photos"] = photo_ids
    if on_site.signature:
        item = Attachment(work_order=order, original_name="signature.png", content_type="image/png",
                          size=len(on_site.signature), uploaded_by_id=actor.user_id, uploaded_at=now)
        item.file.save(f"signature-{uuid.uuid4().hex}.png", ContentFile(on_site.signature), save=False)
        item.save()
        event_data["signature"] = item.pk


def _plan_rows(order: WorkOrder, actor: Actor, action: str, changes: dict[str, Any], note: str,
               now: datetime) -> Callable[[], object] | None:
    """The plan-approval row that a plan action writes after the order row (None otherwise)."""
    if action == Action.SUBMIT_PLAN:
        return lambda: PlanApproval.objects.create(
            work_order=order, plan=changes["plan"], compensation_amount=changes["compensation_amount"],
            complaint_level=order.complaint_level, required_role=changes["plan_role"],
            submitted_by_id=actor.user_id, submitted_at=now)
    if action in (Action.APPROVE_PLAN, Action.REJECT_PLAN):
        return lambda: PlanApproval.objects.filter(work_order=order, decision=PlanApproval.Decision.PENDING).update(
            decision=changes["plan_status"], decided_by_id=actor.user_id, decided_at=now, note=note)
    return None



def _authorize(actor: Actor, order: WorkOrder, action: str, refusal: Refusal | None) -> None:
    # Technicians and vendors act only on work dispatched to their team or to them (comments are
    # open to everyone who can see the order).
    if action != Action.COMMENT and not can_work_on(actor, order):
        raise FLOW.refuse(Refusal.ROLE, action=action, status=order.status)


def _record_transition(order: WorkOrder, *, action: str, actor_user: Any, now: datetime, from_status: str, to_status: str,
                       change: Change) -> WorkOrderEvent:
    return work_order_record_event(order=order, action=action, actor_user=actor_user, at=now,
                                   from_status=from_status, to_status=to_status, body=change.body,
                                   internal=change.internal, data=change.data)


FLOW = Workflow(
    model=WorkOrder, table=workflow.TABLE, subject=gettext_lazy("work order"),
    not_found=gettext_lazy("Work order not found."), action_label=choices_label(Action),
    status_label=choices_label(Status), queryset=lambda: WorkOrder.objects.select_related("team", "plan_role"),
    can_see=can_see, authorize=_authorize, apply=_apply, record_event=_record_transition)


def work_order_transition(*, work_order: WorkOrder | int, action: str, actor_user: Any,
                          expected_version: int | None = None, **data: Any) -> WorkOrder:
    """Take `action` on the order as `actor_user`: the only path that changes a work order's
    status (the kernel's gate, `kefu.core.workflow.run_transition`, with this app's table and
    `_apply`).

    Raises NotFound (not visible), NotAllowed (role/authority), Conflict (state, or the order
    changed since it was read / since `expected_version`), InvalidInput (missing or bad data).
    Nothing is written unless everything passes.
    """
    return run_transition(FLOW, obj=work_order, action=action, actor=require_actor(actor_user),
                          actor_user=actor_user, expected_version=expected_version, data=data)


# --- attachments ---------------------------------------------------------------------------------

def _sniff(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@transaction.atomic
def work_order_attachment_add(*, work_order: WorkOrder, actor_user: Any, upload: UploadedFile | None) -> Attachment:
    """Attach a photo (JPEG, PNG, GIF, WebP) or PDF within the size limit; writes an event."""
    actor = require_actor(actor_user)
    order = lock_for_update(WorkOrder.objects.all(), work_order.pk)  # the order row first (lock order)
    if order is None or not can_see(actor, order):
        raise NotFound(_("Work order not found."))
    if not can_work_on(actor, order):
        raise NotAllowed(_("Your role may not attach files to this work order."), code="role_not_allowed")
    if order.status == Status.CANCELLED:
        raise Conflict(_("Cannot attach files to a cancelled work order."), code="invalid_transition")
    if upload is None:
        raise required_field("file")
    limit = settings.KEFU_ATTACHMENT_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise field_error("file", _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
                           "file_too_large")
    if size == 0:
        raise field_error("file", _("The file is empty."))
    head = upload.read(16)
    upload.seek(0)
    content_type = _sniff(head)
    if content_type is None:
        raise field_error("file", _("Only photos (JPEG, PNG, GIF, WebP) and PDF files are accepted."),
                           "unsupported_file_type")
    original = (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = mimetypes.guess_extension(content_type) or ""
    upload.name = f"{uuid.uuid4().hex}{extension}"
    now = timezone.now()
    attachment = Attachment.objects.create(
        work_order=order, file=upload, original_name=original, content_type=content_type, size=size,
        uploaded_by=actor_user, uploaded_at=now)
    work_order_record_event(
        order=order, action=Action.ATTACH, actor_user=actor_user, at=now, body=original,
        data={"attachment": attachment.pk, "name": original, "size": size, "content_type": content_type})
    return attachment


# --- personal data -------------------------------------------------------------------------------

@transaction.atomic
def work_order_erase_contact(*, customer_id: int, actor_user: Any, reason: str) -> int:
    """Blank the contact name and phone on every order of a customer whose personal data is
    erased (PIPL); the orders keep their type, times and outcome for the statistics. Bumps each
    order's version (a page open on it gets a clear 409) and writes one internal event per order
    saying what was erased and why. Called by `customers.services.customer_erase`; returns the
    number of orders changed."""
    now = timezone.now()
    orders = list(WorkOrder.objects.select_for_update().filter(customer_id=customer_id).values_list("pk", "status"))
    if not orders:
        return 0
    WorkOrder.objects.filter(pk__in=[pk for pk, _s in orders]).update(
        contact_name="", contact_phone="", updated_at=now, version=F("version") + 1)
    body = _("Contact data erased (personal-data deletion request).")
    work_order_record_events(events=[
        WorkOrderEvent(work_order_id=pk, action=Action.COMMENT, actor=actor_user, created_at=now, from_status=status,
                       to_status=status, internal=True, body=body,
                       data={"erased": ["contact_name", "contact_phone"], "reason": reason})
        for pk, status in orders], notify=False)
    return len(orders)


# --- bulk actions on a queue's selected rows ---------------------------------------------------

# How many orders one bulk action may touch (a queue page shows 25; a few pages' worth at most).
BULK_MAX = 100
BULK_ACTIONS = ("dispatch", "assign")


class BulkRow:
    """One selected order's outcome in a bulk action: done, or refused with the gate's message."""

    __slots__ = ("code", "message", "number", "ok", "pk")

    def __init__(self, *, pk: int, number: str, ok: bool, message: str = "", code: str = "") -> None:
        self.pk, self.number, self.ok, self.message, self.code = pk, number, ok, message, code


def work_orders_bulk_transition(*, rows: list[tuple[int, int | None]], action: str, actor_user: Any,
                                team: Department | None = None, assignee: Any = None) -> list[BulkRow]:
    """Take one action on many orders, each through the gate on its own: its own transaction, its
    own event, its own refusal. `rows` are (order id, version the user saw): an order changed since
    is refused with a conflict, never overwritten. A refused row does not stop the others.

    `dispatch` sends every order to `team` (and `assignee`, if given); `assign` gives each order to
    `assignee` inside the team it already has (an order without a team is refused).
    """
    if action not in BULK_ACTIONS:
        raise field_error("bulk_action", _("Choose a bulk action."))
    if not rows:
        raise field_error("order", _("Select at least one work order."))
    if len(rows) > BULK_MAX:
        raise field_error("order", _("Select at most %(max)s work orders at once.") % {"max": BULK_MAX})
    if action == "dispatch" and team is None:
        raise field_error("team", _("Choose an active team."))
    if action == "assign" and assignee is None:
        raise field_error("assignee", _("Choose the assignee."))
    actor = require_actor(actor_user)
    # Numbers and teams of the visible orders, in one read: a row the actor may not see is
    # reported as not found (no existence leak), and never touched.
    seen = {pk: (number, team_id) for pk, number, team_id in WorkOrder.objects.filter(
        visibility_q(actor), pk__in=[pk for pk, _version in rows]).values_list("pk", "number", "team_id")}
    teams = {t.pk: t for t in Department.objects.filter(pk__in={t for _n, t in seen.values() if t})} \
        if action == "assign" else {}
    results = []
    for pk, version in rows:
        if pk not in seen:
            results.append(BulkRow(pk=pk, number=f"#{pk}", ok=False, message=_("Work order not found."),
                                   code="not_found"))
            continue
        number, team_id = seen[pk]
        target_team = team if action == "dispatch" else teams.get(team_id)
        if target_team is None:
            results.append(BulkRow(pk=pk, number=number, ok=False, code="no_team",
                                   message=_("Dispatch it to a team first.")))
            continue
        try:
            work_order_transition(work_order=pk, action=Action.DISPATCH, actor_user=actor_user,
                                  expected_version=version, team=target_team, assignee=assignee)
        except ApplicationError as error:
            results.append(BulkRow(pk=pk, number=number, ok=False, message=error.message, code=error.code))
        else:
            results.append(BulkRow(pk=pk, number=number, ok=True))
    return results
