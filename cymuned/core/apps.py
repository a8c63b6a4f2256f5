from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cymuned.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import policies  # noqa: F401
        from .security_log import connect_signals

        connect_signals()
