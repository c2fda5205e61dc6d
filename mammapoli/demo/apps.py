from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data only: not installed under the production settings."""

    name = "mammapoli.demo"
    verbose_name = _("Demo clinic")
