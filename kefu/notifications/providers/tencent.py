"""Tencent Cloud SMS (腾讯云短信, API 2021-01-11) over its API 3.0, signed with TC3-HMAC-SHA256.

Signing, as documented ("Signature v3"): the canonical request
`POST\\n/\\n\\ncontent-type:application/json; charset=utf-8\\nhost:<host>\\n\\ncontent-type;host\\n<hex sha256 of body>`;
the string to sign `TC3-HMAC-SHA256\\n<timestamp>\\n<UTC date>/sms/tc3_request\\n<hex sha256 of canonical request>`;
the key derived as HMAC-SHA256("TC3" + SecretKey, date) → ("sms") → ("tc3_request"); the
`Authorization` header `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request,
SignedHeaders=content-type;host, Signature=<hex>`, with X-TC-Action/-Version/-Timestamp/-Region.

`SendSms` takes the SDK app id, the approved signature name, a template id and the template's
parameters as a list — no free text. Each number gets its own `Code` in `SendStatusSet`; a
request-level error comes as `Response.Error`. Delivery reports are pushed to a callback URL as
a JSON array (`parse_report`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from kefu.notifications.providers.base import ProviderError, Receipt, SendResult, http_call

DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com/"
SERVICE = "sms"
API_VERSION = "2021-01-11"
CONTENT_TYPE = "application/json; charset=utf-8"

# Codes after which the same message may get through later; every other code fails it.
RETRY_PREFIXES = ("LimitExceeded.", "InternalError", "RequestLimitExceeded", "AuthFailure.", "ResourceUnavailable")
RETRY_CODES = {"FailedOperation.InsufficientBalanceInSmsPackage", "FailedOperation.FailResolvePacket"}


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def tc3_authorization(*, secret_id: str, secret_key: str, host: str, payload: str, timestamp: int,
                      service: str = SERVICE) -> str:
    """The `Authorization` header value of a POST with a JSON body."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\n"
    signed_headers = "content-type;host"
    canonical_request = "\n".join(["POST", "/", "", canonical_headers, signed_headers,
                                   hashlib.sha256(payload.encode("utf-8")).hexdigest()])
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                                hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()])
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, "
            f"Signature={signature}")


def _retry(code: str) -> bool:
    return code in RETRY_CODES or code.startswith(RETRY_PREFIXES)


def e164(phone: str) -> str:
    """Tencent wants +86… for mainland numbers."""
    phone = phone.strip().replace(" ", "").replace("-", "")
    return phone if phone.startswith("+") else "+86" + phone


class TencentSms:
    """One Tencent Cloud SMS application: SecretId/SecretKey, SdkAppId, signature name."""

    provider = "tencent"

    def __init__(self, *, secret_id: str, secret_key: str, sdk_app_id: str, sign_name: str,
                 endpoint: str = DEFAULT_ENDPOINT, region: str = "ap-guangzhou", timeout: float = 10,
                 host: str | None = None):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.sign_name = sign_name
        self.endpoint = endpoint
        self.region = region
        self.timeout = timeout
        # The host signed and sent: the endpoint's, unless a test server stands in for the real one.
        self.host = host or (urlsplit(endpoint).netloc)

    def _call(self, action: str, body: dict, *, timestamp: int | None = None) -> dict:
        timestamp = int(time.time()) if timestamp is None else timestamp
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        headers = {
            "Authorization": tc3_authorization(secret_id=self.secret_id, secret_key=self.secret_key,
                                               host=self.host, payload=payload, timestamp=timestamp),
            "Content-Type": CONTENT_TYPE, "Host": self.host, "X-TC-Action": action,
            "X-TC-Version": API_VERSION, "X-TC-Timestamp": str(timestamp), "X-TC-Region": self.region,
        }
        status, data = http_call("POST", self.endpoint, body=payload.encode("utf-8"), headers=headers,
                                 timeout=self.timeout)
        response = data.get("Response") if isinstance(data, dict) else None
        if not isinstance(response, dict):
            raise ProviderError(f"http_{status}", "unexpected answer", retry=True)
        error = response.get("Error")
        if error:
            code = str(error.get("Code", "InternalError"))
            raise ProviderError(code, str(error.get("Message", "")), retry=_retry(code))
        return response

    def send(self, *, phone: str, template_id: str, params: list[str], session: str = "",
             parts: int = 1) -> SendResult:
        body = {"PhoneNumberSet": [e164(phone)], "SmsSdkAppId": self.sdk_app_id, "SignName": self.sign_name,
                "TemplateId": template_id, "TemplateParamSet": [str(p) for p in params]}
        if session:
            body["SessionContext"] = session
        response = self._call("SendSms", body)
        statuses = response.get("SendStatusSet") or []
        if not statuses:
            raise ProviderError("EmptySendStatusSet", "no status for the number", retry=True)
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code != "Ok":
            raise ProviderError(code, str(status.get("Message", "")), retry=_retry(code))
        return SendResult(provider_id=str(status.get("SerialNo", "")), parts=int(status.get("Fee") or parts))


def parse_report(payload: list) -> list[Receipt]:
    """The status callback: a JSON array of `{sid, mobile, report_status: SUCCESS|FAIL, errmsg,
    description, user_receive_time}`. Tencent expects `{"result": 0, "errmsg": "OK"}` back."""
    from zoneinfo import ZoneInfo

    receipts = []
    for item in payload:
        if not isinstance(item, dict) or not item.get("sid"):
            continue
        at = None
        try:
            at = datetime.strptime(str(item.get("user_receive_time", "")), "%Y-%m-%d %H:%M:%S").replace(
                tzinfo=ZoneInfo("Asia/Shanghai"))
        except ValueError:
            pass
        receipts.append(Receipt(provider_id=str(item["sid"]), to=str(item.get("mobile", "")),
                                delivered=item.get("report_status") == "SUCCESS", code=str(item.get("errmsg", "")),
                                reason=str(item.get("description") or item.get("errmsg", "")), at=at))
    return receipts
