"""Demo notices: a water stop sent to one building (log-only SMS unless an account is set up),
a typhoon warning waiting for the supervisor's approval, and a holiday greeting as a draft."""

from django.contrib.auth import get_user_model
from django.db.models import Count

from kefu.customers.models import Building
from kefu.notices.models import Notice
from kefu.notices.services import notice_create, notice_expand_chunk, notice_transition


def create_demo_notices() -> str:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["steward", "supervisor", "agent"])}
    author = users.get("steward") or users.get("agent")
    approver = users.get("supervisor")
    if Notice.objects.exists() or author is None or approver is None:
        return "notices already present (or no demo staff)"
    buildings = list(Building.objects.annotate(n=Count("assets__customer_links")).filter(n__gt=0).order_by("-n")[:2])
    if not buildings:
        return "no occupied buildings for demo notices"
    water = notice_create(actor_user=author, title="停水通知",
                          body="因管网维修，明日 9:00-12:00 停水，请提前储水。给您带来不便，敬请谅解。",
                          channels=["wechat", "sms", "email"], target={"buildings": [buildings[0].pk]})
    for action, user in (("submit", author), ("approve", approver), ("send", author)):
        water = notice_transition(notice=water, action=action, actor_user=user)
    while notice_expand_chunk(notice_id=water.pk):
        pass
    water.refresh_from_db()
    typhoon = notice_create(actor_user=author, title="台风预警",
                            body="台风“海葵”预计今晚登陆，请关好门窗，收好阳台物品，非必要不外出。",
                            channels=["sms"], target={"buildings": [b.pk for b in buildings]}, urgent=True)
    notice_transition(notice=typhoon, action="submit", actor_user=author)
    notice_create(actor_user=author, title="元旦问候", body="物业服务中心祝您元旦快乐，阖家安康！",
                  channels=["wechat", "sms"], target={"buildings": [buildings[0].pk]})
    return f"3 demo notices ({water.recipients} recipients of the water stop)"
