"""Who may see and manage memoranda, the governor network, the engagement log and community profiles.

- **Memoranda of understanding**: the LA's lead and officers manage them; the hub coordinator sees all of the LA's.
  Staff of an organisation that is party to one (a school, a partner, or the schools of a cluster that is party)
  see it. Governors do not (they see the network and their school's profile).
- **Governor network** (meetings, resources, notices and replies): governors of the LA's schools and LA staff see
  and post notices and replies; LA lead and officers organise meetings, share resources and moderate notices.
- **Engagement log**: LA staff see it; the lead and officers keep it.
- **Community profiles**: LA staff see every profile of the LA; a school's staff, governors, FEO and community school
  manager see their school's profile and their cluster's. The lead and officers set catchments and import WIMD.
- Partners and the public see none of these except the memoranda partners are party to.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import Role

from .models import (
    CatchmentArea,
    CommunityProfile,
    EngagementEvent,
    EngagementPaper,
    MemorandumOfUnderstanding,
    NetworkMeeting,
    NetworkResource,
    Notice,
    NoticeReply,
    Signatory,
    WimdArea,
    WimdEdition,
)

MANAGERS = (Role.LA_LEAD, Role.LA_OFFICER)
LA_READERS = (Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR)
#: Roles that see the memoranda their organisation (or its cluster) is party to.
PARTY_ROLES = (Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.FEO, Role.CSM, Role.PARTNER_WORKER, *LA_READERS)
#: Roles that take part in the governor network.
NETWORK_ROLES = (Role.GOVERNOR, *LA_READERS)
#: School roles that see their school's (and cluster's) community profile.
PROFILE_ROLES = (Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.FEO, Role.CSM, Role.GOVERNOR)


def _la(principal: Principal, roles: tuple[str, ...], field: str = "local_authority_id") -> Q:
    ids = principal.la_ids(roles)
    return Q(**{f"{field}__in": sorted(ids)}) if ids else NOTHING


def _network(principal: Principal, field: str = "local_authority_id") -> Q:
    governor_las = frozenset(g.local_authority_id for g in principal.grants if g.role == Role.GOVERNOR)
    ids = principal.la_ids(LA_READERS) | governor_las
    return Q(**{f"{field}__in": sorted(ids)}) if ids else NOTHING


def memorandum_q(principal: Principal, action: Action, prefix: str = "") -> Q:
    if action in (Action.LIST, Action.VIEW):
        q = _la(principal, LA_READERS, f"{prefix}local_authority_id")
        organisations = principal.organisation_ids(PARTY_ROLES) | principal.school_ids(PARTY_ROLES)
        clusters = principal.cluster_ids(PARTY_ROLES)
        through = MemorandumOfUnderstanding.parties.through
        cluster_through = MemorandumOfUnderstanding.clusters.through
        if organisations:
            q |= Q(**{f"{prefix}pk__in": through.objects.filter(organisation_id__in=sorted(organisations)).values("memorandumofunderstanding_id")})
        if clusters:
            q |= Q(**{f"{prefix}pk__in": cluster_through.objects.filter(cluster_id__in=sorted(clusters))
                      .values("memorandumofunderstanding_id")})
        return q
    if action == Action.CHANGE:
        return _la(principal, MANAGERS, f"{prefix}local_authority_id")
    return NOTHING


@register(MemorandumOfUnderstanding)
class MemorandumPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return memorandum_q(principal, action)

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(principal.la_ids(MANAGERS))


@register(Signatory)
class SignatoryPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return memorandum_q(principal, action, "memorandum__")


class _NetworkPolicy(ModelPolicy):
    """Governors and LA staff see; the lead and officers change."""

    field = "local_authority_id"

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _network(principal, self.field)
        if action in (Action.CHANGE, Action.DELETE, Action.MODERATE):
            return _la(principal, MANAGERS, self.field)
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(principal.la_ids(MANAGERS))


@register(NetworkMeeting)
class NetworkMeetingPolicy(_NetworkPolicy):
    pass


@register(NetworkResource)
class NetworkResourcePolicy(_NetworkPolicy):
    pass


@register(Notice)
class NoticePolicy(_NetworkPolicy):
    """Hidden notices stay visible to the moderators only."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return (_network(principal, self.field) & Q(hidden_on__isnull=True)) | _la(principal, MANAGERS, self.field)
        return super().scope(principal, action)

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return _network(principal) != NOTHING


@register(NoticeReply)
class NoticeReplyPolicy(NoticePolicy):
    field = "notice__local_authority_id"


@register(EngagementEvent)
class EngagementEventPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _la(principal, LA_READERS)
        if action in (Action.CHANGE, Action.DELETE):
            return _la(principal, MANAGERS)
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(principal.la_ids(MANAGERS))


@register(EngagementPaper)
class EngagementPaperPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _la(principal, LA_READERS, "event__local_authority_id")
        if action in (Action.CHANGE, Action.DELETE):
            return _la(principal, MANAGERS, "event__local_authority_id")
        return NOTHING


def profile_q(principal: Principal, action: Action, prefix: str = "") -> Q:
    if action in (Action.LIST, Action.VIEW):
        q = _la(principal, LA_READERS, f"{prefix}local_authority_id")
        schools = principal.school_ids(PROFILE_ROLES)
        clusters = principal.cluster_ids(PROFILE_ROLES)
        if schools:
            q |= Q(**{f"{prefix}school_id__in": sorted(schools)})
        if clusters:
            q |= Q(**{f"{prefix}cluster_id__in": sorted(clusters)})
        return q
    if action == Action.CHANGE:
        return _la(principal, MANAGERS, f"{prefix}local_authority_id")
    return NOTHING


@register(CommunityProfile)
class CommunityProfilePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return profile_q(principal, action)

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(principal.la_ids(MANAGERS))


@register(CatchmentArea)
class CatchmentAreaPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return profile_q(principal, action, "profile__")


@register(WimdEdition)
class WimdEditionPolicy(ModelPolicy):
    """Published national statistics: any member of staff may read them; the LA lead imports them."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return Q() if principal.is_staff_member else NOTHING
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(Role.LA_LEAD)


@register(WimdArea)
class WimdAreaPolicy(WimdEditionPolicy):
    pass
