from auditlog.registry import auditlog

from .models import Action, ActionUpdate, Evaluation, Evidence, Framework, Rating, StakeholderSurvey

for model in (Framework, Evaluation, Rating, Evidence, StakeholderSurvey, Action, ActionUpdate):
    auditlog.register(model)
