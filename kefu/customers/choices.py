from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class CustomerTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    VIP = "vip", _("VIP")


class AssetKind(models.TextChoices):
    UNIT = "unit", _("Unit")
    ACCOUNT = "account", _("Service account")
    PRODUCT = "product", _("Product")


class AssetRelation(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    FAMILY = "family", _("Family member")
    CONTACT = "contact", _("Company contact")
    HOLDER = "holder", _("Account holder")
