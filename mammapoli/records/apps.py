from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "mammapoli.records"
    verbose_name = _("Patient records")
