"""The two quarterly KPI scorecards quoted in DOMAIN.md (from the source 《客户服务部说明书》 §9.1.1
and §9.2.1), with their semi-annual competency and attitude review forms.

Weights and indicator names are the sources' own. Sources leave the scoring rule open; the
choices here (docs/kpi.md): satisfaction linear from 80 % to the 95 % target DOMAIN.md quotes,
pass rates linear over the quoted 85–95 % band, process standardisation full marks at the quoted
85 %, QA average linear from 60 to 90 points, and the items the sources have another
department or the superior score ("总经理评分", "部门经理监控") entered by hand as points.
"""

from decimal import Decimal

from django.db import migrations

D = Decimal
# code, 中文名, English, weight, source, order type, rule, floor, target, entered by, method
TEMPLATES = [
    ({"code": "CS-MANAGER-Q", "name": "客户服务部经理季度考核", "name_en": "Customer service manager, quarterly",
      "role": "manager"}, [
        ("external_satisfaction", "部门人员总体服务质量（外部客户满意度）",
         "Department's overall service quality (external customer satisfaction)", D("50"), "satisfaction", "",
         "linear", D("80"), D("95"), "", "根据信息系统相关反馈统计"),
        ("staff_pass_rate", "部门人员服务素质、岗位技能合格率", "Staff service quality and skill pass rate", D("20"),
         "qa_pass_rate", "", "linear", D("85"), D("95"), "", "定期考核，人事行政部监控"),
        ("process_standardisation", "流程标准化改善程度", "Process standardisation improvement", D("10"), "manual", "",
         "threshold", None, D("85"), "director", ""),
        ("internal_satisfaction", "内部客户满意度", "Internal customer satisfaction", D("10"), "manual", "", "manual",
         None, None, "director", "其他部门评价，人事行政部汇总"),
        ("report_quality", "服务分析报表的准确性、及时性、全面性",
         "Accuracy, timeliness and completeness of service analysis reports", D("10"), "manual", "", "manual", None,
         None, "director", "本岗提交报表，总经理评分"),
    ]),
    ({"code": "CS-INTAKE-SUPERVISOR-Q", "name": "客户服务部受理组主管季度考核",
      "name_en": "Intake-group supervisor, quarterly", "role": "supervisor"}, [
        ("complaint_satisfaction", "投诉处理总体客户满意度", "Overall customer satisfaction with complaint handling",
         D("40"), "satisfaction", "complaint", "linear", D("80"), D("95"), "", "根据相关统计、客户抽查"),
        ("report_timeliness", "信息统计、信息反馈报表和报告的及时性和准确性",
         "Timeliness and accuracy of statistics, feedback reports and reports", D("20"), "manual", "", "manual", None,
         None, "manager", "本岗提交报表，部门经理监控"),
        ("internal_satisfaction", "内部客户满意度", "Internal customer satisfaction", D("10"), "manual", "", "manual",
         None, None, "manager", "其他部门评分，人事行政部汇总"),
        ("team_skill", "本组人员技能提升效果", "Team skill improvement", D("10"), "qa_pass_rate", "", "linear", D("85"),
         D("95"), "", "根据定期考核合格率"),
        ("service_quality", "服务质量", "Service quality", D("10"), "qa_average", "", "linear", D("60"), D("90"), "",
         "每周服务质量抽查（质检）平均分"),
        ("mbo", "MBO管理", "MBO management", D("10"), "manual", "", "manual", None, None, "manager", ""),
    ]),
]

REVIEW_FORMS = [
    ({"code": "CS-MANAGER-H", "name": "客服部经理半年能力和态度评价",
      "name_en": "Customer service manager, semi-annual competency and attitude review", "role": "manager"}, [
        ("core", "团队合作", "Teamwork"), ("core", "应变能力", "Adaptability"),
        ("core", "解决问题的能力", "Problem solving"), ("core", "客户管理", "Customer management"),
        ("reference", "解决矛盾", "Resolving conflicts"), ("reference", "影响能力", "Influence"),
        ("reference", "授权", "Delegation"), ("reference", "激励", "Motivating"),
        ("reference", "责任管理", "Managing responsibility"), ("reference", "决策能力", "Decision making"),
        ("reference", "计划和组织", "Planning and organising"),
        ("reference", "了解客户需求", "Understanding customer needs"),
        ("attitude", "团队协作", "Team cooperation"), ("attitude", "经营计划准备", "Preparing business plans"),
        ("attitude", "关注长期目标", "Attention to long-term goals"),
        ("attitude", "处理问题全面", "Handling problems thoroughly"), ("attitude", "承担责任", "Taking responsibility"),
        ("attitude", "关心员工成长", "Caring for staff growth"), ("attitude", "关注培训", "Attention to training"),
        ("attitude", "以身作则", "Leading by example"),
        ("attitude", "严守期限，达成目标", "Keeping deadlines, reaching goals"),
    ]),
    ({"code": "CS-INTAKE-SUPERVISOR-H", "name": "受理组主管半年能力和态度评价",
      "name_en": "Intake-group supervisor, semi-annual competency and attitude review", "role": "supervisor"}, [
        ("core", "责任管理", "Managing responsibility"), ("core", "计划和组织", "Planning and organising"),
        ("core", "效率", "Efficiency"), ("core", "客户管理", "Customer management"), ("core", "激励", "Motivating"),
        ("reference", "应变能力", "Adaptability"), ("reference", "影响能力", "Influence"),
        ("reference", "建立期望", "Setting expectations"),
        ("attitude", "是否有责任感，愿意承担更多的责任", "Sense of responsibility, willing to take on more"),
        ("attitude", "处理问题是否全面周到", "Handles problems thoroughly and carefully"),
        ("attitude", "是否要求自己以身作则", "Leads by example"),
        ("attitude", "是否及时准确向上级汇报工作", "Reports to superiors promptly and accurately"),
        ("attitude", "做事效率是否高", "Works efficiently"),
    ]),
]


def seed(apps, schema_editor):
    Template = apps.get_model("kpi", "ScorecardTemplate")
    Indicator = apps.get_model("kpi", "Indicator")
    ReviewForm = apps.get_model("kpi", "ReviewForm")
    ReviewItem = apps.get_model("kpi", "ReviewItem")
    for header, indicators in TEMPLATES:
        template, created = Template.objects.get_or_create(code=header["code"], defaults=header)
        if not created:
            continue
        for position, (code, name, name_en, weight, source, order_type, rule, floor, target, role, method) in enumerate(
                indicators, 1):
            Indicator.objects.create(template=template, code=code, name=name, name_en=name_en, weight=weight,
                                     source=source, order_type=order_type, rule=rule, floor=floor, target=target,
                                     entered_by_role=role, method=method, position=position)
    for header, items in REVIEW_FORMS:
        form, created = ReviewForm.objects.get_or_create(code=header["code"], defaults=header)
        if not created:
            continue
        for position, (group, name, name_en) in enumerate(items, 1):
            ReviewItem.objects.create(form=form, group=group, name=name, name_en=name_en, position=position)


def unseed(apps, schema_editor):
    apps.get_model("kpi", "ScorecardTemplate").objects.filter(code__in=[h["code"] for h, _i in TEMPLATES]).delete()
    apps.get_model("kpi", "ReviewForm").objects.filter(code__in=[h["code"] for h, _i in REVIEW_FORMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_create_scorecards")]
    operations = [migrations.RunPython(seed, unseed)]
