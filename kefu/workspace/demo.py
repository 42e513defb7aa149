"""Demo and benchmark data: an organisation, staff in every role, customers, and work orders in
every state with the events that led there.

Orders are bulk-inserted (the benchmark needs up to 1,000,000), bypassing the service on
purpose: the rows written are exactly what `work_order_transition` would have written, with
timestamps spread over the past weeks instead of "now" — their SLA clocks and fired escalation
steps included (`kefu.workspace.demo_clocks`), unless the caller asks for none (the benchmarks).
Deterministic for a given seed.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kefu.core.models import NumberSequence
from kefu.customers.codes import asset_sort_key
from kefu.customers.demo import create_demo_archives
from kefu.customers.models import Asset, Building, Customer, CustomerAsset, CustomerPhone, Site
from kefu.customers.services import name_initials
from kefu.org.models import Department, Role, Staff
from kefu.org.services import department_create, staff_create
from kefu.reports.facts import order_facts_rebuild, order_facts_refresh
from kefu.reports.metrics import REPEAT_WINDOW_DAYS
from kefu.workorders.choices import Channel, PlanStatus, Priority, Status, WorkOrderType
from kefu.workorders.models import Category, PlanApproval, WorkOrder, WorkOrderEvent

DEMO_PASSWORD = "kefu-demo"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉晨宇浩然子涵欣怡梓萱俊杰思远雨桐佳琪嘉怡博文一诺"

# (username, name, role, department code, superuser)
STAFF = [
    ("admin", "系统管理员", "administrator", "HY", True),
    ("director", "周总监", "director", "HY", False),
    ("manager", "陈经理", "manager", "CH", False),
    ("supervisor", "李主管", "supervisor", "CH-CS", False),
    ("agent", "王晓梅", "agent", "CH-CS-FRONT", False),
    ("agent2", "赵丽", "agent", "CH-CS-FRONT", False),
    ("steward", "孙管家", "steward", "CH-CS-STEWARD", False),
    ("tech", "刘师傅", "technician", "CH-ENG-MEP", False),
    ("tech2", "张师傅", "technician", "CH-ENG-MEP", False),
    ("qa", "吴质检", "qa", "CH-CS", False),
    ("clerk", "郑文员", "clerk", "CH-CS", False),
    ("vendor", "电梯维保公司", "vendor", "CH-VENDOR-LIFT", False),
    ("bb_agent", "黄客服", "agent", "BB-CS-DESK", False),
    ("bb_supervisor", "何主管", "supervisor", "BB-CS", False),
    ("bb_tech", "林工程师", "technician", "BB-CS-FAULT", False),
]

# (code, name, English name, kind, parent code)
DEPARTMENTS = [
    ("HY", "华悦集团", "Huayue Group", "group", None),
    ("CH", "翠湖花园项目", "Cuihu Garden estate", "company", "HY"),
    ("CH-CS", "客户服务中心", "Customer service center", "department", "CH"),
    ("CH-CS-FRONT", "前台受理组", "Front desk", "team", "CH-CS"),
    ("CH-CS-STEWARD", "楼层管家组", "Stewards", "team", "CH-CS"),
    ("CH-ENG", "工程部", "Engineering", "department", "CH"),
    ("CH-ENG-MEP", "水电维修组", "Plumbing and electrical", "team", "CH-ENG"),
    ("CH-VENDOR-LIFT", "电梯维保（外包）", "Elevator maintenance (vendor)", "team", "CH-ENG"),
    ("CH-ENV", "环境部", "Environment", "department", "CH"),
    ("CH-ENV-CLEAN", "保洁绿化组", "Cleaning and landscaping", "team", "CH-ENV"),
    ("BB", "华悦宽带", "Huayue Broadband", "company", "HY"),
    ("BB-CS", "宽带客服部", "Broadband service", "department", "BB"),
    ("BB-CS-DESK", "业务受理组", "Service desk", "team", "BB-CS"),
    ("BB-CS-FAULT", "障碍处理组", "Fault handling", "team", "BB-CS"),
]

TITLES = {
    "prop.repair": ["卫生间漏水到楼下", "厨房下水道堵塞", "客厅灯不亮", "电梯异响", "地库道闸不抬杆", "充电桩无法充电",
                    "楼道灯坏了", "空调外机滴水", "入户门锁坏", "小区路灯不亮"],
    "prop.complaint": ["保安态度差", "楼上装修噪音大", "楼道垃圾未清理", "停车位被占用", "物业费收费不明",
                       "维修后仍然漏水", "邻居养狗扰民", "绿化带长期无人修剪"],
    "prop.inquiry": ["物业费缴费方式", "装修申请需要什么材料", "车位租赁价格", "入伙手续办理"],
    "prop.suggestion": ["建议增加快递柜", "建议小区增设儿童游乐设施"],
    "prop.praise": ["感谢维修师傅及时处理", "表扬前台服务热情"],
    "prop.special": ["预约家政保洁", "搬家协助"],
    "prop.change": ["更换业主联系电话", "办理物品放行"],
    "tel.fault": ["宽带无法上网", "网速很慢", "光猫红灯闪烁", "电视没有信号"],
    "tel.complaint": ["账单多扣费", "装机超过约定时间", "晚上网络经常断线"],
    "tel.change": ["申请增加一条线路", "重置宽带密码", "变更套餐"],
    "tel.inquiry": ["咨询千兆套餐资费", "查询上月账单"],
    "tel.suggestion": ["建议延长营业厅时间"],
    "tel.praise": ["表扬装机师傅"],
}
# Titles per leaf category, so an order's title says what its category says ("电梯困人" is never
# filed under 门窗); a category without its own list takes its branch's (TITLES).
LEAF_TITLES = {
    "prop.repair.water.leak": ["卫生间漏水到楼下", "厨房水管渗水", "阳台顶棚渗水"],
    "prop.repair.water.blocked": ["厨房下水道堵塞", "卫生间地漏堵塞", "楼道排水管堵塞"],
    "prop.repair.water.pressure": ["家里突然停水", "高层水压太低"],
    "prop.repair.electric.outage": ["家里跳闸停电", "半个单元停电"],
    "prop.repair.electric.lighting": ["楼道灯坏了", "小区路灯不亮", "地库照明不亮"],
    "prop.repair.electric.socket": ["客厅插座没电", "开关面板松动"],
    "prop.repair.elevator.trapped": ["电梯困人，请立即处理"],
    "prop.repair.elevator.fault": ["电梯异响", "电梯按钮失灵", "电梯门关不上"],
    "prop.repair.access": ["地库道闸不抬杆", "单元门禁刷卡无反应"],
    "prop.repair.charger": ["充电桩无法充电", "充电桩扫码无反应"],
    "prop.repair.door": ["入户门锁坏", "窗户关不严漏风"],
    "prop.repair.hvac": ["空调外机滴水", "地暖不热"],
    "prop.repair.public": ["小区健身器材损坏", "单元信报箱损坏"],
    "prop.complaint.attitude": ["保安态度差", "前台接待不耐烦"],
    "prop.complaint.security": ["陌生人随意进出单元", "夜间巡逻不到位"],
    "prop.complaint.cleaning": ["楼道垃圾未清理", "垃圾桶满了没人收"],
    "prop.complaint.greenery": ["绿化带长期无人修剪", "草坪杂草丛生"],
    "prop.complaint.noise": ["楼上装修噪音大", "夜间广场舞噪音扰民"],
    "prop.complaint.parking": ["停车位被占用", "消防通道被车辆堵塞"],
    "prop.complaint.fees": ["物业费收费不明", "公摊电费过高"],
    "prop.complaint.renovation": ["邻居违规改动承重墙", "装修垃圾堆放楼道"],
    "prop.complaint.pets": ["邻居养狗扰民", "小区内遛狗不拴绳"],
    "prop.inquiry.fees": ["物业费缴费方式", "物业费发票怎么开"],
    "prop.inquiry.renovation": ["装修申请需要什么材料", "装修押金何时退还"],
    "prop.inquiry.parking": ["车位租赁价格", "月卡车位怎么办理"],
    "prop.inquiry.other": ["入伙手续办理", "快递柜在哪里"],
    "prop.special.housekeeping": ["预约家政保洁"],
    "prop.special.moving": ["搬家协助"],
    "prop.special.errand": ["代缴水电费", "代收快递"],
    "prop.change.owner": ["房屋过户后变更业主"],
    "prop.change.contact": ["更换业主联系电话"],
    "prop.change.parking": ["更换车位绑定车牌"],
    "tel.fault.slow": ["网速很慢", "晚上网络经常卡顿"],
    "tel.fault.line": ["宽带无法上网", "光猫红灯闪烁"],
    "tel.fault.iptv": ["电视没有信号", "电视点播卡顿"],
    "tel.fault.voice": ["固话没有拨号音", "固话杂音大"],
    "tel.complaint.billing": ["账单多扣费", "套餐到期后被自动续费"],
    "tel.complaint.attitude": ["装维人员态度差"],
    "tel.complaint.installation": ["装机超过约定时间"],
    "tel.complaint.quality": ["晚上网络经常断线"],
    "tel.complaint.marketing": ["频繁接到推销电话"],
    "tel.change.password": ["重置宽带密码"],
}
# Who handles what (team code, the people of it who take orders): building systems go to the
# plumbing and electrical team, elevators to the elevator vendor, everything about living on the
# estate (complaints, inquiries, services, changes) to the stewards; broadband to fault handling.
HANDLERS = [
    ("prop.repair.elevator", "CH-VENDOR-LIFT", ["vendor"]),
    ("prop.repair", "CH-ENG-MEP", ["tech", "tech2"]),
    ("prop", "CH-CS-STEWARD", ["steward"]),
    ("tel", "BB-CS-FAULT", ["bb_tech"]),
]


def handler_for(category_code: str) -> tuple[str, list[str]]:
    """The team and the staff who take an order of this category in the demo."""
    for prefix, team, people in HANDLERS:
        if category_code == prefix or category_code.startswith(prefix + "."):
            return team, people
    raise ValueError(f"no demo handler for category {category_code}")


TYPE_WEIGHTS = [("repair", 40), ("complaint", 20), ("inquiry", 20), ("suggestion", 5), ("praise", 5),
                ("business_change", 6), ("special_service", 4)]
# Final status of generated orders: most are done, a realistic share is still open.
# The backlog is what a real center has: recent orders in every state, older ones mostly done,
# nothing older than two weeks still open (an ageing open backlog would be a broken center, and
# would make every queue count scan a hundred thousand rows).
RECENT_DAYS, OPEN_DAYS = 3, 14
# Orders still open after the first hours are few, and mostly waiting on something (on hold):
# most open work in a center that keeps its times is younger than its deadline, so the demo's
# overdue count is the handful a supervisor chases, not most of the backlog.
SETTLING_WEIGHTS = [(Status.IN_PROGRESS, 1), (Status.ON_HOLD, 3), (Status.RESOLVED, 20), (Status.CLOSED, 70),
                    (Status.CANCELLED, 6)]
YOUNG_HOURS = 8
DAY_OLD_WEIGHTS = [(Status.ACCEPTED, 1), (Status.DISPATCHED, 2), (Status.IN_PROGRESS, 4), (Status.ON_HOLD, 4),
                   (Status.RESOLVED, 30), (Status.CLOSED, 53), (Status.CANCELLED, 6)]
SETTLED_WEIGHTS = [(Status.CLOSED, 93), (Status.CANCELLED, 7)]
STATUS_WEIGHTS = [(Status.NEW, 4), (Status.ACCEPTED, 13), (Status.DISPATCHED, 12), (Status.IN_PROGRESS, 12),
                  (Status.ON_HOLD, 6), (Status.RESOLVED, 14), (Status.CLOSED, 28), (Status.CANCELLED, 5)]
PATHS = {
    Status.NEW: [],
    Status.ACCEPTED: ["accept"],
    Status.DISPATCHED: ["accept", "dispatch"],
    Status.IN_PROGRESS: ["accept", "dispatch", "start"],
    Status.ON_HOLD: ["accept", "dispatch", "start", "hold"],
    Status.RESOLVED: ["accept", "dispatch", "start", "resolve"],
    Status.CLOSED: ["accept", "dispatch", "start", "resolve", "close"],
    Status.CANCELLED: ["accept", "cancel"],
}
HOLD_NOTES = {"customer": "客户不在家，约定改期上门。", "parts": "等待配件到货。", "vendor": "等待维保单位上门。"}
TARGET = {"accept": Status.ACCEPTED, "dispatch": Status.DISPATCHED, "start": Status.IN_PROGRESS,
          "hold": Status.ON_HOLD, "resolve": Status.RESOLVED, "close": Status.CLOSED, "cancel": Status.CANCELLED}


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def demo_org_present() -> bool:
    return Department.objects.filter(code="HY").exists()


@transaction.atomic
def create_demo_org(*, customers: int = 300, seed: int = 7) -> None:
    """Departments, staff in every role (password DEMO_PASSWORD), a site with units, telecom
    accounts, and customers with phones. Skips silently if the demo group already exists."""
    if demo_org_present():
        return
    rng = random.Random(seed)
    depts: dict[str, Department] = {}
    for code, name, name_en, kind, parent in DEPARTMENTS:
        depts[code] = department_create(name=name, name_en=name_en, code=code, kind=kind,
                                        parent=depts.get(parent) if parent else None)
    # Each company is offered its own industry's categories: a property agent never sees the
    # broadband ones in a picker, nor a broadband agent the property ones (issue #20).
    Category.objects.filter(industry="property").update(organisation=depts["CH"])
    Category.objects.filter(industry="telecom").update(organisation=depts["BB"])
    roles = {r.code: r for r in Role.objects.all()}
    for i, (username, name, role, dept, superuser) in enumerate(STAFF, start=1):
        language = "en" if username == "agent2" else "zh-hans"
        staff_create(username=username, password=DEMO_PASSWORD, display_name=name, department=depts[dept],
                     role=roles[role], employee_no=f"E{i:04d}", language=language, is_superuser=superuser,
                     phone=f"1390000{i:04d}")
    site = Site.objects.create(code="CH", name="翠湖花园", name_en="Cuihu Garden", unit_count=6 * 18 * 4)
    assets = []
    for b in range(1, 7):
        building = Building.objects.create(site=site, code=str(b), name=f"{b}栋")
        for floor in range(1, 19):
            for room in range(1, 5):
                code = f"CH-{b}-{floor}{room:02d}"
                # bulk_create skips Asset.save(), which derives the code keys: set them here.
                assets.append(Asset(kind="unit", code=code, name=f"{b}栋{floor}{room:02d}室", code_key=code,
                                    code_key_reversed=code[::-1], code_sort=asset_sort_key(code), site=site,
                                    building=building, floor=floor))
    bb = Site.objects.create(code="BB", name="华悦宽带服务区", name_en="Huayue Broadband area")
    for n in range(1, 201):
        assets.append(Asset(kind="account", code=f"BB{100000 + n}", code_key=f"BB{100000 + n}",
                            code_key_reversed=f"BB{100000 + n}"[::-1], code_sort=asset_sort_key(f"BB{100000 + n}"),
                            name=f"宽带账号 BB{100000 + n}", site=bb))
    Asset.objects.bulk_create(assets, batch_size=2000)
    units = list(Asset.objects.filter(kind="unit").order_by("pk"))
    accounts = list(Asset.objects.filter(kind="account").order_by("pk"))
    used_phones: set[str] = set()
    for n in range(customers):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        customer = Customer.objects.create(name=name, name_initials=name_initials(name), name_reversed=name[::-1],
                                           tier="vip" if rng.random() < 0.05 else "standard")
        while True:
            phone = rng.choice(["138", "139", "135", "186", "159", "177"]) + f"{rng.randrange(10**8):08d}"
            if phone not in used_phones:
                used_phones.add(phone)
                break
        CustomerPhone.objects.create(customer=customer, number=phone, number_reversed=phone[::-1], raw=phone,
                                     is_primary=True)
        asset = units[n % len(units)] if n % 4 != 3 else accounts[n % len(accounts)]
        CustomerAsset.objects.create(customer=customer, asset=asset,
                                     relation="holder" if asset.kind == "account" else rng.choice(["owner", "tenant"]))
    # Well-known caller for the README and the browser test.
    known = Customer.objects.create(name="张三", name_initials="zs", name_reversed="三张")
    CustomerPhone.objects.create(customer=known, number="13800138000", number_reversed="00083100831",
                                 raw="138-0013-8000", is_primary=True)
    CustomerAsset.objects.create(customer=known, asset=Asset.objects.get(code="CH-1-1203"), relation="owner")
    create_demo_archives()


def default_days(count: int) -> int:
    """Small demos span a week (every state shows); large sets run at ~1,400 orders a day,
    the intake of a big group of sites (1M orders ≈ two years)."""
    return 7 if count <= 5000 else max(60, count // 1400)


def generate_work_orders(*, count: int, seed: int = 11, days: int | None = None, batch_size: int = 5000,
                         progress=None, end=None, clocks: bool = True) -> int:
    """Bulk-insert `count` orders (with their events) spread over the `days` days before `end`
    (default now). States still follow the order's age at the real now, so a window that ends in
    the past holds settled orders, as that month would today.

    `clocks`: the SLA clocks the gate would have started and stopped, with the escalation steps
    the sweeper would have fired by now (each step's time drawn against its clock's target, see
    `demo_clocks`). The benchmarks pass False: they synthesise their own (bench/reports.py), and
    without clocks the orders' times are drawn as before, regardless of targets."""
    from kefu.sla.models import Escalation, SlaClock
    from kefu.workspace.demo_clocks import DemoClocks

    rng = random.Random(seed)
    days = days or default_days(count)
    user_model = get_user_model()
    users = {u.username: u for u in user_model.objects.filter(username__in=[s[0] for s in STAFF])}
    staff = {s.user.username: s for s in Staff.objects.select_related("user", "department")}
    teams = {d.code: d for d in Department.objects.filter(kind="team")}
    categories = list(Category.objects.filter(children__isnull=True, is_active=True))
    by_industry_type: dict[tuple[str, str], list[Category]] = {}
    for c in categories:
        for t in c.types:
            by_industry_type.setdefault((c.industry, t), []).append(c)
    customer_rows = list(CustomerAsset.objects.filter(ended_on=None).select_related("asset")
                         .values_list("customer_id", "asset_id", "asset__kind", "asset__site_id", "customer__name"))
    phones = dict(CustomerPhone.objects.filter(is_primary=True).values_list("customer_id", "number"))
    roles = {r.code: r for r in Role.objects.all()}
    now = timezone.now()
    sim = DemoClocks(now=now, seed=seed) if clocks else None
    created = 0
    # A few calls that came in during the last minutes and nobody has taken yet: every queue shows
    # new orders, none of them past a first-response target (a handful, whatever the count).
    fresh_left = min(12, count * 3 // 100) if end is None else 0
    sequences: dict[str, int] = dict(NumberSequence.objects.values_list("key", "last_value"))
    while created < count:
        n = min(batch_size, count - created)
        orders, plans = [], []
        histories = []
        for _ in range(n):
            customer_id, asset_id, asset_kind, site_id, customer_name = rng.choice(customer_rows)
            industry = "telecom" if asset_kind == "account" else "property"
            wo_type = _weighted(rng, TYPE_WEIGHTS)
            options = by_industry_type.get((industry, wo_type)) or by_industry_type[(industry, "repair")]
            if not by_industry_type.get((industry, wo_type)):
                wo_type = "repair"
            category = rng.choice(options)
            root = category.code.rsplit(".", category.code.count(".") - 1)[0]
            title = rng.choice(LEAF_TITLES.get(category.code) or TITLES.get(root, ["客户来电"]))
            if fresh_left:
                fresh_left -= 1
                received = now - timedelta(minutes=rng.randrange(1, 20))
            else:
                received = (end or now) - timedelta(minutes=rng.randrange(5, days * 24 * 60))
            age = now - received
            if age > timedelta(days=OPEN_DAYS):
                status = _weighted(rng, SETTLED_WEIGHTS)
            elif age > timedelta(days=RECENT_DAYS):
                status = _weighted(rng, SETTLING_WEIGHTS)
            elif age > timedelta(hours=YOUNG_HOURS):
                status = _weighted(rng, DAY_OLD_WEIGHTS)
            else:
                status = _weighted(rng, STATUS_WEIGHTS)
            if received > now - timedelta(minutes=20):  # not yet taken: inside any first-response target
                status = Status.NEW
            owner = rng.choice(["bb_agent"] if industry == "telecom" else ["agent", "agent2", "steward"])
            team_code, people = handler_for(category.code)
            worker = rng.choice(people)
            level = None
            if wo_type == WorkOrderType.COMPLAINT:
                level = rng.choices([1, 2, 3], weights=[70, 25, 5])[0]
            day_key = f"GD{timezone.localtime(received):%Y%m%d}"
            sequences[day_key] = sequences.get(day_key, 0) + 1
            order = WorkOrder(
                number=f"{day_key}-{sequences[day_key]:04d}", type=wo_type,
                channel=rng.choice([c for c in Channel.values if c != "api"]), category=category,
                priority=rng.choices(Priority.values, weights=[10, 60, 25, 5])[0], complaint_level=level,
                title=title, description=f"{customer_name}来电反映：{title}，请尽快处理。", customer_id=customer_id,
                contact_name=customer_name, contact_phone=phones.get(customer_id, ""), asset_id=asset_id,
                site_id=site_id, received_at=received, updated_at=received, first_contact_owner=users[owner],
                intake_department_id=staff[owner].department_id, status=status)
            path = PATHS[status]
            needs_plan = (level or 0) >= 2 and "resolve" in path
            pending_plan = (level or 0) >= 2 and status in (Status.IN_PROGRESS, Status.ON_HOLD) and rng.random() < 0.5
            policy = sim.policy(order) if sim else None
            history, t = [], received
            for step in path:
                delay = timedelta(minutes=rng.randrange(3, 240))
                t = sim.step_at(order=order, policy=policy, step=step, received=received, prev=t, delay=delay) \
                    if sim else t + delay
                history.append((step, t))
            if history and history[-1][1] > now:
                # Compress a history that ran into the future back to before now.
                span = (history[-1][1] - received).total_seconds()
                history = [(s, received + (ts - received) * ((now - received).total_seconds() * 0.9 / span))
                           for s, ts in history]
            for step, ts in history:
                if step == "dispatch":
                    order.team = teams[team_code]
                    order.assignee = users[worker]
                    order.promised_at = ts + timedelta(hours=rng.choice([4, 24, 72]))
                elif step == "hold":
                    order.hold_reason = rng.choice(["customer", "parts", "vendor"])
                elif step == "resolve":
                    order.resolution = "已处理完毕，客户确认。"
                    order.resolved_at = ts
                elif step == "close":
                    order.closed_at = ts
            order_clocks = []
            if sim:
                sim.settle_promise(order)
                order_clocks = sim.replay(order=order, policy=policy, history=history, waiting_for=order.hold_reason)
            if needs_plan or pending_plan:
                order.plan = "上门核实情况，向客户致歉并给予适当补偿。"
                order.compensation_amount = Decimal(rng.choice(["0", "200", "800", "3000"]))
                role = "manager" if level == 2 and order.compensation_amount <= 5000 else "director"
                order.plan_role = roles[role]
                order.plan_status = PlanStatus.APPROVED if needs_plan else PlanStatus.PENDING
            order.version = 1 + len(history) + (1 if needs_plan or pending_plan else 0) + (1 if needs_plan else 0)
            order.updated_at = history[-1][1] if history else received
            orders.append(order)
            histories.append((owner, worker, history, needs_plan, pending_plan, order_clocks))
        with transaction.atomic():
            WorkOrder.objects.bulk_create(orders, batch_size=1000)
            batch_clocks = []
            for order, row in zip(orders, histories, strict=True):
                for clock in row[5]:
                    clock.work_order = order
                    batch_clocks.append(clock)
            SlaClock.objects.bulk_create(batch_clocks, batch_size=2000)
            events, fired = [], []
            for order, (owner, worker, history, needs_plan, pending_plan, order_clocks) in zip(
                    orders, histories, strict=True):
                events.append(WorkOrderEvent(work_order=order, action="create", actor=users[owner],
                                             created_at=order.received_at, from_status="", to_status=Status.NEW,
                                             data={"number": order.number, "type": order.type}))
                prev, prev_at = Status.NEW, order.received_at
                for step, ts in history:
                    if step == "resolve" and needs_plan:
                        # Between the previous step and the resolve (a fixed 30 minutes before the
                        # resolve could precede the previous step and break the history's order).
                        submit_at = prev_at + (ts - prev_at) / 3
                        approve_at = prev_at + (ts - prev_at) * 2 / 3
                        events.append(WorkOrderEvent(work_order=order, action="submit_plan", actor=users[owner],
                                                     created_at=submit_at, from_status=prev, to_status=prev,
                                                     body=order.plan))
                        events.append(WorkOrderEvent(work_order=order, action="approve_plan",
                                                     actor=users[order.plan_role.code], created_at=approve_at,  # type: ignore[union-attr]  # not None on this path (set or checked before)
                                                     from_status=prev, to_status=prev))
                        plans.append(PlanApproval(work_order=order, plan=order.plan,
                                                  compensation_amount=order.compensation_amount,
                                                  complaint_level=order.complaint_level,
                                                  required_role=order.plan_role, submitted_by=users[owner],
                                                  submitted_at=submit_at, decision="approved",
                                                  decided_by=users[order.plan_role.code],  # type: ignore[union-attr]  # not None on this path (set or checked before)
                                                  decided_at=approve_at))
                    actor = users[worker] if step in ("start", "hold", "resolve") else users[owner]
                    data = {}
                    body = ""
                    if step == "dispatch":
                        data = {"team": order.team_id, "team_name": order.team.name, "assignee": order.assignee_id,  # type: ignore[union-attr]  # not None on this path (set or checked before)
                                "assignee_name": staff[worker].display_name}
                        if order.promised_at:
                            data["promised_at"] = order.promised_at.isoformat()
                    elif step == "resolve":
                        body = order.resolution
                    elif step == "cancel":
                        body = "客户来电取消。"
                        data = {"reason": body}
                    elif step == "hold":
                        body = HOLD_NOTES[order.hold_reason]
                        data = {"reason": body, "waiting_for": order.hold_reason}
                    events.append(WorkOrderEvent(work_order=order, action=step, actor=actor, created_at=ts,
                                                 from_status=prev, to_status=TARGET[step], body=body, data=data))
                    prev, prev_at = TARGET[step], ts
                if pending_plan:
                    ts = order.updated_at + timedelta(minutes=1)
                    events.append(WorkOrderEvent(work_order=order, action="submit_plan", actor=users[owner],
                                                 created_at=min(ts, now), from_status=prev, to_status=prev,
                                                 body=order.plan))
                    plans.append(PlanApproval(work_order=order, plan=order.plan,
                                              compensation_amount=order.compensation_amount,
                                              complaint_level=order.complaint_level, required_role=order.plan_role,
                                              submitted_by=users[owner], submitted_at=min(ts, now)))
                fired.extend(_fired_steps(order, history, order_clocks))
            # The sweeper's events of the steps fired by now: internal, no actor, the order's status
            # of the moment (after the history's events: same-instant ties read in that order).
            events.extend(event for _clock, _step, _notify, event in fired)
            WorkOrderEvent.objects.bulk_create(events, batch_size=2000)
            Escalation.objects.bulk_create([
                Escalation(clock=clock, step=step, notify_role=notify, fired_at=event.created_at, event=event)
                for clock, step, notify, event in fired], batch_size=2000)
            PlanApproval.objects.bulk_create(plans, batch_size=2000)
            # The report facts of the batch (their repeat flags are settled below, once every
            # batch is in: a later batch may hold an earlier complaint).
            order_facts_refresh(order_ids=[o.pk for o in orders])
            for key, value in sequences.items():
                NumberSequence.objects.update_or_create(key=key, defaults={"last_value": value})
        created += n
        if progress:
            progress(created)
    if created:
        window = timedelta(days=REPEAT_WINDOW_DAYS)
        last = end or now
        order_facts_rebuild(orders=WorkOrder.objects.filter(
            type=WorkOrderType.COMPLAINT, received_at__gte=last - timedelta(days=days) - window,
            received_at__lte=last + window))
    return created


def _fired_steps(order, history, order_clocks) -> list[tuple]:
    """(clock, step, notify, unsaved escalate event) for every ladder step the replay fired."""
    out = []
    for clock in order_clocks:
        for step, notify, at, data in clock.fired:
            status = Status.NEW
            for action, ts in history:
                if ts > at:
                    break
                status = TARGET[action]
            out.append((clock, step, notify, WorkOrderEvent(
                work_order=order, action="escalate", actor=None, created_at=at, from_status=status, to_status=status,
                internal=True, data=data)))
    return out


def max_sequence_consistent() -> bool:
    """Every issued number is below its day's counter (a sanity check used by tests)."""
    last = dict(NumberSequence.objects.values_list("key", "last_value"))
    for number in WorkOrder.objects.values_list("number", flat=True).order_by("-number")[:100]:
        key, value = number.rsplit("-", 1)
        if int(value) > last.get(key, 0):
            return False
    return WorkOrder.objects.aggregate(m=Max("id"))["m"] is not None
