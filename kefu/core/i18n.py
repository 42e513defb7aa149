"""The bilingual names of reference data (departments, categories, document types, service items,
QA items, KPI indicators): Chinese is the name, English an optional second one."""

from django.utils.translation import get_language


def localised(name: str, name_en: str) -> str:
    """`name_en` when the active language is English and there is one, else `name`."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name
