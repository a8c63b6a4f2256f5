"""What each role's landing dashboard shows first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cymuned.access.policy import visible_to
from cymuned.access.principal import principal_for
from cymuned.accounts.models import Membership
from cymuned.accounts.roles import LEARNER_ROLES, Role
from cymuned.families.models import Learner
from cymuned.organisations.models import Cluster, Partner, School
from cymuned.outcomes.impact import IMPACT_ROLES


@dataclass
class Task:
    title: str
    url: str
    description: str


@dataclass
class Dashboard:
    memberships: list[Membership]
    figures: list[tuple[str, int]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)


def dashboard_for(*, user: Any) -> Dashboard:
    """The landing page of a user: their roles, key figures and first tasks, in a fixed number of queries."""
    principal = principal_for(user)
    memberships = list(visible_to(user, Membership.objects.current().with_related()).filter(user=user))
    board = Dashboard(memberships=memberships)
    if not principal.is_staff_member:
        board.tasks.append(Task(_("Your account"), reverse("accounts:profile"), _("Change your name, language and password.")))
        return board

    schools = visible_to(user, School)
    board.tasks.append(
        Task(_("Self-evaluation"), reverse("evaluation:list"), _("Rate the continuum, moderate, see heatmaps and follow action plans."))
    )
    if principal.has_role(Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR):
        counts = schools.aggregate(total=Count("pk"), efsm_high=Count("pk", filter=Q(efsm_percentage__gte=30)))
        board.figures += [
            (_("Schools"), counts["total"]),
            (_("Schools with 30% or more eFSM"), counts["efsm_high"]),
            (_("Clusters"), visible_to(user, Cluster).count()),
            (_("Partner organisations"), visible_to(user, Partner).count()),
        ]
    if principal.has_role(Role.LA_LEAD):
        board.tasks += [
            Task(_("Manage people and roles"), reverse("accounts:membership-list"), _("Invite staff, give and remove roles.")),
            Task(_("Review the audit log"), reverse("audit:log"), _("See who read, changed or exported records.")),
            Task(_("Clusters and schools"), reverse("organisations:cluster-list"), _("Clusters, their schools and eFSM shares.")),
        ]
    if principal.has_role(Role.HUB_COORDINATOR):
        board.tasks.append(
            Task(_("Partner register"), reverse("organisations:partner-list"), _("Partner organisations and their contacts."))
        )
    if principal.has_role(Role.HUB_COORDINATOR, Role.LA_LEAD):
        board.tasks.append(Task(_("Hub triage queue"), reverse("hub:queue"),
                                _("Triage referrals, allocate them to partners and watch the service levels.")))
    if principal.has_role(*LEARNER_ROLES):
        board.tasks.append(Task(_("Referrals"), reverse("hub:referral-list"),
                                _("Refer a family to the multi-agency hub or a partner, and follow what happens.")))
    if principal.has_role(Role.PARTNER_WORKER):
        board.tasks.append(Task(_("Partner portal"), reverse("hub:partner"),
                                _("Referrals to your organisation: accept them, record contact and the outcome.")))
    school_ids = principal.school_ids()
    if school_ids:
        board.schools = list(visible_to(user, School.objects.with_related()).filter(pk__in=school_ids))
    if principal.has_role(*LEARNER_ROLES):
        board.figures.append((_("Learners in your schools"), visible_to(user, Learner).count()))
        board.tasks.append(Task(_("Learners"), reverse("families:learner-list"), _("Learners on the roll of your schools.")))
    if principal.has_role(Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.LA_LEAD, Role.LA_OFFICER):
        board.tasks.append(
            Task(_("Import records"), reverse("outcomes:import-list"),
                 _("Upload attendance and other records exported from the school's management information system."))
        )
    if principal.has_role(Role.HEADTEACHER):
        board.tasks.append(
            Task(_("Your school's staff"), reverse("accounts:membership-list"), _("Give colleagues and governors their roles."))
        )
    if principal.has_role(*IMPACT_ROLES):
        board.tasks.append(
            Task(_("Impact of engagement"), reverse("outcomes:impact"),
                 _("Attendance, behaviour and attainment before and after engagement, against matched learners."))
        )
    if principal.has_role(Role.HEADTEACHER, Role.LA_LEAD, Role.LA_OFFICER, Role.FEO, Role.CSM, Role.GOVERNOR):
        board.tasks.append(Task(_("Outcomes dashboard"), reverse("outcomes:dashboard"),
                                _("Attendance, behaviour and attainment of eFSM and other learners, and the gap.")))
    if principal.has_role(Role.PARTNER_WORKER):
        for membership in memberships:
            if membership.role == Role.PARTNER_WORKER:
                board.tasks.append(
                    Task(
                        _("Your organisation's entry"),
                        reverse("organisations:partner-detail", args=[membership.organisation_id]),
                        _("Keep your organisation's contact details up to date."),
                    )
                )
    if principal.has_role(Role.GOVERNOR):
        board.tasks.append(
            Task(_("Schools"), reverse("organisations:school-list"), _("The schools of your local authority and their clusters."))
        )
    board.tasks.append(Task(_("Strategic plan"), reverse("strategy:plans"),
                            _("The local authority's plan: priorities, actions to update, measures, consultations and reports to Council.")))
    _partnership_tasks(board, principal)
    return board


def _partnership_tasks(board: Dashboard, principal: Any) -> None:
    """Grants, memoranda, the governor network, the engagement log and community profiles (cymuned/funding, cymuned/governance)."""
    la_staff = principal.la_ids([Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR])
    if la_staff or principal.has_role(Role.HEADTEACHER, Role.CSM, Role.SCHOOL_STAFF):
        board.tasks.append(Task(_("Grants and funding"), reverse("funding:overview"),
                                _("Grants, allocations to schools and clusters, spend, claims and funded posts.")))
    if la_staff or principal.has_role(Role.HEADTEACHER, Role.CSM, Role.SCHOOL_STAFF, Role.FEO, Role.PARTNER_WORKER):
        board.tasks.append(Task(_("Memoranda of understanding"), reverse("governance:mou-list"),
                                _("Agreements between schools, clusters and partners, and when they are reviewed.")))
    if la_staff or principal.has_role(Role.GOVERNOR):
        board.tasks.append(Task(_("Community governor network"), reverse("governance:network"),
                                _("Meetings and training, shared resources and the network's notice board.")))
    if la_staff:
        board.tasks.append(Task(_("Engagement log"), reverse("governance:engagement-list"),
                                _("Briefings and meetings with Cabinet, panels, governors, headteachers and communities.")))
    if la_staff or principal.has_role(Role.HEADTEACHER, Role.CSM, Role.SCHOOL_STAFF, Role.FEO, Role.GOVERNOR):
        board.tasks.append(Task(_("Community profiles"), reverse("governance:profile-list"),
                                _("Catchment areas, deprivation, free school meals and housing for each school and cluster.")))
