"""The fixture month (March 2026, Asia/Shanghai) whose figures the tests compute by hand.

Every order is moved through the real services at the real instants (time-machine), so the SLA
clocks, callbacks and rating links are the ones production would write.

    A1 complaint C1 cat K  rec 03-10 10:00  accept 10:10 (FR met) resolve 03-11 10:00 (met, ≤3 d)
                            callback satisfied+solved; rating 5/5/5
    A2 complaint C1 cat K  rec 03-20 10:00  accept 11:00 (FR 60 business min > 30: breached)
                            resolve 03-25 10:00 (3-day clock breached); callback neutral+solved;
                            rating 3/3/3 — a repeat complaint (A1, 10 days earlier)
    A3 complaint C2 cat K  rec 03-05 10:00  accept 10:05 (FR met); still open (resolution due 03-08:
                            breached while running)
    A4 repair high C2 U1   rec 03-15 09:00  accept 09:05, resolve 09:10 (FR + resolution met; FCR);
                            callback unreachable (3 attempts)
    A5 repair high         rec 03-16 09:00  dispatch MEP 09:20 (FR met) start 03-17, resolve 03-18 09:00
                            (24 h clock breached) reopen 10:00 start 11:00 resolve 12:00 (second clock met);
                            callback left open
    A6 inquiry web portal  rec 03-20 14:00  accept 14:02 resolve 14:05 (FCR)
    A7 inquiry             rec 03-31 23:00 (+08: still March, 15:00 UTC)  cancelled 04-01 09:00
    B1 repair high         rec 04-01 00:30 (+08: April, still 31 March in UTC) open
    B2 complaint C1 cat K  rec 02-01 10:00  accept, resolve 02-02 (previous period)
The report is read at 2026-04-15 12:00 (+08).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from kefu.callbacks.models import Callback
from kefu.callbacks.services import callback_attempt_record, rating_submit
from kefu.customers.tests.factories import make_asset, make_customer, make_site
from kefu.workorders.services import work_order_transition
from kefu.workorders.tests.factories import category_for, make_work_order

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 4, 15, 12, 0, tzinfo=SH)


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def _act(order, user, when, action, **data):
    with time_machine.travel(when, tick=False):
        return work_order_transition(work_order=order, action=action, actor_user=user, **data)


def _create(user, when, **kwargs):
    with time_machine.travel(when, tick=False):
        return make_work_order(actor=user, received_at=when, contact_phone="13800138000", **kwargs)


def _callback(order, user, when, *, reached=True, outcome="", solved=None):
    task = Callback.objects.get(work_order=order, status="open")
    with time_machine.travel(when, tick=False):
        return callback_attempt_record(callback=task, actor_user=user, method="phone", reached=reached,
                                       outcome=outcome, solved=solved)


def _rate(order, when, stars):
    from kefu.callbacks.services import rating_link_issue

    with time_machine.travel(when, tick=False):
        _link, token = rating_link_issue(order=order)
        rating_submit(token=token, speed=stars, attitude=stars, quality=stars)


def build_month(cast, org) -> dict:
    agent = cast["agent"]
    site = make_site(unit_count=500)
    unit = make_asset(site=site)
    c1, c2 = make_customer(name="张三"), make_customer(name="李四")
    complaint_cat = category_for("complaint")
    o = {}
    b2 = _create(agent, at(2, 1, 10), type="complaint", customer=c1, category=complaint_cat)
    _act(b2, agent, at(2, 1, 10, 5), "accept")
    _act(b2, agent, at(2, 2, 10), "resolve", resolution="已处理")
    o["B2"] = b2

    a1 = _create(agent, at(3, 10, 10), type="complaint", customer=c1, category=complaint_cat)
    _act(a1, agent, at(3, 10, 10, 10), "accept")
    _act(a1, agent, at(3, 11, 10), "resolve", resolution="已道歉并整改")
    _callback(a1, agent, at(3, 12, 10), outcome="satisfied", solved=True)
    _rate(a1, at(3, 12, 11), 5)
    o["A1"] = a1

    a2 = _create(agent, at(3, 20, 10), type="complaint", customer=c1, category=complaint_cat)
    _act(a2, agent, at(3, 20, 11), "accept")
    _act(a2, agent, at(3, 25, 10), "resolve", resolution="已协调")
    _callback(a2, agent, at(3, 26, 10), outcome="neutral", solved=True)
    _rate(a2, at(3, 26, 11), 3)
    o["A2"] = a2

    a3 = _create(agent, at(3, 5, 10), type="complaint", customer=c2, category=complaint_cat)
    _act(a3, agent, at(3, 5, 10, 5), "accept")
    o["A3"] = a3

    a4 = _create(agent, at(3, 15, 9), type="repair", priority="high", customer=c2, asset=unit)
    _act(a4, agent, at(3, 15, 9, 5), "accept")
    _act(a4, agent, at(3, 15, 9, 10), "resolve", resolution="已复位")
    for minute in (0, 10, 20):
        _callback(a4, agent, at(3, 16, 10, minute), reached=False)
    o["A4"] = a4

    a5 = _create(agent, at(3, 16, 9), type="repair", priority="high")
    _act(a5, agent, at(3, 16, 9, 20), "dispatch", team=org["mep"])
    _act(a5, agent, at(3, 17, 9), "start")
    _act(a5, agent, at(3, 18, 9), "resolve", resolution="已更换")
    _act(a5, agent, at(3, 18, 10), "reopen", reason="客户反映仍漏水")
    _act(a5, agent, at(3, 18, 11), "start")
    _act(a5, agent, at(3, 18, 12), "resolve", resolution="已重新更换")
    o["A5"] = a5

    a6 = _create(agent, at(3, 20, 14), type="inquiry", channel="web_portal")
    _act(a6, agent, at(3, 20, 14, 2), "accept")
    _act(a6, agent, at(3, 20, 14, 5), "resolve", resolution="已答复")
    o["A6"] = a6

    a7 = _create(agent, at(3, 31, 23), type="inquiry")
    _act(a7, agent, at(4, 1, 9), "cancel", reason="重复来电")
    o["A7"] = a7

    o["B1"] = _create(agent, at(4, 1, 0, 30), type="repair", priority="high")
    return {"orders": o, "site": site, "unit": unit, "customers": (c1, c2), "complaint_category": complaint_cat}
