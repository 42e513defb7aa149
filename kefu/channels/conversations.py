"""The conversation workflow (the kernel's gate): an open conversation is converted into a new
work order (through `work_order_create`, pre-filled from the conversation), appended to an open
order of the same customer (its messages become a customer comment on the order, through
`work_order_transition`), or closed.

    open ──convert──▶ converted     open ──append──▶ converted     open ──close──▶ closed
"""

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.channels.choices import AccountKind, ConversationAction, ConversationStatus
from kefu.channels.models import Call, Conversation, ConversationEvent, Message
from kefu.core.errors import NotFound, field_error
from kefu.core.workflow import Change, Table, Transition, Workflow, choices_label, run_transition
from kefu.org.choices import Visibility
from kefu.org.selectors import Actor, require_actor
from kefu.workorders import workflow as wo_workflow
from kefu.workorders.choices import Action as WorkOrderAction
from kefu.workorders.choices import Channel, Status, WorkOrderType
from kefu.workorders.models import Category, WorkOrder
from kefu.workorders.selectors import subtree_ids
from kefu.workorders.services import work_order_create, work_order_transition

A, S = ConversationAction, ConversationStatus
ROLES = wo_workflow.INTAKE_ROLES
TABLE = Table(
    Transition(A.CONVERT, {S.OPEN}, S.CONVERTED, ROLES),
    Transition(A.APPEND, {S.OPEN}, S.CONVERTED, ROLES, ("work_order",)),
    Transition(A.CLOSE, {S.OPEN}, S.CLOSED, ROLES),
)
CLOSED_ORDER_STATUSES = {Status.CLOSED, Status.CANCELLED}


def order_channel(account) -> str:
    """The work-order channel of what comes in through this account."""
    if account.kind == AccountKind.CTI:
        channel = account.config_value("channel", Channel.HOTLINE_400)
        return channel if channel in Channel.values else Channel.HOTLINE_400
    return {AccountKind.IMAP: Channel.EMAIL, AccountKind.SUGGESTION_BOX: Channel.SUGGESTION_BOX}.get(
        account.kind, Channel.ONLINE_CHAT)


def can_see(actor: Actor, conversation: Conversation) -> bool:
    return actor.visibility == Visibility.ALL or conversation.account.department_id in set(subtree_ids(actor))


def conversation_text(conversation: Conversation) -> str:
    lines = [m.text for m in conversation.messages.all() if m.text.strip()]
    return "\n".join(lines) or conversation.subject


def _first_received(conversation: Conversation):
    first = conversation.messages.order_by("received_at", "id").first()
    return first.received_at if first else conversation.created_at


def _apply(conversation: Conversation, actor: Actor, action: str, data: dict, now) -> Change:
    if action == A.CONVERT:
        raw_category = data.get("category")
        category = raw_category if isinstance(raw_category, Category) else (
            Category.objects.filter(pk=int(str(raw_category))).first() if str(raw_category or "").isdigit() else None)
        description = (data.get("description") or "").strip() or conversation_text(conversation)
        title = (data.get("title") or "").strip() or (conversation.subject or description)[:60]
        customer = conversation.customer
        phone = conversation.address if conversation.account.kind == AccountKind.CTI else ""
        order = work_order_create(
            actor_user=data["actor_user"], type=data.get("type") or WorkOrderType.INQUIRY,
            channel=order_channel(conversation.account), category=category, title=title[:200],
            description=description, priority=data.get("priority") or "normal", customer=customer,
            contact_phone=phone, received_at=min(_first_received(conversation), now))
        return Change(changes={"work_order": order}, data={"work_order": order.pk, "number": order.number},
                      after=lambda: _link(conversation, order))
    if action == A.APPEND:
        return _append(conversation, data)
    return Change(body=(data.get("reason") or "").strip()[:500])


