"""Demo of the channels, through the real services: a 400 line with a day of calls (answered,
slow, missed → callback tasks), a WeChat official account with followers' messages (one bound to
a customer) and a mailbox (paused: no mail server in the demo), so the inbound queue, the screen
pop's conversations, the figures and the callbacks have data. Idempotent: nothing when channel
accounts exist already."""

import json
import random
from datetime import timedelta

from django.utils import timezone

from kefu.channels import cti
from kefu.channels.inbound import identity_bind, inbound_store, message_receive
from kefu.channels.models import ChannelAccount
from kefu.customers.models import CustomerPhone
from kefu.org.models import Department

WECHAT_TEXTS = ["3号楼电梯又停了，困了十分钟", "小区东门道闸坏了，车出不去", "请问物业费可以开电子发票吗",
                "楼下烧烤油烟太大", "地下车库B2有积水"]


def create_demo_channels(*, seed: int = 7) -> str:
    department = Department.objects.filter(code="CH-CS").first()
    if department is None or ChannelAccount.objects.exists():
        return "channels: nothing added"
    rng = random.Random(seed)
    line = ChannelAccount(kind="cti", provider="generic", name="400 客服热线", department=department,
                          config={"answer_target_seconds": 15, "extensions": {"8001": "agent", "8002": "agent2"}})
    line.set_secret("secret", "demo-cti-hmac-key")
    line.save()
    mp = ChannelAccount(kind="wechat_mp", name="物业服务号", department=department,
                        config={"app_id": "wxdemo0000000000", "token": "demotoken"})
    mp.set_secret("secret", "demo-app-secret")
    mp.save()
    mailbox = ChannelAccount(kind="imap", name="客服邮箱", department=department, is_paused=True,
                             config={"host": "127.0.0.1", "port": 143, "security": "none",
                                     "username": "service@example.com"})
    mailbox.set_secret("secret", "demo-mail-password")
    mailbox.save()

    phones = list(CustomerPhone.objects.select_related("customer").order_by("id")[:40])
    now = timezone.now()
    calls = 0
    for n in range(30):
        phone = rng.choice(phones).number if phones and rng.random() < 0.8 else f"1390000{n:04d}"
        start = now - timedelta(hours=8) + timedelta(minutes=15 * n)
        ring = rng.choice([4, 6, 8, 11, 14, 18, 25])
        agent = rng.choice(["8001", "8002"])
        events = [("ringing", start, "")]
        if rng.random() < 0.15:
            events.append(("missed", start + timedelta(seconds=ring + 20), ""))
        else:
            events.append(("answered", start + timedelta(seconds=ring), agent))
            events.append(("ended", start + timedelta(seconds=ring + rng.randint(60, 400)), agent))
        for event, at, who in events:
            payload = {"event": event, "call_id": f"demo-{n:03d}", "caller": phone, "line": "4008008888",
                       "at": at.isoformat(), "agent": who,
                       "recording_url": f"https://recordings.example.com/demo-{n:03d}.mp3" if event == "ended" else ""}
            body = json.dumps(payload).encode()
            cti.receive_event(account=line, body=body, event=cti.parse_event(body))
        calls += 1

    for n, text in enumerate(WECHAT_TEXTS):
        openid = f"oDemoFollower{n}"
        if n == 0 and phones:
            identity_bind(account=mp, address=openid, customer=phones[0].customer)
        item, _created = inbound_store(account=mp, provider_id=f"msg:demo{n}", kind="wechat",
                                       payload={"type": "text", "from": openid})
        message_receive(item=item, account=mp, address=openid, text=text,
                        received_at=now - timedelta(minutes=30 * (len(WECHAT_TEXTS) - n)))
    return f"channels: 3 accounts, {calls} calls, {len(WECHAT_TEXTS)} WeChat messages"
