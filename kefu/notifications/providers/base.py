"""What every provider client returns or raises, and the one HTTP helper they share."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime

from kefu.notifications.channels import DeliveryError


@dataclass(frozen=True)
class SendResult:
    """The provider took the message: its id for receipts, and what it charged (SMS parts)."""

    provider_id: str
    parts: int = 1


@dataclass(frozen=True)
class Receipt:
    """A delivery report: `delivered` True/False, with the provider's code/reason when it failed."""

    provider_id: str
    to: str
    delivered: bool
    code: str = ""
    reason: str = ""
    at: datetime | None = None
    extra: dict = field(default_factory=dict)


class ProviderError(DeliveryError):
    """The provider refused or could not be reached.

    `retry`: True when the same message may go through later (rate limits, balance, outages,
    expired credentials); False when it never will (invalid number, template not approved,
    recipient not following). `code` is the provider's own code.
    """

    def __init__(self, code: str, message: str = "", *, retry: bool):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.retry = retry


def http_call(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
              timeout: float = 10) -> tuple[int, dict]:
    """One HTTP request; the JSON answer (or `{}`) and the status. Network failures and
    non-JSON answers raise a retryable ProviderError."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (endpoint from settings)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
        raise ProviderError("network", f"{type(exc).__name__}: {exc}", retry=True) from exc
    try:
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProviderError(f"http_{status}", "answer is not JSON", retry=True) from exc
    if not isinstance(data, dict | list):
        raise ProviderError(f"http_{status}", "answer is not a JSON object", retry=True)
    return status, data  # type: ignore[return-value]
