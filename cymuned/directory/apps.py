from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "cymuned.directory"
    label = "directory"
    verbose_name = _("Services directory")

    def ready(self) -> None:
        from . import audited, policies  # noqa: F401
