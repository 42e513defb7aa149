"""Seed two realistic category trees: property management (物业) and telecom/ISP (电信)."""

from django.db import migrations

# (code, 中文, English, types-or-None-to-inherit, children)
TREES = {
    "property": [
        ("prop.repair", "报修", "Repairs", ["repair"], [
            ("prop.repair.water", "给排水", "Water and drainage", None, [
                ("prop.repair.water.leak", "漏水渗水", "Leak or seepage", None, []),
                ("prop.repair.water.blocked", "管道堵塞", "Blocked pipe", None, []),
                ("prop.repair.water.pressure", "停水/水压低", "No water / low pressure", None, []),
            ]),
            ("prop.repair.electric", "电气", "Electrical", None, [
                ("prop.repair.electric.outage", "停电跳闸", "Power cut / tripped breaker", None, []),
                ("prop.repair.electric.lighting", "公共照明", "Common-area lighting", None, []),
                ("prop.repair.electric.socket", "插座开关", "Sockets and switches", None, []),
            ]),
            ("prop.repair.elevator", "电梯", "Elevator", None, [
                ("prop.repair.elevator.trapped", "电梯困人", "Person trapped in elevator", None, []),
                ("prop.repair.elevator.fault", "电梯故障", "Elevator fault", None, []),
            ]),
            ("prop.repair.access", "门禁道闸", "Access control and barrier gate", None, []),
            ("prop.repair.charger", "充电桩", "EV charger", None, []),
            ("prop.repair.door", "门窗", "Doors and windows", None, []),
            ("prop.repair.hvac", "空调暖通", "Air conditioning and heating", None, []),
            ("prop.repair.public", "公共设施", "Common facilities", None, []),
        ]),
        ("prop.complaint", "投诉", "Complaints", ["complaint"], [
            ("prop.complaint.attitude", "服务态度", "Staff attitude", None, []),
            ("prop.complaint.security", "秩序安全", "Security and order", None, []),
            ("prop.complaint.cleaning", "保洁卫生", "Cleaning", None, []),
            ("prop.complaint.greenery", "绿化养护", "Landscaping", None, []),
            ("prop.complaint.noise", "噪音扰民", "Noise", None, []),
            ("prop.complaint.parking", "停车管理", "Parking", None, []),
            ("prop.complaint.fees", "收费问题", "Fees and charges", None, []),
            ("prop.complaint.renovation", "装修管理", "Renovation management", None, []),
            ("prop.complaint.repair_quality", "维修质量", "Repair quality", None, []),
            ("prop.complaint.pets", "宠物管理", "Pets", None, []),
        ]),
        ("prop.inquiry", "咨询", "Inquiries", ["inquiry"], [
            ("prop.inquiry.fees", "物业费", "Management fee", None, []),
            ("prop.inquiry.move_in", "入伙入住", "Moving in", None, []),
            ("prop.inquiry.renovation", "装修申请", "Renovation application", None, []),
            ("prop.inquiry.parking", "车位", "Parking spaces", None, []),
            ("prop.inquiry.other", "其他咨询", "Other inquiry", None, []),
        ]),
        ("prop.suggestion", "建议", "Suggestions", ["suggestion"], []),
        ("prop.praise", "表扬", "Praise", ["praise"], []),
        ("prop.special", "特约服务", "Special services", ["special_service"], [
            ("prop.special.housekeeping", "家政保洁", "Housekeeping", None, []),
            ("prop.special.moving", "搬家协助", "Moving help", None, []),
            ("prop.special.errand", "代办服务", "Errands", None, []),
        ]),
        ("prop.change", "业务变更", "Business changes", ["business_change"], [
            ("prop.change.owner", "产权变更", "Change of owner", None, []),
            ("prop.change.contact", "联系信息变更", "Contact details", None, []),
            ("prop.change.parking", "车位变更", "Parking space change", None, []),
            ("prop.change.release_pass", "物品放行", "Release pass", None, []),
        ]),
    ],
    "telecom": [
        ("tel.fault", "障碍申告", "Faults", ["repair"], [
            ("tel.fault.no_internet", "无法上网", "No internet", None, []),
            ("tel.fault.slow", "网速慢", "Slow connection", None, []),
            ("tel.fault.line", "线路故障", "Line fault", None, []),
            ("tel.fault.iptv", "电视故障", "IPTV fault", None, []),
            ("tel.fault.voice", "固话故障", "Landline fault", None, []),
        ]),
        ("tel.complaint", "投诉", "Complaints", ["complaint"], [
            ("tel.complaint.billing", "计费争议", "Billing dispute", None, []),
            ("tel.complaint.attitude", "服务态度", "Staff attitude", None, []),
            ("tel.complaint.installation", "装机超时", "Late installation", None, []),
            ("tel.complaint.quality", "网络质量", "Network quality", None, []),
            ("tel.complaint.marketing", "营销问题", "Marketing", None, []),
        ]),
        ("tel.change", "业务变更", "Business changes", ["business_change"], [
            ("tel.change.add_line", "新增线路", "Add a line", None, []),
            ("tel.change.remove_line", "拆机", "Remove a line", None, []),
            ("tel.change.password", "密码重置", "Password reset", None, []),
            ("tel.change.permission", "权限变更", "Permissions", None, []),
            ("tel.change.info", "资料变更", "Customer details", None, []),
            ("tel.change.plan", "套餐变更", "Plan change", None, []),
        ]),
        ("tel.inquiry", "咨询", "Inquiries", ["inquiry"], [
            ("tel.inquiry.plan", "资费套餐", "Plans and prices", None, []),
            ("tel.inquiry.bill", "账单查询", "Bills", None, []),
            ("tel.inquiry.coverage", "覆盖范围", "Coverage", None, []),
        ]),
        ("tel.suggestion", "建议", "Suggestions", ["suggestion"], []),
        ("tel.praise", "表扬", "Praise", ["praise"], []),
    ],
}


def seed(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")

    def add(nodes, parent, industry, inherited):
        for position, (code, name, name_en, types, children) in enumerate(nodes):
            own = types if types is not None else inherited
            node, _ = Category.objects.update_or_create(code=code, defaults=dict(
                name=name, name_en=name_en, parent=parent, industry=industry, types=own,
                sort_order=position, is_active=True))
            add(children, node, industry, own)

    for industry, roots in TREES.items():
        add(roots, None, industry, [])


def unseed(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    for depth in range(4):
        Category.objects.filter(children__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
