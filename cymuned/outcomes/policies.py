"""Who may see and record learners' outcome figures.

Attendance rows are personal records about a learner: they are seen by the staff who work with the learner at
the learner's *current* school (the learner roles, as for the learner record itself), and recorded by the
school's headteacher and staff, who hold the school's own records. LA-wide roles get no rows here: the
dashboards of issue 10 will give them aggregate figures, with small numbers suppressed, through selectors that
never return a learner.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import LA_WIDE_ROLES, LEARNER_ROLES, Role
from cymuned.organisations.models import School

from .models import (
    AssessmentResult,
    AttendanceImport,
    AttendanceSummary,
    AttendanceYear,
    BehaviourIncident,
    Exclusion,
    ImportRun,
    MappingTemplate,
    OutcomeAggregate,
    RecordsImport,
)

#: Who sees the dashboards' aggregate figures: those who work with learners at a school or for a cluster, governors
#: (of their school, figures only), and the LA-wide roles (every school of the LA, figures only). Partners see none.
DASHBOARD_ROLES = frozenset({*LEARNER_ROLES, Role.GOVERNOR, *LA_WIDE_ROLES})
#: Who may open the learners behind a school's figure (the drill-down): the learner roles at that school.
DRILL_DOWN_ROLES = LEARNER_ROLES

#: Who records a school's figures by hand or by import: those who keep the school's own records.
RECORDING_ROLES = (Role.HEADTEACHER, Role.SCHOOL_STAFF)
#: Who may import one file for every school of their LA, for the kinds of import that allow it (``kinds.ImportKind.la_wide``).
LA_IMPORT_ROLES = (Role.LA_LEAD, Role.LA_OFFICER)
#: Everyone who may open the import pages.
IMPORT_ROLES = (*RECORDING_ROLES, *LA_IMPORT_ROLES)


@register(AttendanceSummary)
class AttendanceSummaryPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return principal.schools_q(LEARNER_ROLES, school_field="learner__school")
        if action == Action.CHANGE:
            return principal.schools_q(RECORDING_ROLES, school_field="learner__school")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        """``parent`` is the learner's school."""
        allowed = principal.school_ids(RECORDING_ROLES)
        return bool(allowed) and (parent is None or parent.pk in allowed)


@register(AttendanceYear)
class AttendanceYearPolicy(ModelPolicy):
    """Marks are seen like the summaries; they are written only by the importer (no one changes a mark by hand)."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return principal.schools_q(LEARNER_ROLES, school_field="learner__school")
        return NOTHING


@register(AttendanceImport)
class AttendanceImportPolicy(ModelPolicy):
    """A school's imports are seen by those who import for it; an LA-wide import names no school and no learner."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return principal.schools_q(RECORDING_ROLES, school_field="school")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        """``parent`` is the school the file is for."""
        allowed = principal.school_ids(RECORDING_ROLES)
        return bool(allowed) and (parent is None or parent.pk in allowed)


class SchoolRecordPolicy(ModelPolicy):
    """Incidents, exclusions and results: seen by the learner roles at the learner's current school, written by import."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return principal.schools_q(LEARNER_ROLES, school_field="learner__school")
        if action in (Action.CHANGE, Action.DELETE):
            return principal.schools_q(RECORDING_ROLES, school_field="learner__school")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        """``parent`` is the learner's school."""
        allowed = principal.school_ids(RECORDING_ROLES)
        return bool(allowed) and (parent is None or parent.pk in allowed)


@register(BehaviourIncident)
class BehaviourIncidentPolicy(SchoolRecordPolicy):
    pass


@register(Exclusion)
class ExclusionPolicy(SchoolRecordPolicy):
    pass


@register(AssessmentResult)
class AssessmentResultPolicy(SchoolRecordPolicy):
    pass


@register(RecordsImport)
class RecordsImportPolicy(AttendanceImportPolicy):
    """As attendance imports: a school's are seen by those who import for it."""


@register(OutcomeAggregate)
class OutcomeAggregatePolicy(ModelPolicy):
    """Counts, not learners: seen for the schools the dashboard roles reach; written only by the refresh."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return principal.schools_q(DASHBOARD_ROLES, school_field="school")
        return NOTHING

    def national_scope(self, principal: Principal) -> Q:
        """The all-Wales figures (every LA's schools summed, always suppressed, never broken down below an LA): for
        those who hold an LA-wide role somewhere, since comparing their authority with Wales is part of their work."""
        return Q() if principal.la_ids(LA_WIDE_ROLES) else NOTHING


@register(ImportRun)
class ImportRunPolicy(ModelPolicy):
    """A school's imports: its headteacher and staff, who see, continue and start each other's. An LA-wide import
    (no school): the LA's lead and officers. No one else, and no one deletes one (the stored file is the audit copy)."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW, Action.CHANGE):
            la_ids = principal.la_ids(LA_IMPORT_ROLES)
            q = principal.schools_q(RECORDING_ROLES, school_field="school")
            if la_ids:
                q |= Q(school__isnull=True, local_authority_id__in=sorted(la_ids))
            return q
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        """``parent``: the school the file is for, or the local authority of an LA-wide file (``None``: anywhere)."""
        schools = principal.school_ids(RECORDING_ROLES)
        la_ids = principal.la_ids(LA_IMPORT_ROLES)
        if parent is None:
            return bool(schools or la_ids)
        if isinstance(parent, School):
            return parent.pk in schools
        return parent.pk in la_ids


@register(MappingTemplate)
class MappingTemplatePolicy(ModelPolicy):
    """A school's saved column mappings: for those who import for the school."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW, Action.CHANGE, Action.DELETE):
            return principal.schools_q(RECORDING_ROLES, school_field="school")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        allowed = principal.school_ids(RECORDING_ROLES)
        return bool(allowed) and (parent is None or parent.pk in allowed)
