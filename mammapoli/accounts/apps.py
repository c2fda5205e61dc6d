from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mammapoli.accounts"
    verbose_name = _("Logging in")

    def ready(self):
        from . import checks, signals  # noqa: F401 (registers the check, connects the receivers)
