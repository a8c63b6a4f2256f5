"""Attendance figures are personal records: changes *and* reads are logged.

Bulk upserts (``services.attendance_summaries_upsert``) bypass the per-row change log on purpose: the importer
records the import itself (who, which file, how many rows), which is what an auditor needs of 10,000 rows.
"""

from auditlog.registry import auditlog

from .models import AssessmentResult, AttendanceSummary, BehaviourIncident, Exclusion

auditlog.register(AttendanceSummary)
auditlog.register(BehaviourIncident)
auditlog.register(Exclusion)
auditlog.register(AssessmentResult)
