"""Survey link tokens (ADR 0009): the database keeps a random selector per row, never the link.

A token is the row's `selector` (12 characters, random, stored, unique) followed by a verifier
(16 characters: HMAC-SHA256 of the selector under a key derived from SECRET_KEY, one key per kind
of link). The app rebuilds a link from the selector whenever it needs it (texts, reminders, the QR
sheet); someone who only reads the database has selectors but no verifiers, so no working link.
A link is found by its selector (an indexed column) and its verifier compared in constant time,
against SECRET_KEY and then each of SECRET_KEY_FALLBACKS.

Links issued before this scheme were random tokens of 24 characters stored as they were; the
migration kept only their sha256 (`legacy_token_hash`), so they still open (`legacy_hash`).
"""

import base64
import hashlib
import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SELECTOR_LENGTH = 12  # 9 random bytes
VERIFIER_LENGTH = 16  # 12 bytes of the HMAC
TOKEN_LENGTH = SELECTOR_LENGTH + VERIFIER_LENGTH

# One key per kind, so a building's selector cannot be turned into a personal link or back.
INVITATION = "kefu.surveys.invitation-link"
BUILDING = "kefu.surveys.building-link"


def new_selector() -> str:
    return secrets.token_urlsafe(9)


def _verifier(kind: str, selector: str, secret) -> str:
    digest = salted_hmac(kind, selector, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:12]).decode("ascii")


def link_token(kind: str, selector: str) -> str:
    """The token of a row's link, under the current SECRET_KEY."""
    return selector + _verifier(kind, selector, settings.SECRET_KEY)


def split(token: str) -> tuple[str, str] | None:
    """(selector, verifier) of a token of the current scheme; None for anything else."""
    if len(token) != TOKEN_LENGTH:
        return None
    return token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]


def verify(kind: str, selector: str, verifier: str) -> bool:
    """Whether `verifier` belongs to `selector` under SECRET_KEY or one of its fallbacks; every
    key is tried, so the time taken does not tell which matched."""
    matched = False
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        matched |= constant_time_compare(verifier, _verifier(kind, selector, secret))
    return matched


def legacy_hash(token: str) -> str:
    """What is stored of a link issued before ADR 0009 (sha256, hex)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
