"""Default SLA policies from the service standards (DOMAIN.md, china-service-conventions.md).

- complaints: first response 30 business minutes; closure within 3 calendar days (抱怨单3天封闭)
- walk-in requests: handed to the right person within 3 minutes (three-minute principle)
- repairs by priority, on the 24×7 calendar (property repair reception is round the clock):
  urgent 急修 on site in 30 min, resolved in 4 h; high 2 h / 24 h; normal 4 business hours on
  site, 2 business days; low 3 business days
- business changes (工信部: max 24 h): response 60 min, done in 24 h
- inquiries: response 30 business minutes, answer within one business day
- default: response 60 business minutes, resolution 3 business days
Waiting for the customer or a vendor pauses the clocks; waiting for parts does not.
"""

from django.db import migrations

PAUSE = ["customer", "vendor"]
# name, precedence, conditions, calendar, targets {kind: (minutes, business)}
POLICIES = [
    ("投诉 Complaints", 10, {"types": ["complaint"]}, "办公时间",
     {"first_response": (30, True), "resolution": (3 * 24 * 60, False)}),
    ("来访三分钟 Walk-in three minutes", 20, {"channels": ["walk_in"], "types": ["repair", "inquiry",
                                                                           "special_service", "business_change"]},
     "7×24", {"first_response": (3, False), "dispatch": (3, False), "resolution": (2 * 480, True)}),
    ("急修 Urgent repairs", 30, {"types": ["repair"], "priorities": ["urgent"]}, "7×24",
     {"first_response": (10, False), "dispatch": (15, False), "arrival": (30, False), "resolution": (240, False)}),
    ("高优先级报修 High-priority repairs", 31, {"types": ["repair"], "priorities": ["high"]}, "7×24",
     {"first_response": (30, False), "dispatch": (60, False), "arrival": (120, False),
      "resolution": (24 * 60, False)}),
    ("一般报修 Normal repairs", 32, {"types": ["repair"], "priorities": ["normal"]}, "办公时间",
     {"first_response": (30, True), "dispatch": (60, True), "arrival": (240, True), "resolution": (2 * 480, True)}),
    ("低优先级报修 Low-priority repairs", 33, {"types": ["repair"], "priorities": ["low"]}, "办公时间",
     {"first_response": (60, True), "resolution": (3 * 480, True)}),
    ("业务变更 Business changes", 40, {"types": ["business_change"]}, "7×24",
     {"first_response": (60, False), "resolution": (24 * 60, False)}),
    ("咨询 Inquiries", 50, {"types": ["inquiry"]}, "办公时间",
     {"first_response": (30, True), "resolution": (480, True)}),
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    WorkCalendar = apps.get_model("sla", "WorkCalendar")
    calendars = {c.name: c for c in WorkCalendar.objects.all()}
    for name, precedence, conditions, calendar, targets in POLICIES:
        fields = {f"{k}_minutes": m for k, (m, _b) in targets.items()}
        fields.update({f"{k}_business": b for k, (_m, b) in targets.items()})
        SlaPolicy.objects.update_or_create(name=name, defaults=dict(
            precedence=precedence, calendar=calendars[calendar], pause_reasons=PAUSE, **conditions, **fields))
    SlaPolicy.objects.update_or_create(name="默认 Default", defaults=dict(
        precedence=1000, is_default=True, calendar=calendars["办公时间"], pause_reasons=PAUSE,
        first_response_minutes=60, resolution_minutes=3 * 480, callback_minutes=3 * 480))


def unseed(apps, schema_editor):
    apps.get_model("sla", "SlaPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_create_policies_and_clocks")]
    operations = [migrations.RunPython(seed, unseed)]
