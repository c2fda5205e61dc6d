from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    name = "mammapoli.board"
    verbose_name = _("Day view and clinic board")
