"""A reproducible corpus of adversarial work-order texts and the reference substring scan.

The texts put terms inside longer words, write the same thing in full and half width and in
both cases, mix Chinese, Latin letters and digits, repeat characters, split words across fields
and across white space, and use characters that mean something to LIKE, FTS5 and tsquery.
"""

import random

from django.utils import timezone

from kefu.knowledge.text import FIELD_SEPARATOR, Query, normalise
from kefu.workorders.choices import Action, Status
from kefu.workorders.models import Category, WorkOrder, WorkOrderEvent

PIECES = [
    "卫生间漏水到楼下", "漏水", "楼上漏水", "水管爆裂", "漏", "水", "水水水水", "哈哈哈", "电梯困人", "电梯", "梯",
    "噪音扰民", "装修噪音", "噪", "3栋2单元1201", "3-2-1201", "Ａ座１２０３", "a座1203", "WiFi断线", "ＷＩＦＩ", "wi-fi",
    "Wi Fi", "ABC123", "ａｂｃ１２３", "100%", "50%off", "a_b", "a%b", "O'Brien", "back\\slash", '"quoted"', "x*y",
    "a&b|c!d", "(括号)", "：冒号", "漏-水", "漏 水", "充电桩无法充电", "道闸不抬杆", "光猫红灯闪烁", "宽带", "带宽",
    "Straße", "STRASSE", "ﬁle", "file", "Ⅻ", "xii", "①号楼", "1号楼", "𠀋字", "😀笑脸", "kefu", "KEFU", "Kefu客服",
    "", "", "",
]
NAMES = ["张三", "李四", "王小明", "欧阳娜娜", "Ｍａｒｙ", "mary", "漏水张", "O'Neil"]
QUERIES = [
    "水", "漏", "噪", "梯", "a", "Ａ", "%", "_", "'", "\\", '"', "*", "&", "|", "!", "(", ":", "：", "😀", "𠀋",
    "漏水", "噪音", "电梯", "水水", "哈哈", "ab", "ＡＢ", "12", "wi", "Wi", "-水", "漏-", "号楼", "ⅻ", "fi", "ss",
    "水水水", "水水水水水", "漏水到", "3-2-1201", "1201", "单元1201", "wifi", "WIFI", "ｗｉｆｉ", "wi-fi", "abc123",
    "ＡＢＣ123", "100%", "%off", "a_b", "a%b", "o'brien", "back\\slash", '"quoted"', "x*y", "a&b|c!d", "(括号)",
    "strasse", "straße", "file", "xii", "1号楼", "笑脸", "kefu客服", "张三", "小明", "mary", "漏水张",
    "漏水 楼下", "电梯 困人", "ｗｉｆｉ 断线", "漏 水", "水 电梯 噪音", "漏水  漏水", "漏水 漏",
    "不存在的词", "漏水楼", "水漏", "a b", "xyz123",
]


def make_corpus(*, n: int, actor, customers, assets, teams, seed: int = 7) -> list[int]:
    """`n` orders with random texts (bulk, without the gate: a fixture) plus public and internal
    comments; half dispatched to `teams` in turn. Returns the order ids."""
    rng = random.Random(seed)
    category = Category.objects.filter(children__isnull=True).order_by("code").first()
    now = timezone.now()

    def text(k: int) -> str:
        return rng.choice(["", " ", "\n"]).join(rng.choice(PIECES) for _ in range(rng.randint(0, k)))

    orders = []
    for i in range(n):
        customer = rng.choice(customers + [None])
        team = rng.choice(teams + [None])
        orders.append(WorkOrder(
            number=f"T{seed}-{i:06d}", type="repair", channel="phone", category=category,
            title=text(3)[:200] or "无标题", description=text(6), resolution=text(2) if rng.random() < 0.3 else "",
            contact_name=rng.choice(NAMES + [""]), contact_phone=f"1390000{i:04d}", customer=customer,
            asset=rng.choice(assets + [None]), received_at=now, updated_at=now, first_contact_owner=actor,
            team=team, status=Status.DISPATCHED if team else Status.NEW))
    WorkOrder.objects.bulk_create(orders, batch_size=500)
    events = []
    for order in orders:
        for _ in range(rng.choice([0, 0, 1, 2])):
            events.append(WorkOrderEvent(work_order=order, action=Action.COMMENT, actor=actor, created_at=now,
                                         from_status=order.status, to_status=order.status, body=text(3),
                                         internal=rng.random() < 0.5))
    WorkOrderEvent.objects.bulk_create(events, batch_size=500)
    return [o.pk for o in orders]


def order_segments(order_ids, *, internal: bool) -> dict[int, list[str]]:
    """Each order's searchable fields, normalised, read straight from the orders and events."""
    segments: dict[int, list[str]] = {}
    for row in WorkOrder.objects.filter(pk__in=order_ids).values(
            "pk", "title", "description", "resolution", "contact_name", "customer__name", "asset__code"):
        pk = row.pop("pk")
        segments[pk] = [normalise(v) for v in row.values() if v]
    comments = WorkOrderEvent.objects.filter(work_order_id__in=order_ids, action=Action.COMMENT)
    if not internal:
        comments = comments.filter(internal=False)
    for order_id, body in comments.values_list("work_order_id", "body"):
        segments[order_id].append(normalise(body))
    return segments


def reference_scan(segments: dict[int, list[str]], query: Query) -> set[int]:
    """The plain substring scan the index must agree with."""
    return {pk for pk, fields in segments.items() if all(any(t in f for f in fields) for t in query.terms)}


def joined(fields) -> str:
    return FIELD_SEPARATOR.join(fields)
