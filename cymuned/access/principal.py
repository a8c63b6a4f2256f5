"""What a user may reach, worked out once per request from their memberships."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from cymuned.accounts.roles import LA_WIDE_ROLES
from cymuned.organisations.models import OrganisationKind

CACHE_ATTRIBUTE = "_cymuned_principal"


@dataclass(frozen=True)
class Grant:
    """One active membership, flattened to the ids the policies need."""

    role: str
    organisation_id: int
    organisation_kind: str
    local_authority_id: int
    cluster_id: int | None
    school_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_la_wide(self) -> bool:
        return (
            self.organisation_kind == OrganisationKind.LOCAL_AUTHORITY and self.role in LA_WIDE_ROLES and self.cluster_id is None
        )


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    grants: tuple[Grant, ...] = ()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_staff_member(self) -> bool:
        return bool(self.grants)

    def _grants(self, roles: Iterable[str] | None) -> list[Grant]:
        if roles is None:
            return list(self.grants)
        wanted = set(roles)
        return [g for g in self.grants if g.role in wanted]

    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: str) -> bool:
        return bool(self._grants(roles))

    def school_ids(self, roles: Iterable[str] | None = None) -> frozenset[int]:
        """Schools reached one by one: held at the school, or through a cluster."""
        ids: set[int] = set()
        for grant in self._grants(roles):
            ids |= grant.school_ids
        return frozenset(ids)

    def la_ids(self, roles: Iterable[str] | None = None) -> frozenset[int]:
        """Local authorities where the user holds an LA-wide role (every school of the LA)."""
        return frozenset(g.local_authority_id for g in self._grants(roles) if g.is_la_wide)

    def member_la_ids(self, roles: Iterable[str] | None = None) -> frozenset[int]:
        """Local authorities the user works in at all, through any membership."""
        return frozenset(g.local_authority_id for g in self._grants(roles))

    def organisation_ids(self, roles: Iterable[str] | None = None) -> frozenset[int]:
        return frozenset(g.organisation_id for g in self._grants(roles))

    def cluster_ids(self, roles: Iterable[str] | None = None) -> frozenset[int]:
        return frozenset(g.cluster_id for g in self._grants(roles) if g.cluster_id is not None)

    def schools_q(self, roles: Iterable[str] | None, *, school_field: str) -> Q:
        """A filter reaching rows whose ``school_field`` is a school these roles reach."""
        roles = None if roles is None else tuple(roles)
        prefix = f"{school_field}__" if school_field else ""
        pk = f"{school_field}_id" if school_field else "pk"
        school_ids = self.school_ids(roles)
        la_ids = self.la_ids(roles)
        q = Q(pk__in=[])
        if school_ids:
            q |= Q(**{f"{pk}__in": sorted(school_ids)})
        if la_ids:
            q |= Q(**{f"{prefix}local_authority_id__in": sorted(la_ids)})
        return q


ANONYMOUS = Principal(user_id=None)


def principal_for(user: object) -> Principal:
    """The user's principal, computed once and kept on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ANONYMOUS
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    principal = _load_principal(user)
    setattr(user, CACHE_ATTRIBUTE, principal)
    return principal


def forget_principal(user: object) -> None:
    if hasattr(user, CACHE_ATTRIBUTE):
        delattr(user, CACHE_ATTRIBUTE)


def _load_principal(user: object) -> Principal:
    from cymuned.accounts.models import Membership
    from cymuned.organisations.models import School

    rows = list(
        Membership.objects.current()
        .filter(user_id=user.pk, organisation__is_active=True)  # type: ignore[attr-defined]
        .values(
            "role",
            "organisation_id",
            "organisation__kind",
            "organisation__local_authority_id",
            "organisation__school__cluster_id",
            "cluster_id",
        )
    )
    narrowed_clusters = {r["cluster_id"] for r in rows if r["cluster_id"] is not None}
    schools_by_cluster: dict[int, set[int]] = {}
    if narrowed_clusters:
        for school_id, cluster_id in School.objects.filter(cluster_id__in=narrowed_clusters, is_active=True).values_list(
            "pk", "cluster_id"
        ):
            schools_by_cluster.setdefault(cluster_id, set()).add(school_id)
    grants = []
    for r in rows:
        kind = r["organisation__kind"]
        if kind == OrganisationKind.SCHOOL:
            schools = frozenset({r["organisation_id"]})
            cluster_id = r["organisation__school__cluster_id"]
        elif r["cluster_id"] is not None:
            schools = frozenset(schools_by_cluster.get(r["cluster_id"], set()))
            cluster_id = r["cluster_id"]
        else:
            schools = frozenset()
            cluster_id = None
        grants.append(
            Grant(
                role=r["role"],
                organisation_id=r["organisation_id"],
                organisation_kind=kind,
                local_authority_id=r["organisation__local_authority_id"] or r["organisation_id"],
                cluster_id=cluster_id,
                school_ids=schools,
            )
        )
    return Principal(user_id=user.pk, grants=tuple(grants))  # type: ignore[attr-defined]
