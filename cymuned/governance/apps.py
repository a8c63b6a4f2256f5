from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "cymuned.governance"
    label = "governance"
    verbose_name = _("Partnerships and governance")

    def ready(self) -> None:
        from . import audited, panels, policies  # noqa: F401
