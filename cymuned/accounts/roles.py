"""The roles a membership can carry, and the facts the rest of Cymuned needs about them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cymuned.organisations.models import OrganisationKind


class Role(models.TextChoices):
    LA_LEAD = "la_lead", _("Local authority community focused schools lead")
    LA_OFFICER = "la_officer", _("Local authority officer")
    HUB_COORDINATOR = "hub_coordinator", _("Hub coordinator")
    HEADTEACHER = "headteacher", _("Headteacher")
    SCHOOL_STAFF = "school_staff", _("School staff")
    FEO = "feo", _("Family Engagement Officer")
    CSM = "csm", _("Community school manager")
    GOVERNOR = "governor", _("Governor")
    PARTNER_WORKER = "partner_worker", _("Partner agency worker")


#: Which kind of organisation each role is held at.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    Role.LA_LEAD: frozenset({OrganisationKind.LOCAL_AUTHORITY}),
    Role.LA_OFFICER: frozenset({OrganisationKind.LOCAL_AUTHORITY}),
    Role.HUB_COORDINATOR: frozenset({OrganisationKind.LOCAL_AUTHORITY}),
    Role.HEADTEACHER: frozenset({OrganisationKind.SCHOOL}),
    Role.SCHOOL_STAFF: frozenset({OrganisationKind.SCHOOL}),
    # FEOs and community school managers are employed by a school or by the LA
    # for a cluster.
    Role.FEO: frozenset({OrganisationKind.SCHOOL, OrganisationKind.LOCAL_AUTHORITY}),
    Role.CSM: frozenset({OrganisationKind.SCHOOL, OrganisationKind.LOCAL_AUTHORITY}),
    Role.GOVERNOR: frozenset({OrganisationKind.SCHOOL}),
    Role.PARTNER_WORKER: frozenset({OrganisationKind.PARTNER}),
}

#: Roles held at the LA that see every school of the LA (unless narrowed to a cluster).
LA_WIDE_ROLES = frozenset({Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR})

#: Roles that can see personal data of learners and families: these must use two-factor sign-in.
PERSONAL_DATA_ROLES = frozenset(
    {
        Role.LA_LEAD,
        Role.LA_OFFICER,
        Role.HUB_COORDINATOR,
        Role.HEADTEACHER,
        Role.SCHOOL_STAFF,
        Role.FEO,
        Role.CSM,
        Role.PARTNER_WORKER,
    }
)

#: Roles that work with individual learners in a school (the families domain builds on this).
LEARNER_ROLES = frozenset({Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.FEO, Role.CSM})


class GovernorCategory(models.TextChoices):
    COMMUNITY = "community", _("Community governor")
    PARENT = "parent", _("Parent governor")
    STAFF = "staff", _("Staff governor")
    LOCAL_AUTHORITY = "local_authority", _("Local authority governor")
    FOUNDATION = "foundation", _("Foundation governor")
    LEARNER = "learner", _("Associate pupil governor")
