"""WeChat official-account template messages (公众号模板消息) and WeCom application messages
(企业微信应用消息), both authorised by an access token.

The token (`/cgi-bin/token` for an official account, `/cgi-bin/gettoken` for WeCom) lives 7,200
seconds; it is cached in Django's cache (shared by the workers when Redis is configured) until
five minutes before it expires, and fetched again when the API says it is invalid or expired
(errcode 40001, 40014, 42001): the send is repeated once with the new token.

Error codes, as documented: 45009/45033 (frequency/concurrency limit) and -1 (system busy)
are retried later; 40003/81013 (no such follower/member), 43004 (not following), 40037
(invalid template) and 47003 (bad argument) fail the message.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

from django.core.cache import cache

from kefu.notifications.providers.base import ProviderError, Receipt, SendResult, http_call

MP_ENDPOINT = "https://api.weixin.qq.com"
WECOM_ENDPOINT = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS = {40001, 40014, 42001}
RETRY_ERRORS = {-1, 45009, 45033, 45047}
TOKEN_MARGIN = 300


class _TokenClient:
    token_path = ""
    cache_prefix = ""

    def __init__(self, *, endpoint: str, app_id: str, secret: str, timeout: float = 10, cache_key: str = ""):
        self.endpoint = endpoint.rstrip("/")
        self.app_id = app_id
        self.secret = secret
        self.timeout = timeout
        self.shared_cache_key = cache_key

    def _token_query(self) -> dict[str, str]:
        raise NotImplementedError

    @property
    def _cache_key(self) -> str:
        if self.shared_cache_key:
            return self.shared_cache_key
        # The secret's hash is part of the key: a changed secret never reuses a token of the old one.
        digest = hashlib.sha256(f"{self.endpoint}|{self.app_id}|{self.secret}".encode()).hexdigest()[:16]
        return f"kefu:{self.cache_prefix}:token:{digest}"

    def access_token(self, *, refresh: bool = False) -> str:
        if not refresh:
            token = cache.get(self._cache_key)
            if token:
                return token
        status, data = http_call("GET", f"{self.endpoint}{self.token_path}?{urlencode(self._token_query())}",
                                 timeout=self.timeout)
        code = int(data.get("errcode", 0) or 0) if isinstance(data, dict) else -1
        token = data.get("access_token") if isinstance(data, dict) else None
        if code or not token:
            message = str(data.get("errmsg", "")) if isinstance(data, dict) else ""
            raise ProviderError(str(code or f"http_{status}"), message, retry=code in RETRY_ERRORS or code == 0)
        expires = int(data.get("expires_in", 7200))
        cache.set(self._cache_key, token, max(expires - TOKEN_MARGIN, 60))
        return token

    def _post(self, path: str, body: dict) -> dict:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        for attempt in (0, 1):
            token = self.access_token(refresh=attempt == 1)
            status, data = http_call("POST", f"{self.endpoint}{path}?access_token={token}", body=payload,
                                     headers=headers, timeout=self.timeout)
            if not isinstance(data, dict):
                raise ProviderError(f"http_{status}", "unexpected answer", retry=True)
            code = int(data.get("errcode", 0) or 0)
            if code in TOKEN_ERRORS and attempt == 0:
                cache.delete(self._cache_key)
                continue
            if code:
                raise ProviderError(str(code), str(data.get("errmsg", "")),
                                    retry=code in RETRY_ERRORS or code in TOKEN_ERRORS)
            return data
        raise AssertionError("unreachable")


class WeChatOfficialAccount(_TokenClient):
    """An official account (服务号): AppID and AppSecret; template messages to followers' OpenIDs."""

    provider = "wechat_mp"
    token_path = "/cgi-bin/token"
    cache_prefix = "wechat_mp"

    def __init__(self, *, app_id: str, app_secret: str, endpoint: str = MP_ENDPOINT, timeout: float = 10,
                 cache_key: str = ""):
        super().__init__(endpoint=endpoint, app_id=app_id, secret=app_secret, timeout=timeout, cache_key=cache_key)

    def _token_query(self) -> dict[str, str]:
        return {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}

    def send_template(self, *, openid: str, template_id: str, data: dict[str, str], url: str = "") -> SendResult:
        body: dict = {"touser": openid, "template_id": template_id,
                      "data": {key: {"value": value} for key, value in data.items()}}
        if url:
            body["url"] = url
        answer = self._post("/cgi-bin/message/template/send", body)
        return SendResult(provider_id=str(answer.get("msgid", "")))

    def send_subscribe(self, *, openid: str, template_id: str, data: dict[str, str], page: str = "") -> SendResult:
        """A subscribe message (订阅通知, `bizsend`): values under the template's own keys."""
        body: dict = {"touser": openid, "template_id": template_id,
                      "data": {key: {"value": value} for key, value in data.items()}}
        if page:
            body["page"] = page
        answer = self._post("/cgi-bin/message/subscribe/bizsend", body)
        return SendResult(provider_id=str(answer.get("msgid", "")))


def parse_template_report(fields: dict[str, str]) -> Receipt | None:
    """The `TEMPLATESENDJOBFINISH` event the account's server URL receives (XML already parsed
    into a dict): Status `success`, `failed:user block` or `failed: system failed`."""
    if fields.get("Event") != "TEMPLATESENDJOBFINISH" or not fields.get("MsgID"):
        return None
    status = fields.get("Status", "")
    return Receipt(provider_id=str(fields["MsgID"]), to=fields.get("FromUserName", ""),
                   delivered=status == "success", code=status, reason=status)


class WeCom(_TokenClient):
    """A WeCom (企业微信) self-built application: CorpID, the app's Secret and AgentId; text or
    text-card messages to members by their UserID."""

    provider = "wecom"
    token_path = "/cgi-bin/gettoken"
    cache_prefix = "wecom"

    def __init__(self, *, corp_id: str, corp_secret: str, agent_id: int, endpoint: str = WECOM_ENDPOINT,
                 timeout: float = 10):
        super().__init__(endpoint=endpoint, app_id=corp_id, secret=corp_secret, timeout=timeout)
        self.agent_id = agent_id

    def _token_query(self) -> dict[str, str]:
        return {"corpid": self.app_id, "corpsecret": self.secret}

    def send_text(self, *, user_ids: list[str], content: str) -> SendResult:
        answer = self._post("/cgi-bin/message/send", {
            "touser": "|".join(user_ids), "msgtype": "text", "agentid": self.agent_id,
            "text": {"content": content}, "safe": 0})
        invalid = [u for u in str(answer.get("invaliduser", "")).split("|") if u]
        if invalid and len(invalid) == len(user_ids):
            raise ProviderError("81013", f"invalid user: {'|'.join(invalid)}", retry=False)
        return SendResult(provider_id=str(answer.get("msgid", "")))
