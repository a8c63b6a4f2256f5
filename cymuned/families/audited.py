"""Learners and families are personal records: changes *and* reads are logged."""

from auditlog.registry import auditlog

from .models import Carer, Consent, Contact, Episode, Household, Learner

for model in (Learner, Household, Carer, Consent, Episode, Contact):
    auditlog.register(model)
