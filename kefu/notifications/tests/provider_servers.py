"""Local stand-ins for the providers, started by the tests: each checks a request the way the
provider documents (signature, parameters, token) and answers with the provider's documented
success and error bodies. The signature checks are written here from the documentation, not
imported from the clients under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _answer(self, status: int, body: dict | list) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):  # noqa: N802 (http.server's name)
        status, body = self.server.app.get(self)
        self._answer(status, body)

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        status, body = self.server.app.post(self, raw)
        self._answer(status, body)


class LocalServer:
    """Runs `self.get/post` in a thread on 127.0.0.1; `url` is its base address."""

    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.app = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.lock = threading.Lock()
        self.ids = itertools.count(1000)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def get(self, handler):
        return 404, {}

    def post(self, handler, raw):
        return 404, {}


# --- Alibaba Cloud SMS ----------------------------------------------------------------------------

def _pe(value: str) -> str:
    # "Percent-encode per RFC 3986 with UTF-8: A-Z, a-z, 0-9, '-', '_', '.', '~' are not encoded;
    # other characters become %XY; a space becomes %20, not '+'."
    out = []
    for byte in value.encode("utf-8"):
        ch = chr(byte)
        out.append(ch if ch.isascii() and (ch.isalnum() or ch in "-_.~") else f"%{byte:02X}")
    return "".join(out)


class AliyunServer(LocalServer):
    """dysmsapi.aliyuncs.com: SendSms and QuerySendDetails with RPC signature v1."""

    COMMON = ("AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion",
              "Timestamp", "Version", "Signature")

    def __init__(self, *, keys: dict[str, str], sign_names: set[str], templates: dict[str, tuple[str, ...]]):
        super().__init__()
        self.keys, self.sign_names, self.templates = keys, sign_names, templates
        self.nonces: set[str] = set()
        self.sent: list[dict] = []  # accepted SendSms parameters, with the BizId given
        self.balance = 1000
        self.limited: set[str] = set()  # numbers over their per-number limit
        self.reports: dict[str, dict] = {}  # biz id -> SmsSendDetailDTO for QuerySendDetails
        self.stamps: list[float] = []  # when each message was accepted (time.perf_counter())

    def _error(self, status, code, message):
        return status, {"RequestId": "A1B2", "Code": code, "Message": message, "Recommend": "https://api.aliyun.com"}

    def get(self, handler):
        params = dict(parse_qsl(urlsplit(handler.path).query, keep_blank_values=True))
        for name in self.COMMON:
            if name not in params:
                return self._error(400, "MissingParameter", f"{name} is mandatory for this action.")
        if params["AccessKeyId"] not in self.keys:
            return self._error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return self._error(400, "InvalidParameter", "SignatureMethod/SignatureVersion")
        stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs(datetime.now(UTC) - stamp) > timedelta(minutes=15):
            return self._error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        signature = params.pop("Signature")
        canonical = "&".join(f"{_pe(k)}={_pe(v)}" for k, v in sorted(params.items()))
        string_to_sign = "GET&" + _pe("/") + "&" + _pe(canonical)
        key = (self.keys[params["AccessKeyId"]] + "&").encode()
        expected = base64.b64encode(hmac.new(key, string_to_sign.encode(), hashlib.sha1).digest()).decode()
        if signature != expected:
            return self._error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
        with self.lock:
            if params["SignatureNonce"] in self.nonces:
                return self._error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self.nonces.add(params["SignatureNonce"])
        if params["Action"] == "SendSms":
            return self._send(params)
        if params["Action"] == "QuerySendDetails":
            return self._query(params)
        return self._error(404, "InvalidAction.NotFound", "Specified api is not found.")

    def _send(self, params):
        phone = params.get("PhoneNumbers", "")
        if not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
            return self._error(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if params.get("SignName") not in self.sign_names:
            return self._error(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        template = params.get("TemplateCode", "")
        if template not in self.templates:
            return self._error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            values = json.loads(params.get("TemplateParam") or "{}")
        except json.JSONDecodeError:
            return self._error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        if set(self.templates[template]) - set(values):
            return self._error(200, "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        if phone in self.limited:
            return self._error(200, "isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10")
        with self.lock:
            if self.balance <= 0:
                return self._error(200, "isv.AMOUNT_NOT_ENOUGH", "账户余额不足")
            self.balance -= 1
            biz_id = f"{next(self.ids)}^0"
            self.sent.append({**params, "TemplateParam": values, "BizId": biz_id})
            self.stamps.append(time.perf_counter())
        return 200, {"RequestId": "F655A8D5", "Code": "OK", "Message": "OK", "BizId": biz_id}

    def _query(self, params):
        if params.get("BizId"):
            report = self.reports.get(params["BizId"])
            dtos = [report] if report else []
        else:  # by number and day: every message sent to it, with our OutId
            page, size = int(params.get("CurrentPage", 1)), int(params.get("PageSize", 10))
            with self.lock:
                mine = [{"PhoneNum": s["PhoneNumbers"], "SendStatus": 1, "OutId": s.get("OutId", ""),
                         "TemplateCode": s["TemplateCode"]} for s in self.sent if s["PhoneNumbers"] == params.get("PhoneNumber")]
            dtos = mine[(page - 1) * size:page * size]
        return 200, {"TotalCount": len(dtos), "Message": "OK", "RequestId": "819BE656", "Code": "OK",
                     "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}}


# --- Tencent Cloud SMS -----------------------------------------------------------------------------

class TencentServer(LocalServer):
    """sms.tencentcloudapi.com: SendSms (2021-01-11) with TC3-HMAC-SHA256."""

    def __init__(self, *, secrets: dict[str, str], app_id: str, sign_names: set[str],
                 templates: dict[str, int], host: str = "sms.tencentcloudapi.com"):
        super().__init__()
        self.secrets, self.app_id, self.sign_names, self.templates = secrets, app_id, sign_names, templates
        self.host = host
        self.sent: list[dict] = []
        self.limited: set[str] = set()
        self.balance = 1000

    def _error(self, code, message):
        return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "ab12"}}

    def post(self, handler, raw):
        auth = handler.headers.get("Authorization", "")
        if not auth.startswith("TC3-HMAC-SHA256 "):
            return self._error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        parts = dict(p.strip().split("=", 1) for p in auth[len("TC3-HMAC-SHA256 "):].split(","))
        secret_id, date, service, terminator = parts["Credential"].split("/")
        if secret_id not in self.secrets:
            return self._error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        timestamp = int(handler.headers.get("X-TC-Timestamp", "0"))
        if abs(time.time() - timestamp) > 300:
            return self._error("AuthFailure.SignatureExpire", "Signature expired.")
        if (service, terminator) != ("sms", "tc3_request") or date != datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d"):
            return self._error("AuthFailure.SignatureFailure", "Credential scope")
        signed = parts["SignedHeaders"].split(";")
        if "content-type" not in signed or "host" not in signed or handler.headers.get("Host") != self.host:
            return self._error("AuthFailure.SignatureFailure", "SignedHeaders")
        canonical_headers = "".join(f"{h}:{handler.headers.get(h, '').strip().lower() if h == 'content-type' else handler.headers.get(h, '').strip()}\n" for h in signed)
        canonical = "\n".join([handler.command, urlsplit(handler.path).path or "/", urlsplit(handler.path).query,
                               canonical_headers, parts["SignedHeaders"], hashlib.sha256(raw).hexdigest()])
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/sms/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()])

        def sign(key, msg):
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = sign(sign(sign(("TC3" + self.secrets[secret_id]).encode(), date), "sms"), "tc3_request")
        if hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest() != parts["Signature"]:
            return self._error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        if handler.headers.get("X-TC-Action") != "SendSms" or handler.headers.get("X-TC-Version") != "2021-01-11":
            return self._error("InvalidAction", "action")
        body = json.loads(raw)
        if body.get("SmsSdkAppId") != self.app_id:
            return self._error("FailedOperation.SmsSdkAppIdVerifyFail", "SdkAppId")
        if body.get("SignName") not in self.sign_names:
            return self._error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误")
        template = body.get("TemplateId")
        if template not in self.templates:
            return self._error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配")
        if len(body.get("TemplateParamSet", [])) != self.templates[template]:
            return self._error("InvalidParameterValue.TemplateParameterFormatError", "模板参数个数不匹配")
        statuses = []
        for phone in body.get("PhoneNumberSet", []):
            status = {"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": body.get("SessionContext", ""),
                      "IsoCode": "CN"}
            if not (phone.startswith("+861") and len(phone) == 14 and phone[1:].isdigit()):
                status.update(Code="InvalidParameterValue.IncorrectPhoneNumber", Message="手机号格式错误")
            elif phone in self.limited:
                status.update(Code="LimitExceeded.PhoneNumberThirtySecondLimit", Message="单个手机号30秒内下发短信条数超过设定的上限")
            elif self.balance <= 0:
                status.update(Code="FailedOperation.InsufficientBalanceInSmsPackage", Message="套餐包余量不足")
            else:
                with self.lock:
                    serial = f"2640:{next(self.ids)}"
                    self.balance -= 1
                    self.sent.append({**body, "PhoneNumber": phone, "SerialNo": serial})
                status.update(SerialNo=serial, Fee=1, Code="Ok", Message="send success")
            statuses.append(status)
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": "a0aabda6"}}


# --- WeChat official account and WeCom ------------------------------------------------------------

class _TokenServer(LocalServer):
    token_path = ""

    def __init__(self, *, app_id: str, secret: str, lifetime: int = 7200):
        super().__init__()
        self.app_id, self.secret, self.lifetime = app_id, secret, lifetime
        self.tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self.token_requests = 0
        self.sent: list[dict] = []
        self.busy = False

    def _check_token_query(self, query) -> bool:
        raise NotImplementedError

    def get(self, handler):
        url = urlsplit(handler.path)
        query = dict(parse_qsl(url.query))
        if url.path != self.token_path:
            return 404, {}
        if not self._check_token_query(query):
            return 200, {"errcode": 40013, "errmsg": "invalid appid"}
        with self.lock:
            self.token_requests += 1
            token = f"TOKEN{next(self.ids)}"
            self.tokens[token] = time.time() + self.lifetime
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.lifetime}

    def expire_tokens(self):
        self.tokens = dict.fromkeys(self.tokens, 0.0)

    def _token_error(self, handler):
        token = dict(parse_qsl(urlsplit(handler.path).query)).get("access_token", "")
        if token not in self.tokens:
            return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if self.tokens[token] < time.time():
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        if self.busy:
            return 200, {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
        return None


class WeChatServer(_TokenServer):
    """api.weixin.qq.com: /cgi-bin/token and /cgi-bin/message/template/send."""

    token_path = "/cgi-bin/token"

    def __init__(self, *, app_id, secret, followers: set[str], templates: set[str]):
        super().__init__(app_id=app_id, secret=secret)
        self.followers, self.templates = followers, templates

    def _check_token_query(self, query):
        return query.get("grant_type") == "client_credential" and (query.get("appid"), query.get("secret")) == (
            self.app_id, self.secret)

    def post(self, handler, raw):
        if urlsplit(handler.path).path != "/cgi-bin/message/template/send":
            return 404, {}
        error = self._token_error(handler)
        if error:
            return error
        body = json.loads(raw)
        if body.get("template_id") not in self.templates:
            return 200, {"errcode": 40037, "errmsg": "invalid template_id"}
        if body.get("touser") not in self.followers:
            return 200, {"errcode": 43004, "errmsg": "require subscribe"}
        data = body.get("data")
        if not isinstance(data, dict) or not all(isinstance(v, dict) and "value" in v for v in data.values()):
            return 200, {"errcode": 47003, "errmsg": "argument invalid! data.value invalid"}
        with self.lock:
            msgid = next(self.ids)
            self.sent.append({**body, "msgid": msgid})
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}


class WeComServer(_TokenServer):
    """qyapi.weixin.qq.com: /cgi-bin/gettoken and /cgi-bin/message/send."""

    token_path = "/cgi-bin/gettoken"

    def __init__(self, *, corp_id, secret, agent_id: int, members: set[str]):
        super().__init__(app_id=corp_id, secret=secret)
        self.agent_id, self.members = agent_id, members

    def _check_token_query(self, query):
        return (query.get("corpid"), query.get("corpsecret")) == (self.app_id, self.secret)

    def post(self, handler, raw):
        if urlsplit(handler.path).path != "/cgi-bin/message/send":
            return 404, {}
        error = self._token_error(handler)
        if error:
            return error
        body = json.loads(raw)
        if body.get("agentid") != self.agent_id:
            return 200, {"errcode": 40056, "errmsg": "invalid agentid"}
        if body.get("msgtype") != "text" or not body.get("text", {}).get("content"):
            return 200, {"errcode": 41009, "errmsg": "missing content"}
        users = body.get("touser", "").split("|")
        invalid = [u for u in users if u not in self.members]
        if len(invalid) == len(users):
            return 200, {"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": "|".join(invalid)}
        with self.lock:
            msgid = f"msg{next(self.ids)}"
            self.sent.append({**body, "msgid": msgid})
        return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "msgid": msgid}


def encoded(value: str) -> str:
    return quote(value, safe="")
