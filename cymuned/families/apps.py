from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "cymuned.families"
    label = "families"
    verbose_name = _("Families and learners")

    def ready(self) -> None:
        from . import audited, policies, retention, subject_access  # noqa: F401
