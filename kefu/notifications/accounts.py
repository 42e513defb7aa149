"""Where the outbox finds the provider account behind each channel.

First the channel accounts of kefu.channels (`ChannelAccount`, secrets encrypted at rest, never
shown back): the first account that is not paused of kind `sms` (provider `aliyun` or `tencent`),
`wechat_mp` (with outbound `templates` in its settings) or `wecom` (with an `agent_id`). Its
settings (`config`) give the public values, its secret `secret` (or the secret of the provider's
own name, e.g. `access_key_secret`) the AccessKey secret / SecretKey / AppSecret / CorpSecret:

    sms, aliyun:   access_key_id, sign_name, templates {kind: "SMS_…"}, endpoint (optional)
    sms, tencent:  secret_id, sdk_app_id, sign_name, templates {kind: "123456"}, endpoint, region
    wechat_mp:     app_id, templates {kind: template id}
    wecom:         corp_id, agent_id

Else `settings.KEFU_OUTBOUND_ACCOUNTS` (JSON from the environment, same keys plus the secret
under its own name), kept for single-server installs and tests. A channel with neither is
log-only: the message is written to the log, its row ends as `logged`, and the UI says so.
"""

from __future__ import annotations

from django.conf import settings

KINDS = {"sms": "sms", "wechat": "wechat_mp", "wecom": "wecom"}
SECRET_NAMES = {"aliyun": "access_key_secret", "tencent": "secret_key", "wechat_mp": "app_secret",
                "wecom": "corp_secret"}


def _from_channel_account(channel: str) -> dict | None:
    from kefu.channels.models import ChannelAccount

    kind = KINDS.get(channel)
    if kind is None:
        return None
    for account in ChannelAccount.objects.filter(kind=kind, is_paused=False).order_by("id"):
        config = dict(account.config or {})
        provider = account.provider if kind == "sms" else kind
        if provider not in SECRET_NAMES:
            continue
        if kind == "wechat_mp" and not config.get("templates"):
            continue  # an inbound-only official account
        if kind == "wecom" and not config.get("agent_id"):
            continue
        secret = account.get_secret(SECRET_NAMES[provider]) or account.get_secret("secret")
        if not secret:
            continue
        if provider == "aliyun" and not config.get("access_key_id"):
            config["access_key_id"] = account.get_secret("access_key_id") or ""
        config.update(provider=provider, account_id=account.pk)
        config[SECRET_NAMES[provider]] = secret
        if kind == "wechat_mp":
            # The inbound side caches this account's token under the same key: one token, not two
            # fetchers invalidating each other's.
            config["cache_key"] = f"channels:wechat-token:{account.pk}:{account.version}"
            config.setdefault("endpoint", getattr(settings, "KEFU_WECHAT_API_BASE", ""))
        return config
    return None


def account_for(channel: str) -> dict | None:
    if channel == "email":
        return None
    account = _from_channel_account(channel)
    if account:
        return account
    accounts = getattr(settings, "KEFU_OUTBOUND_ACCOUNTS", None) or {}
    configured = accounts.get(channel)
    return dict(configured) if configured else None
