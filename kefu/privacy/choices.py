from django.db import models
from django.utils.translation import pgettext_lazy


class AccessAction(models.TextChoices):
    REVEAL = "reveal", pgettext_lazy("privacy", "Revealed on a page")
    EXPORT = "export", pgettext_lazy("privacy", "Unmasked export")


class PersonalField(models.TextChoices):
    PHONE = "phone", pgettext_lazy("privacy", "Phone number")
    ID_NUMBER = "id_number", pgettext_lazy("privacy", "ID number")
    # An export carries every personal column of every row it holds.
    ALL = "all", pgettext_lazy("privacy", "All personal columns")
