"""Delivery-report endpoints the SMS providers push to, and the pull of Alibaba reports.

The providers do not sign their pushes, so the URL carries a secret
(`settings.KEFU_RECEIPT_TOKEN`; no token configured: the endpoints answer 404):

    POST /notifications/receipts/aliyun/<token>/   Alibaba Cloud `SmsReport` (JSON array)
    POST /notifications/receipts/tencent/<token>/  Tencent Cloud status callback (JSON array)

Each answers as the provider expects, so it does not push the same batch again.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kefu.notifications.providers import aliyun, tencent
from kefu.notifications.services import outbox_apply_receipts

MAX_BODY = 1024 * 1024
PARSERS = {"aliyun": aliyun.parse_report, "tencent": tencent.parse_report}
ACKS = {"aliyun": ({"code": 0, "msg": "成功"}, {"code": 1, "msg": "bad request"}),
        "tencent": ({"result": 0, "errmsg": "OK"}, {"result": 1, "errmsg": "bad request"})}


@csrf_exempt
@require_POST
def sms_receipts(request, provider: str, token: str):
    expected = getattr(settings, "KEFU_RECEIPT_TOKEN", "")
    if provider not in PARSERS or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404
    ok, bad = ACKS[provider]
    if len(request.body) > MAX_BODY:
        return JsonResponse(bad, status=413)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse(bad, status=400)
    if not isinstance(payload, list):
        return JsonResponse(bad, status=400)
    outbox_apply_receipts(provider=provider, receipts=PARSERS[provider](payload))
    return JsonResponse(ok)
