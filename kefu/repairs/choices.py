from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordStatus(models.TextChoices):
    OPEN = "open", _("Awaiting sign-off")
    SIGNED = "signed", _("Signed by the customer")


class RecordAction(models.TextChoices):
    OPEN = "open", _("Open the record")
    UPDATE = "update", _("Update")
    ADD_PART = "add_part", _("Add a part")
    REMOVE_PART = "remove_part", _("Remove a part")
    SUBMIT_QUOTE = "submit_quote", _("Submit the quote")
    COLLECT = "collect", _("Record the charge collected")
    SIGN = "sign", _("Customer sign-off")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CARD = "card", _("Bank card")
    TRANSFER = "transfer", _("Bank transfer")


class EquipmentKind(models.TextChoices):
    LIFT = "lift", _("Lift")
    WATER = "water", _("Water supply and drainage")
    ELECTRICAL = "electrical", _("Electrical")
    HVAC = "hvac", _("Air conditioning and ventilation")
    FIRE = "fire", _("Fire safety")
    ACCESS = "access", _("Access control and CCTV")
    OTHER = "other", _("Other")
