"""Email in, against a real Dovecot on loopback that the test starts (kefu.channels.testing.dovecot):
new mail → conversation → order; a reply naming the order → a customer comment on it; auto-replies
and bounces → nothing; attachments and HTML; flags set only after storing; a wrong password."""

import itertools
import os
from email.message import EmailMessage

import pytest
from imap_tools import AND, MailBoxUnencrypted

from kefu.channels.conversations import conversation_transition
from kefu.channels.mail import poll_mailbox
from kefu.channels.models import Conversation, InboundItem, Message, PollState
from kefu.channels.testing import dovecot
from kefu.channels.tests.factories import make_account
from kefu.customers.tests.factories import make_customer
from kefu.workorders.models import Category, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db
_users = itertools.count(1)
_message_ids = itertools.count(1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(scope="session")
def imap_server():
    if not dovecot.available():
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is required with CI=true: run `make system-deps` (dovecot-imapd)")
        pytest.skip("Dovecot is not installed: `make system-deps` installs dovecot-imapd")
    server = dovecot.start(users={f"service{n}@kefu.test": "mail-pw" for n in range(1, 200)})
    yield server
    server.stop()


@pytest.fixture
def mailbox_account(imap_server, org):
    username = f"service{next(_users)}@kefu.test"
    account = make_account(department=org["cs"], kind="imap", name="客服邮箱", secret="mail-pw",
                           config={"host": imap_server.host, "port": imap_server.port, "security": "none",
                                   "username": username})
    return account


def deliver(account, message: EmailMessage) -> None:
    with MailBoxUnencrypted(account.config["host"], account.config["port"]).login(
            account.config["username"], "mail-pw") as mailbox:
        mailbox.append(message.as_bytes(), "INBOX", dt=None, flag_set=())


def mail(subject: str, body: str, *, sender: str = "wang@example.com", headers: dict | None = None,
         html: str = "", attachment: bytes | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"王芳 <{sender}>"
    message["To"] = "service@kefu.test"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.encode().hex()[:20]}.{next(_message_ids)}@example.com>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    if attachment is not None:
        message.add_attachment(attachment, maintype="image", subtype="png", filename="leak.png")
    return message


def unseen(account) -> int:
    with MailBoxUnencrypted(account.config["host"], account.config["port"]).login(
            account.config["username"], "mail-pw") as mailbox:
        return len(list(mailbox.uids(AND(seen=False))))


def _category():
    return next(c for c in Category.objects.filter(is_active=True) if c.allows_type("repair"))


def test_new_mail_becomes_a_conversation_and_then_an_order(mailbox_account, cast):
    customer = make_customer(name="王芳", email="wang@example.com")
    deliver(mailbox_account, mail("卫生间漏水", "楼上漏水到我家卫生间，请尽快处理。"))
    assert unseen(mailbox_account) == 1
    assert poll_mailbox(mailbox_account) == 1
    assert unseen(mailbox_account) == 0  # flagged only after it was stored
    conversation = Conversation.objects.get()
    assert (conversation.address, conversation.customer, conversation.subject) == (
        "wang@example.com", customer, "卫生间漏水")
    assert [m.text for m in conversation.messages.all()] == ["楼上漏水到我家卫生间，请尽快处理。"]
    conversation_transition(conversation=conversation, action="convert", actor_user=cast["agent"], type="repair",
                            category=_category().pk)
    order = WorkOrder.objects.get()
    assert (order.channel, order.customer, order.title, order.description) == (
        "email", customer, "卫生间漏水", "楼上漏水到我家卫生间，请尽快处理。")
    assert poll_mailbox(mailbox_account) == 0  # nothing new: nothing stored twice
    assert InboundItem.objects.count() == 1


def test_reply_naming_the_order_becomes_a_comment_on_it(mailbox_account, cast):
    customer = make_customer(name="王芳", email="wang@example.com")
    from kefu.workorders.services import work_order_create
    order = work_order_create(actor_user=cast["agent"], type="repair", channel="email", category=_category(),
                              title="卫生间漏水", description="d", customer=customer)
    deliver(mailbox_account, mail(f"Re: [{order.number}] 卫生间漏水", "师傅还没来，请再安排一下。"))
    poll_mailbox(mailbox_account)
    comment = WorkOrderEvent.objects.get(work_order=order, action="comment")
    assert comment.internal is False and "师傅还没来" in comment.body
    conversation = Conversation.objects.get()
    assert (conversation.status, conversation.work_order) == ("converted", order)


def test_reply_by_in_reply_to_header(mailbox_account, cast):
    customer = make_customer(name="王芳", email="wang@example.com")
    from kefu.workorders.services import work_order_create
    order = work_order_create(actor_user=cast["agent"], type="repair", channel="email", category=_category(),
                              title="漏水", description="d", customer=customer)
    deliver(mailbox_account, mail("Re: 您的工单", "谢谢", headers={"In-Reply-To": f"<{order.number}@kefu.test>"}))
    poll_mailbox(mailbox_account)
    assert WorkOrderEvent.objects.filter(work_order=order, action="comment").count() == 1


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"},
    {"Precedence": "bulk"},
    {"X-Autoreply": "yes"},
])
def test_auto_replies_create_nothing(mailbox_account, headers):
    make_customer(name="王芳", email="wang@example.com")
    deliver(mailbox_account, mail("自动回复：我正在休假", "我将于下周回来。", headers=headers))
    assert poll_mailbox(mailbox_account) == 1
    item = InboundItem.objects.get()
    assert item.processed_at is not None and item.error == "automatic mail: not taken in"
    assert not Conversation.objects.exists() and not Message.objects.exists() and not WorkOrder.objects.exists()
    assert unseen(mailbox_account) == 0


def test_bounce_from_mailer_daemon_creates_nothing(mailbox_account):
    deliver(mailbox_account, mail("Undelivered Mail Returned to Sender", "delivery failed",
                                  sender="MAILER-DAEMON@example.com"))
    poll_mailbox(mailbox_account)
    assert not Conversation.objects.exists()


def test_html_is_sanitised_and_attachments_kept(mailbox_account):
    deliver(mailbox_account, mail("照片", "见附件", html='<p onclick="x()">见附件<script>alert(1)</script></p>',
                                  attachment=PNG))
    poll_mailbox(mailbox_account)
    message = Message.objects.get()
    assert "<script" not in message.html and "onclick" not in message.html and "见附件" in message.html
    attachment = message.attachments.get()
    assert (attachment.name, attachment.content_type, attachment.size) == ("leak.png", "image/png", len(PNG))


def test_wrong_password_stores_nothing_and_leaves_mail_unseen(mailbox_account):
    deliver(mailbox_account, mail("你好", "在吗"))
    mailbox_account.set_secret("secret", "wrong")
    mailbox_account.save()
    assert poll_mailbox(mailbox_account) == 0
    state = PollState.objects.get(account=mailbox_account)
    assert "MailboxLoginError" in state.last_error and state.lease_until is None
    assert not InboundItem.objects.exists() and unseen(mailbox_account) == 1


def test_paused_mailbox_is_not_polled(mailbox_account):
    deliver(mailbox_account, mail("你好", "在吗"))
    mailbox_account.is_paused = True
    mailbox_account.save()
    assert poll_mailbox(mailbox_account) == 0
    assert unseen(mailbox_account) == 1


def test_a_second_worker_holding_the_lease_skips(mailbox_account):
    from kefu.channels.mail import claim
    deliver(mailbox_account, mail("你好", "在吗"))
    assert claim(mailbox_account)
    assert poll_mailbox(mailbox_account) == 0
    assert unseen(mailbox_account) == 1
