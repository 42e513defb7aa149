"""Delivery adapters: one interface, one class per channel and provider.

`adapter.send(to=, subject=, body=, kind=, params=)` delivers one message or raises
`DeliveryError` (a `ProviderError` says whether a retry can help); it returns a `SendResult`
(the provider's id for receipts, the parts billed) or None. `delivers` False means the adapter
only writes to the log: the outbox row ends as "logged" and the UI labels the channel "log only,
not sent". Nothing pretends to send.

Email goes through Django's mail backend (SMTP with KEFU_EMAIL_URL). SMS goes to Alibaba Cloud or
Tencent Cloud, WeChat to an official account's template messages, WeCom to an application,
each when `accounts.account_for(channel)` names one; otherwise the log-only adapter stands in.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger("kefu.notifications")


class DeliveryError(Exception):
    """The channel refused or failed; the outbox retries later."""


class EmailAdapter:
    delivers = True
    provider = "smtp"

    def send(self, *, to: str, subject: str, body: str, **_context) -> None:
        try:
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
        except Exception as exc:  # SMTP, socket and DNS errors all mean "try again later"
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


class LogOnlyAdapter:
    """Stands in for an SMS/WeChat gateway that has not been configured: logs, sends nothing."""

    delivers = False
    provider = "log"

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, *, to: str, subject: str, body: str, **_context) -> None:
        logger.info("[%s log only, not sent] to=%s subject=%s", self.channel, to, subject)


def _template_code(templates: dict, kind: str) -> str:
    from kefu.notifications.providers.base import ProviderError

    code = (templates or {}).get(kind)
    if not code:
        # Free text is not allowed by the providers: without an approved template nothing can go.
        raise ProviderError("no_template", f"no provider template for the kind {kind!r} on this account",
                            retry=False)
    return str(code)


def _phone(to: str) -> str:
    """A mainland mobile as the providers want it (11 digits, no spaces or +86); others as given."""
    from kefu.notifications.customer_messages import mainland_mobile

    return mainland_mobile(to) or to.strip()


def _ordered(kind: str, params: dict) -> list[str]:
    from kefu.notifications.templates_text import VARIABLES

    return [str(params.get(name, "")) for name in VARIABLES.get(kind, ())]


class AliyunSmsAdapter:
    delivers = True
    provider = "aliyun"

    def __init__(self, account: dict):
        from kefu.notifications.providers.aliyun import DEFAULT_ENDPOINT, AliyunSms

        self.templates = account.get("templates") or {}
        self.sign_name = account["sign_name"]
        self.client = AliyunSms(access_key_id=account["access_key_id"],
                                access_key_secret=account["access_key_secret"], sign_name=self.sign_name,
                                endpoint=account.get("endpoint") or DEFAULT_ENDPOINT,
                                region=account.get("region") or "cn-hangzhou")

    def send(self, *, to: str, body: str, kind: str = "staff", params: dict | None = None, out_id: str = "",
             **_context):
        from kefu.notifications.sms import sms_parts

        params = params or {"text": body}
        return self.client.send(phone=_phone(to), template_code=_template_code(self.templates, kind),
                                params={k: str(v) for k, v in params.items()}, out_id=out_id,
                                parts=sms_parts(body, self.sign_name))


    def find_sent(self, *, to: str, out_id: str, since) -> bool:
        from django.utils import timezone

        return self.client.find_sent(phone=_phone(to), out_id=out_id,
                                     send_date=timezone.localtime(since).strftime("%Y%m%d"))


class TencentSmsAdapter:
    delivers = True
    provider = "tencent"

    def __init__(self, account: dict):
        from kefu.notifications.providers.tencent import DEFAULT_ENDPOINT, TencentSms

        self.templates = account.get("templates") or {}
        self.sign_name = account["sign_name"]
        self.client = TencentSms(secret_id=account["secret_id"], secret_key=account["secret_key"],
                                 sdk_app_id=str(account["sdk_app_id"]), sign_name=self.sign_name,
                                 endpoint=account.get("endpoint") or DEFAULT_ENDPOINT,
                                 region=account.get("region") or "ap-guangzhou", host=account.get("host"))

    def send(self, *, to: str, body: str, kind: str = "staff", params: dict | None = None, out_id: str = "",
             **_context):
        from kefu.notifications.sms import sms_parts

        params = params or {"text": body}
        return self.client.send(phone=_phone(to), template_id=_template_code(self.templates, kind),
                                params=_ordered(kind, params), session=out_id, parts=sms_parts(body, self.sign_name))


class WeChatTemplateAdapter:
    """Template messages of an official account to a follower's OpenID (the `to` address)."""

    delivers = True
    provider = "wechat_mp"

    def __init__(self, account: dict):
        from kefu.notifications.providers.wechat import MP_ENDPOINT, WeChatOfficialAccount

        self.templates = account.get("templates") or {}
        self.client = WeChatOfficialAccount(app_id=account["app_id"], app_secret=account["app_secret"],
                                            endpoint=account.get("endpoint") or MP_ENDPOINT,
                                            cache_key=account.get("cache_key", ""))

    def send(self, *, to: str, body: str, kind: str = "staff", params: dict | None = None, **_context):
        params = {k: str(v) for k, v in (params or {"text": body}).items()}
        url = params.pop("url", "")
        return self.client.send_template(openid=to, template_id=_template_code(self.templates, kind),
                                         data=params, url=url)


class WeComAdapter:
    """WeCom application text messages to a member's UserID (the `to` address): staff only."""

    delivers = True
    provider = "wecom"

    def __init__(self, account: dict):
        from kefu.notifications.providers.wechat import WECOM_ENDPOINT, WeCom

        self.client = WeCom(corp_id=account["corp_id"], corp_secret=account["corp_secret"],
                            agent_id=int(account["agent_id"]), endpoint=account.get("endpoint") or WECOM_ENDPOINT)

    def send(self, *, to: str, subject: str, body: str, **_context):
        return self.client.send_text(user_ids=[to], content=body)


PROVIDERS = {"aliyun": AliyunSmsAdapter, "tencent": TencentSmsAdapter, "wechat_mp": WeChatTemplateAdapter,
             "wecom": WeComAdapter}


def adapter_for(channel: str):
    from kefu.notifications.accounts import account_for

    if channel == "email":
        return EmailAdapter()
    account = account_for(channel)
    if account and account.get("provider") in PROVIDERS:
        return PROVIDERS[account["provider"]](account)
    return LogOnlyAdapter(channel)


def adapter_info(channel: str) -> dict:
    """What the preferences page and API tell users about a channel: the adapter behind it and
    whether it really delivers (so a log-only channel is never mistaken for a working one)."""
    adapter = adapter_for(channel)
    return {"channel": channel, "adapter": type(adapter).__name__, "delivers": adapter.delivers}
