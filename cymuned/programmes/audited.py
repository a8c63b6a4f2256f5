"""Enrolments name people (a learner, or a member of the public): changes and reads are logged."""

from auditlog.registry import auditlog

from .models import Achievement, Attendance, ConfidenceResponse, Enrolment, Programme, Session

for model in (Programme, Session, Enrolment, Attendance, Achievement, ConfidenceResponse):
    auditlog.register(model)
