from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "kefu.exchange"
    label = "exchange"
    verbose_name = _("Import, export and duplicates")
