from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "cymuned.funding"
    label = "funding"
    verbose_name = _("Grants and funded posts")

    def ready(self) -> None:
        from . import audited, policies  # noqa: F401
