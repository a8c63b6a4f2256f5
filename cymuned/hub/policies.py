"""Who may see and act on referrals and Team Around the Family meetings.

* Referrers (school staff, headteachers, FEOs, community school managers) see the referrals they made and those of the
  schools they work with, and answer the hub's requests for more information.
* Hub coordinators and the LA lead of the referral's local authority see all of its referrals and triage them.
* Partner workers see only the referrals allocated to their own organisation (another partner's answer 404), only
  what the basis of sharing allows (cymuned/hub/minimisation.py), and nothing more once the family withdraws the
  consent it was shared under.
* Governors and the public see nothing.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import Role
from cymuned.families.models import Episode
from cymuned.families.policies import EpisodePolicy

from .models import AgreedAction, Referral, ReferralEvent, ServiceLevel, TafAttendee, TeamAroundFamilyMeeting

REFERRER_ROLES = (Role.SCHOOL_STAFF, Role.HEADTEACHER, Role.FEO, Role.CSM)
HUB_ROLES = (Role.HUB_COORDINATOR, Role.LA_LEAD)


def referrer_q(principal: Principal, prefix: str = "") -> Q:
    if not principal.has_role(*REFERRER_ROLES):
        return NOTHING
    school_ids = principal.school_ids(REFERRER_ROLES)
    q = Q(**{f"{prefix}referred_by_id": principal.user_id})
    if school_ids:
        q |= Q(**{f"{prefix}school_id__in": sorted(school_ids)})
    return q


def hub_q(principal: Principal, prefix: str = "") -> Q:
    la_ids = principal.la_ids(HUB_ROLES)
    return Q(**{f"{prefix}local_authority_id__in": sorted(la_ids)}) if la_ids else NOTHING


def partner_q(principal: Principal, prefix: str = "") -> Q:
    """The partner's own referrals, while the basis of sharing holds: a referral sent with consent is no longer the
    partner's to see once the family withdraws that consent (one under a lawful basis has no consent to withdraw)."""
    partners = principal.organisation_ids([Role.PARTNER_WORKER])
    if not partners:
        return NOTHING
    sharing_holds = Q(**{f"{prefix}consent__isnull": True}) | Q(**{f"{prefix}consent__withdrawn_on__isnull": True})
    return Q(**{f"{prefix}partner_id__in": sorted(partners)}) & sharing_holds


@register(Referral)
class ReferralPolicy(ModelPolicy):
    """VIEW/LIST: referrer, hub or partner. CHANGE: the same people; each service then checks which side may act."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW, Action.CHANGE):
            return referrer_q(principal) | hub_q(principal) | partner_q(principal)
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(*REFERRER_ROLES)


@register(ReferralEvent)
class ReferralEventPolicy(ModelPolicy):
    """Events of referrals the user sees; a partner sees only the events marked for partners."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action not in (Action.LIST, Action.VIEW):
            return NOTHING
        own = referrer_q(principal, "referral__") | hub_q(principal, "referral__")
        return own | (partner_q(principal, "referral__") & Q(visible_to_partner=True))


@register(ServiceLevel)
class ServiceLevelPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW, Action.CHANGE):
            return hub_q(principal)
        return NOTHING


def meeting_q(principal: Principal, action: Action, prefix: str = "") -> Q:
    """Meetings about episodes the user may see (or change), those of the hub's LA, and those the user attended."""
    episode_action = Action.VIEW if action in (Action.LIST, Action.VIEW) else Action.CHANGE
    episodes = Episode.objects.filter(EpisodePolicy().scope(principal, episode_action))
    q = Q(**{f"{prefix}episode_id__in": episodes.values("pk")})
    la_ids = principal.la_ids(HUB_ROLES)
    if la_ids:
        q |= Q(**{f"{prefix}episode__school__local_authority_id__in": sorted(la_ids)})
    if action in (Action.LIST, Action.VIEW) and principal.user_id is not None:
        q |= Q(**{f"{prefix}attendees__user_id": principal.user_id})
    return q


@register(TeamAroundFamilyMeeting)
class MeetingPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            visible = TeamAroundFamilyMeeting.objects.filter(meeting_q(principal, action)).values("pk")
            return Q(pk__in=visible)
        if action == Action.CHANGE:
            return meeting_q(principal, action)
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(Role.FEO, Role.HEADTEACHER, Role.CSM, *HUB_ROLES)


@register(TafAttendee)
class AttendeePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action not in (Action.LIST, Action.VIEW):
            return NOTHING
        meetings = TeamAroundFamilyMeeting.objects.filter(meeting_q(principal, action)).values("pk")
        return Q(meeting_id__in=meetings)


@register(AgreedAction)
class AgreedActionPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action not in (Action.LIST, Action.VIEW, Action.CHANGE) or not principal.is_authenticated:
            return NOTHING
        meetings = TeamAroundFamilyMeeting.objects.filter(meeting_q(principal, action)).values("pk")
        return Q(meeting_id__in=meetings) | Q(owner_id=principal.user_id)
