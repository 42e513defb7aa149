"""Encryption at rest for channel-account secrets (app secrets, HMAC keys, mailbox passwords).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with the keys in
`settings.KEFU_CHANNEL_SECRET_KEYS`: the first key encrypts, every key decrypts (MultiFernet), so
a key is rotated by putting the new one first and running `manage.py rotate_channel_secrets`.
Without configured keys one key is derived from SECRET_KEY (HKDF-SHA256), good for a single
machine; production names its own keys (docs/channels.md).
"""

import base64
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kefu.channels", info=b"channel-account-secrets")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    try:
        fernets = [Fernet(k.encode("ascii")) for k in keys] if keys else [Fernet(_derived_key(secret_key))]
    except ValueError as error:
        raise ImproperlyConfigured(
            "KEFU_CHANNEL_SECRET_KEYS must be Fernet keys (32 url-safe base64-encoded bytes)") from error
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(tuple(getattr(settings, "KEFU_CHANNEL_SECRET_KEYS", []) or []), settings.SECRET_KEY)


def encrypt_secrets(values: dict[str, str]) -> str:
    """The dict of secrets as one Fernet token (text); empty dict → empty string."""
    if not values:
        return ""
    return fernet().encrypt(json.dumps(values, sort_keys=True).encode("utf-8")).decode("ascii")


def decrypt_secrets(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode("ascii")))
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A channel account's secrets cannot be decrypted with KEFU_CHANNEL_SECRET_KEYS "
            "(was the key changed without keeping the old one?)") from error


def rotate(token: str) -> str:
    """The same secrets encrypted with the first (current) key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii") if token else ""
