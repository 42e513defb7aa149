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


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONVERTED = "converted", _("Converted to a work order")
    CLOSED = "closed", _("Closed")


class ConversationAction(models.TextChoices):
    RECEIVE = "receive", _("Message received")
    CONVERT = "convert", _("Convert to work order")
    APPEND = "append", _("Append to work order")
    CLOSE = "close", _("Close")
    BIND = "bind", _("Bind customer")


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class MessageKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    VOICE = "voice", _("Voice")
    LOCATION = "location", _("Location")
    EVENT = "event", _("Event")
    EMAIL = "email", _("Email")
    CALL = "call", _("Call")


class CallStatus(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Missed")
    ENDED = "ended", _("Ended")


class CallEvent(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")
    MISSED = "missed", _("Missed")
