from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "cymuned.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from . import audited, policies  # noqa: F401
