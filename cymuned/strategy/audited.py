"""Named consultation responses are personal data: changes are logged like the other personal records."""

from auditlog.registry import auditlog

from .models import ActionUpdate, Answer, PlanAction, PlanVersion, Response

for model in (PlanVersion, PlanAction, ActionUpdate, Response, Answer):
    auditlog.register(model)
