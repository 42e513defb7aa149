"""Delivery adapters: one interface, one class per channel.

Email goes through Django's mail backend (SMTP with KEFU_EMAIL_URL). SMS and WeChat have no
provider integration yet: their adapter only writes the message to the log and the outbox row
ends as "logged", and the UI labels those channels "log only, not sent". Nothing pretends to send.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger("kefu.notifications")


class DeliveryError(Exception):
    """The channel refused or failed; the outbox retries later."""


class EmailAdapter:
    delivers = True

    def send(self, *, to: str, subject: str, body: str) -> None:
        try:
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
        except Exception as exc:  # SMTP, socket and DNS errors all mean "try again later"
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


class LogOnlyAdapter:
    """Stands in for an SMS/WeChat gateway that has not been integrated: logs, sends nothing."""

    delivers = False

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, *, to: str, subject: str, body: str) -> None:
        logger.info("[%s log only, not sent] to=%s subject=%s", self.channel, to, subject)


def adapter_for(channel: str):
    if channel == "email":
        return EmailAdapter()
    return LogOnlyAdapter(channel)


def adapter_info(channel: str) -> dict:
    """What the preferences page and API tell users about a channel: the adapter behind it and
    whether it really delivers (so a log-only channel is never mistaken for a working one)."""
    adapter = adapter_for(channel)
    return {"channel": channel, "adapter": type(adapter).__name__, "delivers": adapter.delivers}
