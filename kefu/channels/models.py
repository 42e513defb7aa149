"""Channels: the accounts requests arrive through (400 lines, WeChat official accounts, WeCom
apps, mailboxes, suggestion boxes) and, for outbound delivery, SMS/WeChat/WeCom senders.

Secrets (app secrets, HMAC keys, passwords) are kept encrypted at rest (kefu.channels.crypto)
and never shown again after entry.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.channels import crypto
from kefu.channels.choices import AccountKind


class ChannelAccount(models.Model):
    """One source or sender: a 400 line, a hotline, an official account, a WeCom app, a mailbox.

    Owns its settings (`config`, plain JSON: app id, token, host, line numbers…) and its secrets
    (`get_secret`/`set_secret`, one encrypted token in `secrets_encrypted`). `department` is the
    center that receives what arrives through it (and who may see and manage it). A paused
    account answers its provider but takes nothing in. `version` is bumped on every change
    (compare-and-swap, ADR 0002).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    provider = models.CharField(_("provider"), max_length=32, blank=True,
                                help_text=_("Vendor or protocol variant, e.g. generic, aliyun, tencent."))
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey("org.Department", verbose_name=_("receiving department"),
                                   on_delete=models.PROTECT, related_name="channel_accounts")
    config = models.JSONField(_("settings"), default=dict, blank=True)
    secrets_encrypted = models.TextField(_("secrets (encrypted)"), blank=True, editable=False)
    is_paused = models.BooleanField(_("paused"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"

    # --- secrets: never returned by the API or shown in the admin --------------------------------
    def _secrets(self) -> dict[str, str]:
        cache: dict[str, str] | None = getattr(self, "_secret_cache", None)
        if cache is None or getattr(self, "_secret_cache_token", None) != self.secrets_encrypted:
            cache = crypto.decrypt_secrets(self.secrets_encrypted)
            self._secret_cache = cache
            self._secret_cache_token = self.secrets_encrypted
        return cache

    def get_secret(self, name: str, default: str | None = None) -> str | None:
        """The decrypted secret `name` ("secret" is the main one: app secret, HMAC key, password)."""
        return self._secrets().get(name, default)

    def set_secret(self, name: str, value: str | None) -> None:
        """Set (or with None/"" remove) secret `name`, encrypted; the caller saves the account."""
        values = dict(self._secrets())
        if value:
            values[name] = str(value)
        else:
            values.pop(name, None)
        self.secrets_encrypted = crypto.encrypt_secrets(values)

    @property
    def secret_names(self) -> list[str]:
        """Which secrets are set (names only)."""
        return sorted(self._secrets())

    def config_value(self, name: str, default: Any = None) -> Any:
        return (self.config or {}).get(name, default)
