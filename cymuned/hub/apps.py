from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "cymuned.hub"
    label = "hub"
    verbose_name = _("Multi-agency hub")

    def ready(self) -> None:
        from . import audited, data_protection, elsewhere, minimisation, policies  # noqa: F401
