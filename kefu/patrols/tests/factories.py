"""A patrol route with three checkpoints (pass/fail, a reading with limits, a photo), made
through the real services."""

from kefu.patrols.services import patrol_route_create, patrol_schedule_create

CHECKPOINTS = [
    {"name": "1号楼大堂", "tag": "QR-LOBBY-1", "location": "1号楼一层",
     "items": [{"text": "地面清洁无垃圾", "kind": "pass_fail"}, {"text": "照明正常", "kind": "pass_fail"}]},
    {"name": "水泵房", "tag": "NFC-PUMP-1", "location": "地下一层",
     "items": [{"text": "供水压力", "kind": "value", "unit": "MPa", "min_value": "0.30", "max_value": "0.60"}]},
    {"name": "消防通道", "tag": "QR-FIRE-1", "location": "2号楼东侧",
     "items": [{"text": "通道畅通无堆物", "kind": "pass_fail"}]},
]


def make_route(*, actor, department, name="日常巡查路线", checkpoints=None):
    return patrol_route_create(actor_user=actor, name=name, department=department,
                               checkpoints=checkpoints or CHECKPOINTS)


def make_daily(*, actor, route, person=None, role="", times=("09:00", "15:00"), **kwargs):
    return patrol_schedule_create(actor_user=actor, route=route, frequency="daily", person=person, role=role,
                                  times=list(times), **kwargs)


def answers_for(checkpoint, fail=()):
    """Passing answers for every item of `checkpoint` (those whose text is in `fail` fail)."""
    out = []
    for item in checkpoint.items.order_by("sequence"):
        if item.kind == "value":
            out.append({"item": item.pk, "value": "0.10" if item.text in fail else "0.45"})
        else:
            out.append({"item": item.pk, "result": "fail" if item.text in fail else "pass",
                        "note": "有积水" if item.text in fail else ""})
    return out
