from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "cymuned.evaluation"
    label = "evaluation"
    verbose_name = _("Self-evaluation")

    def ready(self) -> None:
        from . import audited, figures, policies  # noqa: F401
