from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mammapoli.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .ids import register

        register()  # before any urls.py is read: <id:…> in paths
