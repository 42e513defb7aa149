"""The default QA form (质检评分表): the six items the issue names, weights summing to 100, and a
pass threshold of 80 points. Edited in the admin; checks keep the form they were sampled with."""

from decimal import Decimal

from django.db import migrations

FORM = {"code": "AGENT-STD", "name": "客服员工单质检表", "name_en": "Agent work-order QA form",
        "pass_threshold": Decimal("80")}
# code, 中文名, English, weight (%)
ITEMS = [
    ("greeting", "问候与礼仪", "Greeting and etiquette", 15),
    ("logging", "记录准确完整", "Accurate logging", 20),
    ("category", "分类正确", "Correct category", 15),
    ("promise", "承诺时间兑现", "Promised time kept", 20),
    ("resolution", "处理质量", "Resolution quality", 20),
    ("readback", "复述确认", "Read-back done", 10),
]


def seed(apps, schema_editor):
    QAForm = apps.get_model("quality", "QAForm")
    QAFormItem = apps.get_model("quality", "QAFormItem")
    form, created = QAForm.objects.get_or_create(code=FORM["code"], defaults=FORM)
    if not created:
        return
    for position, (code, name, name_en, weight) in enumerate(ITEMS, 1):
        QAFormItem.objects.create(form=form, code=code, name=name, name_en=name_en, weight=weight, position=position)


def unseed(apps, schema_editor):
    apps.get_model("quality", "QAForm").objects.filter(code=FORM["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_create_qa_checks")]
    operations = [migrations.RunPython(seed, unseed)]
