"""Outgoing calls to the WeChat API the inbound side needs: an access token (client_credential
with the app id and the encrypted app secret, cached until shortly before it expires) and a
temporary media download (a follower's photo). The base URL is a setting
(`KEFU_WECHAT_API_BASE`), so tests point it at a local server."""

import logging

import requests
from django.conf import settings
from django.core.cache import cache

from kefu.channels.models import ChannelAccount

log = logging.getLogger(__name__)
TIMEOUT = 10
MAX_MEDIA_BYTES = 10 * 1024 * 1024


def _base() -> str:
    return getattr(settings, "KEFU_WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/")


def access_token(account: ChannelAccount) -> str | None:
    key = f"channels:wechat-token:{account.pk}:{account.version}"
    token = cache.get(key)
    if token:
        return token
    response = requests.get(f"{_base()}/cgi-bin/token", timeout=TIMEOUT, params={
        "grant_type": "client_credential", "appid": account.config_value("app_id"),
        "secret": account.get_secret("secret") or ""})
    data = response.json()
    if "access_token" not in data:
        log.warning("wechat %s: no access token (errcode %s)", account.pk, data.get("errcode"))
        return None
    cache.set(key, data["access_token"], max(60, int(data.get("expires_in", 7200)) - 300))
    return data["access_token"]


def fetch_media(account: ChannelAccount, media_id: str) -> tuple[str, str, bytes] | None:
    """(file name, content type, bytes) of a temporary media item, or None when WeChat refuses."""
    token = access_token(account)
    if not token:
        return None
    response = requests.get(f"{_base()}/cgi-bin/media/get", params={"access_token": token, "media_id": media_id},
                            timeout=TIMEOUT)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if response.status_code != 200 or content_type in ("application/json", "text/plain") or \
            len(response.content) > MAX_MEDIA_BYTES:
        log.warning("wechat %s: media %s not fetched (%s %s)", account.pk, media_id, response.status_code,
                    content_type)
        return None
    extension = {"image/jpeg": "jpg", "image/png": "png", "audio/amr": "amr"}.get(content_type, "bin")
    return f"{media_id}.{extension}", content_type, response.content
