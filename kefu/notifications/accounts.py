"""Where the outbox finds the provider account behind each channel.

First the source named by `settings.KEFU_OUTBOUND_ACCOUNT_SOURCE` (default
`kefu.channels.outbound`: the channel accounts of kefu.channels, secrets encrypted at rest,
never shown back; reached by name because channels sits above this app). It offers the first
account that is not paused of kind `sms` (provider `aliyun` or `tencent`), `wechat_mp` (with
outbound `templates` in its settings) or `wecom` (with an `agent_id`). The account's settings
(`config`) give the public values, its secret `secret` (or the secret of the provider's own name,
e.g. `access_key_secret`) the AccessKey secret / SecretKey / AppSecret / CorpSecret:

    sms, aliyun:   access_key_id, sign_name, templates {kind: "SMS_…"}, endpoint (optional)
    sms, tencent:  secret_id, sdk_app_id, sign_name, templates {kind: "123456"}, endpoint, region
    wechat_mp:     app_id, templates {kind: template id}
    wecom:         corp_id, agent_id

Else `settings.KEFU_OUTBOUND_ACCOUNTS` (JSON from the environment, same keys plus the secret
under its own name), kept for single-server installs and tests. A channel with neither is
log-only: the message is written to the log, its row ends as `logged`, and the UI says so.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.conf import settings


def _source() -> ModuleType | None:
    name = getattr(settings, "KEFU_OUTBOUND_ACCOUNT_SOURCE", "")
    return import_module(name) if name else None


def account_for(channel: str) -> dict | None:
    if channel == "email":
        return None
    source = _source()
    account = source.account_for(channel) if source is not None else None
    if account:
        return account
    accounts = getattr(settings, "KEFU_OUTBOUND_ACCOUNTS", None) or {}
    configured = accounts.get(channel)
    return dict(configured) if configured else None


def wechat_openids(customer_ids: list[int]) -> dict[int, str]:
    """customer id → OpenID on the official account that sends template messages ({} without one)."""
    account = account_for("wechat")
    source = _source()
    if not account or not account.get("account_id") or source is None or not customer_ids:
        return {}
    return source.wechat_openids(account["account_id"], customer_ids)
