"""Writes of the channels app. Accounts: create, change (compare-and-swap on `version`), pause
and resume; secrets are encrypted on the way in and never returned."""

import json
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kefu.channels.choices import AccountKind
from kefu.channels.models import ChannelAccount
from kefu.core.errors import Conflict, NotAllowed, field_error, required_field
from kefu.org.choices import RoleCode, Visibility
from kefu.org.models import Department
from kefu.org.selectors import Actor, require_actor
from kefu.workorders.selectors import subtree_ids

MANAGE_ROLES = {RoleCode.ADMINISTRATOR, RoleCode.DIRECTOR, RoleCode.MANAGER}
MAX_CONFIG_BYTES = 8 * 1024
MAX_SECRET_CHARS = 2000
MAX_NAME_CHARS = 100


def _may_manage(actor: Actor, department: Department) -> None:
    if actor.role not in MANAGE_ROLES:
        raise NotAllowed(_("Only managers, directors and administrators may manage channel accounts."))
    if actor.visibility != Visibility.ALL and department.pk not in set(subtree_ids(actor)):
        raise field_error("department", _("Department not found."))


def _clean_config(kind: str, config: Any, *, secret_given: bool, secret_set: bool) -> dict:
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise field_error("config", _("The settings must be a JSON object."))
    if len(json.dumps(config, ensure_ascii=False).encode("utf-8")) > MAX_CONFIG_BYTES:
        raise field_error("config", _("The settings are too large (at most 8 KB)."))
    has_secret = secret_given or secret_set
    if kind == AccountKind.WECHAT_MP or kind == AccountKind.WECOM:
        for key in ("app_id", "token") if kind == AccountKind.WECHAT_MP else ("corp_id", "token"):
            value = config.get(key)
            if not isinstance(value, str) or not value.strip():
                raise field_error("config", _("The settings need %(key)s.") % {"key": key})
        aes = config.get("encoding_aes_key")
        if kind == AccountKind.WECOM and not aes:
            raise field_error("config", _("The settings need %(key)s.") % {"key": "encoding_aes_key"})
        if aes not in (None, "") and (not isinstance(aes, str) or len(aes) != 43):
            raise field_error("config", _("encoding_aes_key must be the 43 characters WeChat shows."))
    if kind == AccountKind.CTI:
        if not has_secret:
            raise required_field("secret")
        target = config.get("answer_target_seconds", 15)
        if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= 600:
            raise field_error("config", _("answer_target_seconds must be a whole number from 1 to 600."))
    if kind == AccountKind.IMAP:
        for key in ("host", "username"):
            value = config.get(key)
            if not isinstance(value, str) or not value.strip():
                raise field_error("config", _("The settings need %(key)s.") % {"key": key})
        port = config.get("port", 993)
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise field_error("config", _("port must be a whole number from 1 to 65535."))
        if not has_secret:
            raise required_field("secret")
    return config


def _clean_secret(secret: Any) -> str | None:
    if secret is None:
        return None
    if not isinstance(secret, str):
        raise field_error("secret", _("The secret must be text."))
    if len(secret) > MAX_SECRET_CHARS:
        raise field_error("secret", _("The secret is too long."))
    return secret or None


def _clean_name(name: Any) -> str:
    name = (name or "").strip() if isinstance(name, str | type(None)) else ""
    if not name:
        raise required_field("name")
    if len(name) > MAX_NAME_CHARS:
        raise field_error("name", _("Keep the name under 100 characters."))
    return name


@transaction.atomic
def channel_account_create(*, actor_user, kind: str, name: str, department: Department,
                           config: dict | None = None, secret: str | None = None, provider: str = "",
                           secrets: dict[str, str] | None = None) -> ChannelAccount:
    """Register a channel account for `department`; `secret` is stored encrypted as "secret",
    `secrets` may add more named secrets (e.g. an SMS AccessKey pair)."""
    actor = require_actor(actor_user)
    if kind not in AccountKind.values:
        raise field_error("kind", _("Unknown kind of channel account."))
    _may_manage(actor, department)
    name = _clean_name(name)
    secret = _clean_secret(secret)
    config = _clean_config(kind, config, secret_given=bool(secret), secret_set=False)
    account = ChannelAccount(kind=kind, name=name, department=department, config=config,
                             provider=(provider or "")[:32])
    if secret:
        account.set_secret("secret", secret)
    for key, value in (secrets or {}).items():
        account.set_secret(key, _clean_secret(value))
    account.save()
    return account


@transaction.atomic
def channel_account_update(*, account: ChannelAccount, actor_user, version: int | None = None,
                           **changes: Any) -> ChannelAccount:
    """Change name, config, provider, paused flag or secret (a new secret replaces the old one;
    an absent one is kept). With `version`, a stale copy gets 409 instead of overwriting."""
    actor = require_actor(actor_user)
    _may_manage(actor, account.department)
    fields: dict[str, Any] = {}
    if "name" in changes:
        fields["name"] = _clean_name(changes["name"])
    if "provider" in changes:
        fields["provider"] = (changes["provider"] or "")[:32]
    if "is_paused" in changes:
        fields["is_paused"] = bool(changes["is_paused"])
    secret = _clean_secret(changes.get("secret"))
    if "config" in changes:
        fields["config"] = _clean_config(account.kind, changes["config"], secret_given=bool(secret),
                                         secret_set="secret" in account.secret_names)
    if secret:
        account.set_secret("secret", secret)
        fields["secrets_encrypted"] = account.secrets_encrypted
    qs = ChannelAccount.objects.filter(pk=account.pk)
    if version is not None:
        qs = qs.filter(version=version)
    if not qs.update(version=F("version") + 1, **fields):
        raise Conflict(_("Someone changed this channel account meanwhile; reload and try again."),
                       code="version_conflict")
    account.refresh_from_db()
    return account


def channel_account_set_paused(*, account: ChannelAccount, actor_user, paused: bool,
                               version: int | None = None) -> ChannelAccount:
    return channel_account_update(account=account, actor_user=actor_user, version=version, is_paused=paused)
