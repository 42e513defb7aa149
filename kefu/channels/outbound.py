"""What the outbox of kefu.notifications needs of the channel accounts, reached through
`settings.KEFU_OUTBOUND_ACCOUNT_SOURCE` (notifications sits on a lower floor and never imports
this app): the sending account of a channel with its decrypted secret, and the WeChat OpenIDs of
customers bound to it. See kefu/notifications/accounts.py for the settings each kind needs."""

from __future__ import annotations

from django.conf import settings

from kefu.channels.models import ChannelAccount, ChannelIdentity

KINDS = {"sms": "sms", "wechat": "wechat_mp", "wecom": "wecom"}
SECRET_NAMES = {"aliyun": "access_key_secret", "tencent": "secret_key", "wechat_mp": "app_secret",
                "wecom": "corp_secret"}


def account_for(channel: str) -> dict | None:
    """The first account that is not paused and is set up to send on `channel`, as the outbox's
    adapters take it (public settings + the secret under the provider's name), or None."""
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
            # The inbound side (wechat_api.access_token) caches this account's token under the same
            # key: one token, not two fetchers invalidating each other's.
            config["cache_key"] = f"channels:wechat-token:{account.pk}:{account.version}"
            config.setdefault("endpoint", getattr(settings, "KEFU_WECHAT_API_BASE", ""))
        return config
    return None


def wechat_openids(account_id: int, customer_ids: list[int]) -> dict[int, str]:
    """customer id → their OpenID on the account (the latest binding)."""
    rows = (ChannelIdentity.objects.filter(account_id=account_id, customer_id__in=customer_ids)
            .order_by("bound_at").values_list("customer_id", "address"))
    return dict(rows)
