"""The service navigation: which sections a user sees, by the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from cymuned.access.principal import Principal
from cymuned.accounts.roles import LEARNER_ROLES, Role
from cymuned.outcomes.impact import IMPACT_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def awaiting_second_factor(request: HttpRequest) -> bool:
    """Signed in with a password but not yet with the code their role requires."""
    from cymuned.accounts.services import requires_two_factor

    user = getattr(request, "user", None)  # absent on a 400 for a bad Host header, before authentication ran
    return bool(user is not None and user.is_authenticated and not user.is_verified() and requires_two_factor(user))


def navigation_for(request: HttpRequest, principal: Principal) -> list[NavItem]:
    if not principal.is_authenticated or awaiting_second_factor(request):
        return []
    entries: list[tuple[str, str]] = [(_("Dashboard"), reverse("core:dashboard"))]
    if principal.is_staff_member:
        entries += [
            (_("Schools"), reverse("organisations:school-list")),
            (_("Clusters"), reverse("organisations:cluster-list")),
            (_("Partners"), reverse("organisations:partner-list")),
        ]
    if principal.is_staff_member:
        entries.append((_("Self-evaluation"), reverse("evaluation:list")))
    if principal.has_role(Role.LA_LEAD, Role.HEADTEACHER):
        entries.append((_("People"), reverse("accounts:membership-list")))
    if principal.has_role(*LEARNER_ROLES):
        entries.append((_("Learners"), reverse("families:learner-list")))
        entries.append((_("Families"), reverse("families:household-list")))
    if principal.has_role(Role.FEO, Role.HEADTEACHER, Role.CSM):
        entries.append((_("Caseload"), reverse("families:caseload")))
        entries.append((_("Worklist"), reverse("outcomes:worklist")))
    if principal.has_role(Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR, Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.CSM,
                          Role.FEO, Role.GOVERNOR):
        entries.append((_("Outcomes"), reverse("outcomes:dashboard")))
    if principal.has_role(Role.HEADTEACHER, Role.SCHOOL_STAFF):
        entries.append((_("Imports"), reverse("outcomes:import-list")))
    if principal.has_role(Role.HUB_COORDINATOR, Role.LA_LEAD):
        entries.append((_("Hub"), reverse("hub:queue")))
    if principal.has_role(Role.SCHOOL_STAFF, Role.HEADTEACHER, Role.FEO, Role.CSM):
        entries.append((_("Referrals"), reverse("hub:referral-list")))
    if principal.has_role(Role.PARTNER_WORKER):
        entries.append((_("Partner portal"), reverse("hub:partner")))
    if principal.is_staff_member:
        entries.append((_("Programmes"), reverse("programmes:manage-list")))
    if principal.has_role(Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR, Role.HEADTEACHER, Role.CSM, Role.FEO):
        entries.append((_("Reports"), reverse("programmes:report")))
    if principal.has_role(*IMPACT_ROLES):
        entries.append((_("Impact"), reverse("outcomes:impact")))
    if principal.has_role(Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR, Role.PARTNER_WORKER, Role.HEADTEACHER, Role.CSM):
        entries.append((_("Services directory"), reverse("directory:manage-list")))
    if principal.has_role(Role.HEADTEACHER, Role.CSM, Role.LA_LEAD, Role.LA_OFFICER):
        entries.append((_("Lettings"), reverse("premises:requests")))
    if not principal.is_staff_member:
        from cymuned.premises.models import Hirer

        if Hirer.objects.filter(user_id=principal.user_id).exists():
            entries.append((_("Your bookings"), reverse("premises:my-bookings")))
    if principal.is_staff_member:
        entries.append((_("Strategic plan"), reverse("strategy:plans")))
    if principal.has_role(Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR, Role.HEADTEACHER, Role.CSM, Role.SCHOOL_STAFF):
        entries.append((_("Funding"), reverse("funding:overview")))
    if principal.has_role(Role.GOVERNOR):
        entries.append((_("Governor network"), reverse("governance:network")))
    if principal.has_role(Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR, Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.FEO, Role.CSM,
                          Role.GOVERNOR):
        entries.append((_("Community profiles"), reverse("governance:profile-list")))
    if principal.has_role(Role.LA_LEAD):
        entries.append((_("Audit log"), reverse("audit:log")))
    path = request.path
    items = []
    for label, url in entries:
        active = path == url if url == reverse("core:dashboard") else path.startswith(url)
        items.append(NavItem(label=label, url=url, active=active))
    return items
