from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PremisesConfig(AppConfig):
    name = "cymuned.premises"
    label = "premises"
    verbose_name = _("Premises and lettings")

    def ready(self) -> None:
        from . import audited, policies  # noqa: F401
