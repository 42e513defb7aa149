"""Factories for channel tests: accounts with secrets, signed CTI requests."""

import json
import time

from kefu.channels.cti import sign
from kefu.channels.models import ChannelAccount

CTI_SECRET = "cti-hmac-key-0123456789"


def make_account(*, department, kind: str = "cti", name: str = "", secret: str = CTI_SECRET,
                 config: dict | None = None, **fields) -> ChannelAccount:
    account = ChannelAccount(kind=kind, name=name or f"{kind} line", department=department, config=config or {},
                             **fields)
    if secret:
        account.set_secret("secret", secret)
    account.save()
    return account


def cti_post(client, account, payload, *, secret: str = CTI_SECRET, timestamp: int | None = None,
             signature: str | None = None, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload).encode("utf-8")
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"HTTP_X_KEFU_TIMESTAMP": ts,
               "HTTP_X_KEFU_SIGNATURE": signature if signature is not None else sign(secret, ts, body)}
    return client.post(f"/channels/cti/{account.pk}/events/", data=body, content_type="application/json",
                       **headers)


def call_event(event: str, *, call_id: str = "c-1", caller: str = "13800138000", at: str = "2026-12-07T10:00:00+08:00",
               agent: str = "", recording_url: str = "", line: str = "4008008888") -> dict:
    return {"event": event, "call_id": call_id, "caller": caller, "line": line, "at": at, "agent": agent,
            "recording_url": recording_url}
