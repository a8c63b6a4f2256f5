"""The panels of a community profile page, and the registry other domains add theirs to.

A panel is built by a function ``builder(*, profile, context) -> Panel | None`` (None: nothing to show). ``context``
is a :class:`ProfileContext`: the profile, the user reading it, the schools it covers and its catchment codes,
worked out once for all panels. Panels are shown in ``order``; each renders its own template with its ``data``.

Built in: deprivation (10), free school meals (20), housing and social landlords (30).

**Extension points to fill after merge** (keys and places are reserved, nothing is registered under them yet)::

    register_profile_panel(SERVICES_NEARBY, 40, build_services_nearby)   # cymuned/directory: services in or near the catchment
    register_profile_panel(COMMUNITY_WORDS, 50, build_community_words)   # surveys: what "community" means there, in people's words

Register from the owning app's ``AppConfig.ready()``. A builder must run a fixed number of queries and apply its own
domain's access rules for ``context.user`` (the profile page only checks the user may open the profile).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cymuned.organisations.models import Partner, PartnerType, School

from .models import WIMD_DOMAINS, CatchmentArea, CommunityProfile, MemorandumOfUnderstanding, MouStatus, WimdArea, WimdEdition
from .wimd import decile

DEPRIVATION = "deprivation"
FREE_SCHOOL_MEALS = "free_school_meals"
HOUSING = "housing"
#: Reserved for the services directory (cymuned/directory): services nearby.
SERVICES_NEARBY = "services_nearby"
#: Reserved for surveys: the community's own words about what community means there.
COMMUNITY_WORDS = "community_words"

#: Counts below this are not shown (a small number could identify learners).
SUPPRESS_BELOW = 5


@dataclass
class Panel:
    title: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)
    key: str = ""


@dataclass
class ProfileContext:
    profile: CommunityProfile
    user: Any
    schools: list[School]
    codes: list[str]


Builder = Callable[..., Panel | None]


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    builder: Builder


_panels: dict[str, _Registered] = {}


def register_profile_panel(key: str, order: int, builder: Builder) -> None:
    """Add (or replace) the panel ``key`` at position ``order`` on every community profile."""
    _panels[key] = _Registered(key=key, order=order, builder=builder)


def registered_panels() -> list[tuple[str, int]]:
    return sorted(((p.key, p.order) for p in _panels.values()), key=lambda item: (item[1], item[0]))


def profile_context(*, profile: CommunityProfile, user: Any) -> ProfileContext:
    """The schools a profile covers (the school, or the cluster's schools) and its catchment: its own small areas and, for a
    cluster, those of its schools' profiles. Two queries."""
    if profile.school_id:
        schools = [profile.school]
        codes_q = Q(profile=profile)
    else:
        schools = list(School.objects.filter(cluster_id=profile.cluster_id, is_active=True).order_by("name_en"))
        codes_q = Q(profile=profile) | Q(profile__school__cluster_id=profile.cluster_id)
    codes = sorted(set(CatchmentArea.objects.filter(codes_q).values_list("lsoa_code", flat=True)))
    return ProfileContext(profile=profile, user=user, schools=schools, codes=codes)


def build_panels(*, profile: CommunityProfile, user: Any) -> list[Panel]:
    context = profile_context(profile=profile, user=user)
    panels = []
    for registered in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        panel = registered.builder(profile=profile, context=context)
        if panel is not None:
            panel.key = registered.key
            panels.append(panel)
    return panels


def latest_edition() -> WimdEdition | None:
    return WimdEdition.objects.order_by("-imported_on", "-pk").first()


def deprivation_figures(*, codes: list[str], edition: WimdEdition | None) -> dict[str, Any]:
    """The catchment's small areas with their WIMD ranks and deciles, and how many are in the most deprived 10% and 20% of
    Wales, overall and by domain. One query."""
    if edition is None or not codes:
        return {"edition": edition, "areas": [], "missing": codes, "overall": None, "domains": []}
    areas = list(WimdArea.objects.filter(edition=edition, lsoa_code__in=codes).order_by("overall_rank"))
    n = edition.areas_in_wales
    for area in areas:
        area.decile = decile(area.overall_rank, n)
        area.domain_deciles = [(label, decile(getattr(area, f), n)) for f, label in WIMD_DOMAINS]
    found = {a.lsoa_code for a in areas}

    def count(fieldname: str, tenths: int) -> int:
        return sum(1 for a in areas if decile(getattr(a, fieldname), n) <= tenths)

    return {
        "edition": edition, "areas": areas, "missing": [c for c in codes if c not in found],
        "overall": {"most_10": count("overall_rank", 1), "most_20": count("overall_rank", 2), "total": len(areas)},
        "domains": [{"label": label, "most_10": count(f, 1), "most_20": count(f, 2)} for f, label in WIMD_DOMAINS],
    }


def efsm_share(*, schools: list[School]) -> dict[str, Any]:
    """Learners on roll and those eligible for free school meals at these schools. Suppressed (None) when either the eligible
    or the not-eligible count is below 5, since a small count (or a share near 100%) could identify learners. One query."""
    from cymuned.families.models import Learner

    counts = Learner.objects.filter(school__in=[s.pk for s in schools], archived_on__isnull=True).aggregate(
        total=Count("pk"), efsm=Count("pk", filter=Q(efsm=True)))
    total, efsm = counts["total"], counts["efsm"]
    suppressed = efsm < SUPPRESS_BELOW or total - efsm < SUPPRESS_BELOW
    return {"total": total if total >= SUPPRESS_BELOW else None, "efsm": None if suppressed else efsm,
            "percent": None if suppressed else round(100 * efsm / total, 1), "suppressed": suppressed}


def _deprivation(*, profile: CommunityProfile, context: ProfileContext) -> Panel:
    edition = latest_edition()
    return Panel(_("Deprivation (Welsh Index of Multiple Deprivation)"), "governance/panels/deprivation.html",
                 deprivation_figures(codes=context.codes, edition=edition))


def _free_school_meals(*, profile: CommunityProfile, context: ProfileContext) -> Panel | None:
    if not context.schools:
        return None
    return Panel(_("Eligibility for free school meals"), "governance/panels/efsm.html", efsm_share(schools=context.schools))


def _housing(*, profile: CommunityProfile, context: ProfileContext) -> Panel:
    """Social landlords working in the authority, those with an active memorandum covering these schools, and housing deprivation."""
    landlords = list(Partner.objects.filter(local_authority_id=profile.local_authority_id, partner_type=PartnerType.HOUSING,
                                            is_active=True).order_by("name_en"))
    school_ids = [s.pk for s in context.schools]
    cluster_ids = {s.cluster_id for s in context.schools if s.cluster_id} | ({profile.cluster_id} if profile.cluster_id else set())
    through = MemorandumOfUnderstanding.parties.through
    covering = MemorandumOfUnderstanding.objects.filter(status=MouStatus.ACTIVE).filter(
        Q(pk__in=through.objects.filter(organisation_id__in=[*school_ids, profile.local_authority_id]).values("memorandumofunderstanding_id"))
        | Q(clusters__in=cluster_ids))
    with_mou = set(through.objects.filter(memorandumofunderstanding__in=covering.values("pk"), organisation_id__in=[p.pk for p in landlords])
                   .values_list("organisation_id", flat=True)) if landlords else set()
    for landlord in landlords:
        landlord.has_mou = landlord.pk in with_mou
    return Panel(_("Housing and social landlords"), "governance/panels/housing.html", {"landlords": landlords})


register_profile_panel(DEPRIVATION, 10, _deprivation)
register_profile_panel(FREE_SCHOOL_MEALS, 20, _free_school_meals)
register_profile_panel(HOUSING, 30, _housing)
