"""A vendor (the conftest's vendor team) with a contract and its six-line assessment form."""

from datetime import date

from kefu.vendors.services import contract_create, vendor_create

FORM = [
    {"name": "工单按时完成率", "metric": "on_time_rate", "weight": "30"},
    {"name": "工单未返工率", "metric": "not_reopened_rate", "weight": "20"},
    {"name": "回访满意率", "metric": "callback_satisfaction", "weight": "20"},
    {"name": "不合格项按期整改率", "metric": "nonconformity_closure", "weight": "10"},
    {"name": "巡查合格率", "metric": "patrol_pass_rate", "weight": "10"},
    {"name": "现场管理（经理评分）", "metric": "manual", "weight": "10"},
]


def make_vendor(*, actor, team, name="奥达电梯维保有限公司", scope="lift", routes=None):
    return vendor_create(actor_user=actor, name=name, service_scope=scope, team=team, licence_no="91310000MA1K000000",
                         contact_name="王经理", contact_phone="13800000000", routes=routes)


def make_contract(*, actor, vendor, number="HT-2026-001", fee="10000", penalty="200", pass_mark="90",
                  shortfall="5"):
    return contract_create(actor_user=actor, vendor=vendor, number=number, starts_on=date(2026, 1, 1),
                           ends_on=date(2026, 12, 31), monthly_fee=fee, items=FORM, service_items=["电梯日常保养"],
                           pass_mark=pass_mark, penalty_per_nonconformity=penalty,
                           shortfall_deduction_percent=shortfall)
