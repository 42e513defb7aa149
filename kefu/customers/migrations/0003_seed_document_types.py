"""Seed the property archive checklist (DOMAIN.md) and fill the normalised asset codes."""

import re

from django.db import migrations

# (code, name, English name, scope, required, valid months)
DOCUMENT_TYPES = [
    ("move_in_signoff", "入伙交接确认书", "Move-in sign-off", "unit", True, None),
    ("management_rules", "管理规约", "Management rules", "unit", True, None),
    ("service_agreement", "物业服务协议", "Service agreement", "unit", True, None),
    ("occupant_register", "业户登记表", "Occupant register", "unit", True, None),
    ("fire_safety_pledge", "消防安全责任书", "Fire-safety pledge", "unit", True, 12),
    ("floor_plan", "户型图", "Floor plan", "unit", True, None),
    ("renovation_agreement", "装修管理协议", "Renovation agreement", "unit", False, None),
    ("renovation_permit", "装修许可证", "Renovation permit", "unit", False, 6),
    ("fee_notice", "收费通知书", "Fee notice", "unit", False, None),
    ("id_copy", "身份证复印件", "ID copy", "customer", True, None),
    ("business_licence", "营业执照复印件", "Business licence copy", "customer", False, None),
]

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ－"}


def _key(value):
    # A frozen copy of kefu.customers.codes.asset_code_key (migrations do not import app code).
    value = (value or "").strip().translate(_FULLWIDTH).upper()
    value = re.sub(r"(室|号|房)$", "", value)
    value = re.sub(r"(号楼|栋|幢|座|单元|楼)", "-", value)
    value = re.sub(r"[\s_/\\—–·.]+", "-", value)
    return re.sub(r"-{2,}", "-", value).strip("-")[:64]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("customers", "DocumentType")
    for order, (code, name, name_en, scope, required, months) in enumerate(DOCUMENT_TYPES):
        DocumentType.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "scope": scope, "required": required, "valid_months": months,
            "sort_order": (order + 1) * 10})
    Asset = apps.get_model("customers", "Asset")
    for asset in Asset.objects.filter(code_key="").only("pk", "code").iterator():
        Asset.objects.filter(pk=asset.pk).update(code_key=_key(asset.code))


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_deepen_archives")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
