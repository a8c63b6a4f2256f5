"""Learners are personal records: changes *and* reads are logged."""

from auditlog.registry import auditlog

from .models import Learner

auditlog.register(Learner)
