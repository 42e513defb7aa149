"""Alibaba Cloud SMS (阿里云短信服务, dysmsapi 2017-05-25) over its RPC API, signature v1.

Signing, as documented ("RPC API signature", SignatureVersion 1.0): every parameter but
`Signature`, sorted by name, each name and value percent-encoded (RFC 3986: only A-Z a-z 0-9
- _ . ~ stay as they are, space is %20), joined `k=v&…`; the string to sign is
`GET&%2F&` + the percent-encoding of that; the signature is the base64 HMAC-SHA1 of it with
the key `AccessKeySecret + "&"`.

`SendSms` takes a phone number, the approved signature name (签名), a template code and the
template's parameters as JSON — free text is not allowed. Delivery reports come by
`QuerySendDetails` (pull) or by the HTTP batch push `SmsReport` (`parse_report`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from kefu.notifications.providers.base import ProviderError, Receipt, SendResult, http_call

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
API_VERSION = "2017-05-25"

# Codes after which the same message may get through later (limits, balance, the provider's
# own trouble, credentials an administrator can fix); every other code fails the message.
RETRY_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL",  # per-number limits: 1/minute, 5/hour, 10/day by default
    "isv.DAY_LIMIT_CONTROL",
    "isv.AMOUNT_NOT_ENOUGH",  # balance: succeeds once the account is topped up
    "isv.OUT_OF_SERVICE",  # account in arrears
    "Throttling.User",
    "Throttling",
    "isp.SYSTEM_ERROR",
    "isp.RAM_PERMISSION_DENY",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "InvalidTimeStamp.Expired",
    "SignatureNonceUsed",
    "ServiceUnavailable",
}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the signature needs it (UTF-8; `~` kept; space → %20, * → %2A)."""
    return quote(str(value), safe="~")


def rpc_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    """One Alibaba Cloud SMS account: AccessKey pair, approved signature name, endpoint."""

    provider = "aliyun"

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str,
                 endpoint: str = DEFAULT_ENDPOINT, region: str = "cn-hangzhou", timeout: float = 10):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.region = region
        self.timeout = timeout

    def _call(self, action: str, params: dict[str, str], *, now: datetime | None = None) -> dict:
        now = now or datetime.now(UTC)
        common = {
            "AccessKeyId": self.access_key_id, "Action": action, "Format": "JSON", "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": API_VERSION,
        }
        query = {**common, **params}
        query["Signature"] = rpc_signature(query, self.access_key_secret)
        url = self.endpoint + "?" + urlencode(query, quote_via=quote, safe="~")
        status, data = http_call("GET", url, timeout=self.timeout)
        if not isinstance(data, dict):
            raise ProviderError(f"http_{status}", "unexpected answer", retry=True)
        code = str(data.get("Code", f"http_{status}"))
        if code != "OK":
            raise ProviderError(code, str(data.get("Message", "")), retry=code in RETRY_CODES or status >= 500)
        return data

    def send(self, *, phone: str, template_code: str, params: dict[str, str], out_id: str = "",
             parts: int = 1) -> SendResult:
        """SendSms to one mainland number; the BizId is the id receipts refer to."""
        query = {"PhoneNumbers": phone, "SignName": self.sign_name, "TemplateCode": template_code,
                 "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":"))}
        if out_id:
            query["OutId"] = out_id
        data = self._call("SendSms", query)
        return SendResult(provider_id=str(data.get("BizId", "")), parts=parts)

    def query(self, *, phone: str, biz_id: str, send_date: str) -> list[Receipt]:
        """QuerySendDetails: the reports of one message (`send_date` yyyyMMdd). SendStatus 1 is
        still waiting (no receipt), 2 failed, 3 delivered."""
        data = self._call("QuerySendDetails", {"PhoneNumber": phone, "BizId": biz_id, "SendDate": send_date,
                                               "PageSize": "10", "CurrentPage": "1"})
        rows = (data.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
        receipts = []
        for row in rows:
            status = int(row.get("SendStatus", 1))
            if status == 1:
                continue
            receipts.append(Receipt(provider_id=biz_id, to=str(row.get("PhoneNum", phone)), delivered=status == 3,
                                    code=str(row.get("ErrCode", "")), reason=str(row.get("ErrCode", "")),
                                    at=_parse_time(row.get("ReceiveDate"))))
        return receipts


    def find_sent(self, *, phone: str, out_id: str, send_date: str) -> bool:
        """Whether a message with our `out_id` went to `phone` on `send_date` (yyyyMMdd):
        QuerySendDetails by number and day, pages of 50. Used when a worker stopped between the
        provider's answer and recording it, so the message is not sent twice."""
        page = 1
        while page <= 20:
            data = self._call("QuerySendDetails", {"PhoneNumber": phone, "SendDate": send_date, "PageSize": "50",
                                                   "CurrentPage": str(page)})
            rows = (data.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
            if any(str(row.get("OutId", "")) == out_id for row in rows):
                return True
            if len(rows) < 50:
                return False
            page += 1
        return False


def parse_report(payload: list) -> list[Receipt]:
    """The `SmsReport` HTTP push: a JSON array of reports (`biz_id`, `phone_number`, `success`,
    `err_code`, `err_msg`, `report_time`). The pusher expects `{"code": 0, "msg": "成功"}` back."""
    receipts = []
    for item in payload:
        if not isinstance(item, dict) or not item.get("biz_id"):
            continue
        receipts.append(Receipt(provider_id=str(item["biz_id"]), to=str(item.get("phone_number", "")),
                                delivered=bool(item.get("success")), code=str(item.get("err_code", "")),
                                reason=str(item.get("err_msg", "")), at=_parse_time(item.get("report_time"))))
    return receipts


def _parse_time(value) -> datetime | None:
    """Alibaba reports Beijing time as `yyyy-MM-dd HH:mm:ss`."""
    from zoneinfo import ZoneInfo

    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    except ValueError:
        return None
