"""Holiday names in Chinese: the seed (0002) took chinese-calendar's English names ("Spring
Festival"); the holiday table is Chinese data, named as the State Council notice names the days.
Kept here (not imported) so that the migration does not change when the code does."""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def to_chinese(apps, schema_editor):
    Holiday = apps.get_model("sla", "Holiday")
    for english, chinese in NAMES.items():
        Holiday.objects.filter(name=english).update(name=chinese)


def to_english(apps, schema_editor):
    Holiday = apps.get_model("sla", "Holiday")
    for english, chinese in NAMES.items():
        Holiday.objects.filter(name=chinese).update(name=english)


class Migration(migrations.Migration):
    dependencies = [("sla", "0011_cover_stopped_clock_index")]
    operations = [migrations.RunPython(to_chinese, to_english)]