def _append(conversation: Conversation, data: dict) -> Change:
    raw_order = data["work_order"]
    order: WorkOrder | None = raw_order if isinstance(raw_order, WorkOrder) else (
        WorkOrder.objects.filter(pk=int(raw_order)).first() if str(raw_order).isdigit() else None)
    if (order is None or order.status in CLOSED_ORDER_STATUSES
            or (conversation.customer_id and order.customer_id != conversation.customer_id)):
        raise field_error("work_order", _("Choose an open work order of the same customer."))
    body = conversation_text(conversation)
    work_order_transition(work_order=order, action=WorkOrderAction.COMMENT, actor_user=data["actor_user"],
                          body=_("Customer message (%(channel)s): %(text)s") % {
                              "channel": conversation.account.name, "text": body}, internal=False)
    return Change(changes={"work_order": order}, data={"work_order": order.pk, "number": order.number},
                  after=lambda: _link(conversation, order))


def _link(conversation: Conversation, order: WorkOrder) -> None:
    Message.objects.filter(conversation=conversation, work_order__isnull=True).update(work_order=order)
    for call in Call.objects.filter(conversation=conversation):
        call.work_orders.add(order)


def _record(conversation: Conversation, *, action, actor_user, now, from_status, to_status, change: Change):
    return ConversationEvent.objects.create(conversation=conversation, action=action, actor=actor_user,
                                            created_at=now, from_status=from_status, to_status=to_status,
                                            body=change.body, data=change.data)


FLOW = Workflow(
    model=Conversation, table=TABLE, subject=gettext_lazy("conversation"),
    not_found=gettext_lazy("Conversation not found."), action_label=choices_label(ConversationAction),
    status_label=choices_label(ConversationStatus),
    queryset=lambda: Conversation.objects.select_related("account", "customer"),
    can_see=can_see, apply=_apply, record_event=_record)


def conversation_transition(*, conversation: Conversation | int, action: str, actor_user,
                            expected_version: int | None = None, **data) -> Conversation:
    """Convert, append or close a conversation as `actor_user` (404/403/409/400 as the kernel)."""
    return run_transition(FLOW, obj=conversation, action=action, actor=require_actor(actor_user),
                          actor_user=actor_user, expected_version=expected_version,
                          data={**data, "actor_user": actor_user})


def append_to_order_if_named(*, conversation: Conversation, message: Message,
                             reference_text: str = "") -> WorkOrder | None:
    """A message naming an open order of the conversation's customer (in its text, the subject or
    `reference_text`, e.g. a mail's In-Reply-To) is added to that order as a customer comment
    (by the system user) at once. A conversation that holds only this message is then done:
    it is marked appended to that order."""
    from kefu.channels.inbound import order_numbers_in, system_user

    numbers = order_numbers_in(f"{conversation.subject}\n{message.text}\n{reference_text}")
    if not numbers or conversation.customer_id is None:
        return None
    order = (WorkOrder.objects.filter(number__in=numbers, customer_id=conversation.customer_id)
             .exclude(status__in=CLOSED_ORDER_STATUSES).first())
    if order is None:
        return None
    try:
        work_order_transition(work_order=order, action=WorkOrderAction.COMMENT, actor_user=system_user(),
                              body=_("Customer message (%(channel)s): %(text)s") % {
                                  "channel": conversation.account.name, "text": message.text[:5000]},
                              internal=False)
    except NotFound:
        return None
    Message.objects.filter(pk=message.pk).update(work_order=order)
    if conversation.status == ConversationStatus.OPEN and not conversation.messages.exclude(pk=message.pk).exists():
        now = timezone.now()
        Conversation.objects.filter(pk=conversation.pk, status=ConversationStatus.OPEN).update(
            status=ConversationStatus.CONVERTED, work_order=order, version=F("version") + 1, updated_at=now)
        ConversationEvent.objects.create(conversation=conversation, action=ConversationAction.APPEND, actor=None,
                                         created_at=now, from_status=ConversationStatus.OPEN,
                                         to_status=ConversationStatus.CONVERTED,
                                         data={"work_order": order.pk, "number": order.number, "automatic": True})
    return order
