"""Stable choice values of customers, units, accounts and archives."""

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
    AUTHORISED = "authorised", _("Authorised relative")
    CONTACT = "contact", _("Company contact")
    HOLDER = "holder", _("Account holder")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not stated")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class IdType(models.TextChoices):
    NONE = "", _("None")
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreign permanent resident ID card")
    OTHER = "other", _("Other")


class UnitUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    COMMERCIAL = "commercial", _("Shop")
    OFFICE = "office", _("Office")
    PARKING = "parking", _("Parking space")
    STORAGE = "storage", _("Storage room")
    OTHER = "other", _("Other")


class UnitStatus(models.TextChoices):
    VACANT = "vacant", _("Vacant")
    OCCUPIED = "occupied", _("Occupied")
    RENOVATING = "renovating", _("Renovating")
    FOR_RENT = "for_rent", _("For rent")
    FOR_SALE = "for_sale", _("For sale")


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class DocumentScope(models.TextChoices):
    """Whose archive a document type belongs to: one archive per unit, one per customer."""

    UNIT = "unit", _("Unit archive")
    CUSTOMER = "customer", _("Customer archive")


class DocumentStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    MISSING = "missing", _("Missing")
    EXPIRED = "expired", _("Expired")
