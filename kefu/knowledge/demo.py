"""Demo data of the knowledge app: the search index of the generated orders, standard answers, a
case library made from resolved orders, canned replies (some with macros) and the sites' service
phones. Called by `manage.py demo_data` after the orders; idempotent."""

from django.contrib.auth import get_user_model
from django.db import transaction

from kefu.customers.models import Site
from kefu.knowledge import services
from kefu.knowledge.index import search_index_rebuild
from kefu.knowledge.models import Article, CannedReply, SiteServicePhone
from kefu.workorders.models import Category, WorkOrder

# (category code or "", title, answer, body, tags, published?)
ANSWERS = [
    ("prop.inquiry", "物业费缴费方式", "您好，物业费可以通过微信公众号“翠湖花园服务”、支付宝生活缴费或到前台刷卡缴纳，按季度缴纳可享 98 折。",
     "## 缴费渠道\n\n| 渠道 | 时间 |\n|---|---|\n| 微信公众号 | 全天 |\n| 支付宝生活缴费 | 全天 |\n| 前台 POS 刷卡 | 8:30–17:30 |\n\n"
     "**逾期**超过 30 天按合同收取滞纳金。", ["缴费", "物业费"], True),
    ("prop.inquiry", "装修申请需要什么材料", "您好，装修申请请带上身份证、房产证（或购房合同）复印件、装修图纸和施工单位资质，到前台办理，3 个工作日内审批。",
     "1. 业主身份证复印件\n2. 房产证或购房合同复印件\n3. 装修图纸（含水电改造）\n4. 施工单位营业执照与资质\n\n装修押金 2000 元，验收后退还。",
     ["装修"], True),
    ("prop.inquiry", "车位租赁价格", "您好，地面车位每月 300 元，地库车位每月 450 元，年付九折，请到前台登记排号。", "", ["车位"], True),
    ("prop.repair", "漏水报修应急口径", "您好，请先关闭家中总阀并移开贵重物品，我们马上安排维修师傅上门，预计 30 分钟内联系您。",
     "- 确认漏水位置（卫生间、厨房、阳台）\n- 是否影响楼下：影响时**同时**通知楼下住户\n- 公共管道漏水转工程部", ["漏水", "应急"], True),
    ("prop.repair", "电梯困人应急口径", "您好，请保持冷静，不要强行扒门，按下轿厢内的警铃并保持通话，救援人员 15 分钟内到达。",
     "电梯困人属于**一级**紧急事件：同时通知电梯维保单位和值班经理。", ["电梯", "困人", "应急"], True),
    ("tel.inquiry", "千兆宽带套餐资费", "您好，千兆宽带包年 1200 元，含光猫和安装，新装用户首月免费。", "", ["宽带", "资费"], True),
    ("tel.change", "重置宽带密码", "您好，请提供装机时登记的身份证后四位，我们为您重置密码并短信发送到预留手机。", "", ["宽带", "密码"], True),
    ("prop.inquiry", "停水停电通知口径", "您好，因市政管网检修，本小区将于通知时间段停水，请提前储水，恢复时间以通知为准。", "", ["停水", "停电"], False),
]
REPLIES = [
    # (title, body, macro, hold reason, shared)
    ("上门时间确认", "{customer_name}您好，您的工单{order_number}已安排{technician}于{promised_time}上门，如有变动请致电{site_phone}。",
     "", "", True),
    ("等待客户确认时间（挂起）", "{customer_name}暂不在家，约定改期上门，待客户确认时间。", "hold", "customer", True),
    ("处理完成告知", "{customer_name}您好，您反映的问题（工单{order_number}）已处理完毕，感谢您的耐心等待。", "comment", "", True),
    ("费用说明", "本次维修属于户内维修，材料费按实收取，人工费按收费标准执行，详情可致电{site_phone}。", "", "", True),
]
PHONES = {"CH": "0571-8888 6666", "BB": "400-100-2000"}


def create_demo_knowledge(*, index: bool = True) -> str:
    """The search index of every order (orders generated in bulk bypass the gate), then, once,
    the knowledge base, a case library, canned replies and the sites' service phones."""
    result = search_index_rebuild() if index else {"orders": 0}
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["agent", "supervisor", "manager"])}
    if Article.objects.exists() or len(users) < 3:
        return f"{result['orders']} work orders indexed for search"
    with transaction.atomic():
        for code, phone in PHONES.items():
            site = Site.objects.filter(code=code).first()
            if site is not None:
                SiteServicePhone.objects.get_or_create(site=site, defaults={"phone": phone})
        categories = {c.code: c for c in Category.objects.all()}
        articles = 0
        for code, title, answer, body, tags, publish in ANSWERS:
            category = next((c for key, c in categories.items() if key == code or key.startswith(code + ".")), None)
            article = services.article_create(actor_user=users["agent"], title=title, answer=answer, body=body,
                                              tags=tags, category=category)
            articles += 1
            services.article_transition(article=article, action="submit", actor_user=users["agent"])
            if publish:
                services.article_transition(article=article, action="publish", actor_user=users["supervisor"])
        cases = 0
        for order in (WorkOrder.objects.filter(status__in=("resolved", "closed")).exclude(resolution="")
                      .select_related("category").order_by("-resolved_at")[:40]):
            if cases >= 3:
                break
            if Article.objects.filter(source_order__category=order.category).exists():
                continue  # one case per category
            case = services.article_from_order(order=order, actor_user=users["agent"])
            services.article_update(article=case, actor_user=users["manager"],
                                    answer="您好，这类问题我们已有处理经验，师傅会按标准流程处理，完成后回访您。")
            services.article_transition(article=case, action="submit", actor_user=users["manager"])
            services.article_transition(article=case, action="publish", actor_user=users["supervisor"])
            cases += 1
        for title, body, macro, hold, shared in REPLIES:
            services.canned_reply_create(actor_user=users["supervisor"], title=title, body=body, macro=macro,
                                         hold_reason=hold, shared=shared)
        services.canned_reply_create(actor_user=users["agent"], title="请稍等", body="{customer_name}您好，请稍等，我帮您查询一下。")
    replies = CannedReply.objects.count()
    return (f"{result['orders']} work orders indexed for search; {articles} articles, {cases} cases, "
            f"{replies} canned replies")
