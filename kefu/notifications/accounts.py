"""Where the outbox finds the provider account behind each channel.

`settings.KEFU_OUTBOUND_ACCOUNTS` maps a channel to one account:

    {"sms": {"provider": "aliyun", "access_key_id": …, "access_key_secret": …, "sign_name": "某某物业",
             "endpoint": "https://dysmsapi.aliyuncs.com/", "templates": {"acknowledgement": "SMS_1234", …}},
     "wechat": {"provider": "wechat_mp", "app_id": …, "app_secret": …, "templates": {…}},
     "wecom": {"provider": "wecom", "corp_id": …, "corp_secret": …, "agent_id": 1000002}}

A channel without an account is log-only: the message is written to the log, its row ends as
`logged`, and the UI says "log only". Secrets come from the environment (or the channel
accounts of kefu.channels once they are connected) and are never shown back.
"""

from __future__ import annotations

from django.conf import settings


def account_for(channel: str) -> dict | None:
    accounts = getattr(settings, "KEFU_OUTBOUND_ACCOUNTS", None) or {}
    account = accounts.get(channel)
    return dict(account) if account else None
