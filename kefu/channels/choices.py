from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    """What a channel account connects. Inbound: cti, wechat_mp, wecom, imap, suggestion_box.
    Outbound delivery (the `outbound` app) uses sms, wechat_mp and wecom accounts."""

    CTI = "cti", _("Phone / 400 line (CTI)")
    WECHAT_MP = "wechat_mp", _("WeChat official account")
    WECOM = "wecom", _("WeCom app")
    IMAP = "imap", _("Mailbox (IMAP)")
    SMS = "sms", _("SMS")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
