from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "cymuned.programmes"
    label = "programmes"
    verbose_name = _("Programmes and activities")

    def ready(self) -> None:
        from . import audited, data_protection, policies  # noqa: F401
