from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "cymuned.strategy"
    label = "strategy"
    verbose_name = _("Strategic plan and consultations")

    def ready(self) -> None:
        from . import audited, council_report, measures, policies, profile_panel  # noqa: F401
