"""Every URL of Cymuned, requested as every role, as outsiders, and anonymously.

Each URL must declare who may use it (cymuned.access.views). The answer each user gets
must match that declaration and, for URLs naming a record, the access layer's verdict
on that record. A URL with no declaration fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from cymuned.access.policy import Action, can
from cymuned.access.principal import principal_for
from cymuned.access.views import NAMESPACE_ACCESS, Access, ObjectAccess, Public, Superuser, access_of

from .conftest import HOME_USERS, OUTSIDERS, World, add_attendance_summary, add_import_run

USERS = [None, "public", *HOME_USERS, *OUTSIDERS]


@dataclass
class Route:
    name: str
    callback: Any
    kwargs: list[str]
    namespace: str


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            if not p.name:
                if namespace.split(":")[0] in NAMESPACE_ACCESS:
                    continue  # an unnamed redirect inside a namespace declared as a whole
                raise AssertionError(f"URL pattern {p.pattern} has no name, so it cannot be checked")
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield Route(name=name, callback=p.callback, kwargs=list(p.pattern.regex.groupindex), namespace=namespace)


def all_routes() -> list[Route]:
    seen: dict[tuple[str, tuple[str, ...]], Route] = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault((route.name, tuple(route.kwargs)), route)
    return list(seen.values())


def declared_access(route: Route) -> Access | None:
    top = route.namespace.split(":")[0] if route.namespace else ""
    return NAMESPACE_ACCESS.get(top) or access_of(route.callback)


def test_every_url_declares_its_access():
    missing = [r.name for r in all_routes() if declared_access(r) is None]
    assert not missing, f"URLs with no declared access: {missing}"


def _object_model(route: Route, access: Access) -> type | None:
    if "pk" not in route.kwargs:
        return None
    if isinstance(access, ObjectAccess):
        return access.model
    view_class = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    queryset = getattr(view_class, "queryset", None)
    return queryset.model if queryset is not None else None


def _sample_object(world: World, model: type) -> Any:
    from .partnerships import add_partnerships

    if model.__module__.startswith(("cymuned.funding.", "cymuned.governance.")):
        return add_partnerships(world)[model]
    from cymuned.accounts.models import Membership
    from cymuned.directory.models import Contact as DirectoryContact
    from cymuned.directory.models import Schedule, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
    from cymuned.directory.taxonomy import NEEDS_TAXONOMY_ID, term_id
    from cymuned.evaluation.models import Action as PlanAction
    from cymuned.evaluation.models import Cell, Evaluation, Evidence, Framework, Rating, StakeholderSurvey
    from cymuned.families.models import Carer, Consent, Contact, Episode, Household, Learner
    from cymuned.hub.models import Referral, TeamAroundFamilyMeeting
    from cymuned.organisations.models import Cluster, Organisation, Partner, School
    from cymuned.outcomes.models import AttendanceSummary, ImportRun
    from cymuned.premises.models import (
        Block,
        Booking,
        BookingSeries,
        CapitalProject,
        CaretakerCover,
        Hirer,
        Invoice,
        OpeningWindow,
        RateCard,
        Space,
        TermDate,
    )
    from cymuned.programmes.models import Achievement, Attendance, ConfidenceResponse, Enrolment, Programme, Session
    from cymuned.strategy.models import CouncilReport, Objective, PlanVersion, Priority, Questionnaire, StrategicPlan
    from cymuned.strategy.models import PlanAction as StrategyAction

    from .strategy_world import a_finished_report, build_plan

    strategy = build_plan(world)
    return {
        StrategicPlan: strategy.plan,
        PlanVersion: strategy.draft,
        Priority: strategy.priority,
        Objective: strategy.objective,
        StrategyAction: strategy.action_a,
        Questionnaire: strategy.questionnaire,
        CouncilReport: a_finished_report(world),
        Referral: a_referral(world),
        TeamAroundFamilyMeeting: a_meeting(world),
        Space: world.space,
        BookingSeries: world.series,
        Booking: world.booking,
        Hirer: world.hirer,
        OpeningWindow: world.space.opening_windows.order_by("pk").first(),
        CaretakerCover: world.school_a.caretaker_cover.order_by("pk").first(),
        RateCard: world.space.rates.order_by("pk").first(),
        TermDate: world.la.terms.order_by("pk").first(),
        Block: _a_block(world),
        CapitalProject: _a_capital_project(world),
        Invoice: _an_invoice(world),
        Attendance: world.attendance,
        Achievement: world.achievement,
        ConfidenceResponse: world.confidence,
        Programme: world.programme,
        Session: world.session,
        Enrolment: world.enrolment,
        Household: world.household,
        Carer: world.carer,
        Consent: world.consent,
        Episode: world.episode,
        Contact: world.contact,
        Framework: world.framework,
        Cell: world.cell,
        Evaluation: world.evaluation,
        Evidence: world.evidence,
        StakeholderSurvey: world.survey,
        PlanAction: world.action,
        Rating: _a_rating(world),
        School: world.school_a,
        Organisation: world.school_a,
        Cluster: world.cluster_x,
        Partner: world.partner_p,
        Membership: world.memberships["school_staff"],
        Learner: world.learner_a,
        AttendanceSummary: add_attendance_summary(world),
        Service: world.service,
        ServiceAtLocation: world.service_location,
        Schedule: world.service_schedule,
        DirectoryContact: world.service_contact,
        Taxonomy: Taxonomy.objects.get(pk=NEEDS_TAXONOMY_ID),
        TaxonomyTerm: TaxonomyTerm.objects.get(pk=term_id("housing")),
        ImportRun: _an_import_run(world),
    }[model]


def _an_import_run(world: World) -> Any:
    from cymuned.outcomes.models import ImportRun

    return ImportRun.objects.filter(original_name="every-url.csv").first() or add_import_run(world, name="every-url.csv")
def a_referral(world: World) -> Any:
    """School A's referral of the Jones family, allocated to partner P (so partner Q and other schools must get 404)."""
    import datetime

    from django.utils import timezone

    from cymuned.families.models import Consent
    from cymuned.hub.models import Referral, ReferralNeed

    existing = Referral.objects.filter(reference="HUB-WORLD").first()
    if existing:
        return existing
    consent = Consent.objects.create(household=world.household, purpose="share_housing", given_by=world.carer, method="written",
                                     given_on=datetime.date.today() - datetime.timedelta(days=30))
    now = timezone.now()
    referral = Referral.objects.create(
        reference="HUB-WORLD", local_authority=world.la, school=world.school_a, referred_by=world.users["school_staff"],
        learner=world.learner_a, household=world.household, partner=world.partner_p, urgency="soon", details="Rent arrears",
        family_knows="Mum asked for help", family_wants="Advice on the arrears", consent=consent, status="allocated",
        triage_due=now + datetime.timedelta(hours=24), first_contact_due=now + datetime.timedelta(days=5),
        outcome_due=now + datetime.timedelta(days=30))
    ReferralNeed.objects.create(referral=referral, need="housing")
    return referral


def a_meeting(world: World) -> Any:
    import datetime

    from cymuned.hub.models import AgreedAction, TafAttendee, TeamAroundFamilyMeeting

    meeting = TeamAroundFamilyMeeting.objects.filter(episode=world.episode).first()
    if meeting is None:
        meeting = TeamAroundFamilyMeeting.objects.create(episode=world.episode, held_on=datetime.date.today(), minutes="Agreed a plan")
        TafAttendee.objects.create(meeting=meeting, user=world.users["partner_worker"], name="Partner Worker", organisation=world.partner_p)
        AgreedAction.objects.create(meeting=meeting, description="Call the landlord", owner_name="Sian",
                                    review_on=datetime.date.today() + datetime.timedelta(days=14))
    return meeting


def _a_rating(world: World) -> Any:
    from cymuned.evaluation.models import Rating

    return Rating.objects.get_or_create(
        evaluation=world.evaluation, cell=world.cell, defaults={"stage": world.stages[2], "rationale": "Minutes show it."}
    )[0]


def _a_block(world: World) -> Any:
    import datetime

    from cymuned.premises.models import Block

    start = datetime.datetime(2030, 7, 1, 9, tzinfo=datetime.UTC)
    return Block.objects.get_or_create(school=world.school_a, space=world.space, kind="closure", starts_at=start,
                                       defaults={"ends_at": start + datetime.timedelta(hours=8), "reason": "Polling station"})[0]


def _a_capital_project(world: World) -> Any:
    import datetime

    from cymuned.premises.models import CapitalProject

    project, created = CapitalProject.objects.get_or_create(
        school=world.school_a, title_en="New community room", defaults={"title_cy": "Ystafell gymunedol newydd", "grant_source": "CFS capital",
                                                                        "amount_pence": 25_000_000, "completed_on": datetime.date(2025, 9, 1)})
    if created:
        project.spaces.add(world.space)
    return project


def _an_invoice(world: World) -> Any:
    import datetime

    from cymuned.premises.models import Invoice

    return Invoice.objects.get_or_create(
        number="676-2030-000001", defaults={"local_authority_id": world.la.pk, "series": world.series, "issued_on": datetime.date(2030, 1, 6),
                                            "due_on": datetime.date(2030, 2, 5), "net_pence": 5000, "vat_pence": 0,
                                            "lines": [{"booking": world.booking.pk, "date": "2030-01-07", "starts": "18:00", "ends": "20:00",
                                                       "description": "Main hall / Prif neuadd: Choir practice", "hours": "2.00", "pence": 5000}]})[0]


#: Route-specific values for URL parameters that are not a record's pk.
ROUTE_KWARGS = {
    "evaluation:survey": lambda w: {"token": w.survey.token},
    "evaluation:rate": lambda w: {"cell": w.cell.pk},
    "programmes:confidence": lambda w: {"stage": "before"},
    "programmes:report-export": lambda w: {"dataset": "reach", "fmt": "csv"},
    "premises:feed": lambda w: {"token": _a_feed(w).token},
    "strategy:answer": lambda w: {"token": _strategy(w).questionnaire.token},
    "strategy:results-export": lambda w: {"fmt": "csv"},
    "strategy:report-download": lambda w: {"fmt": "pdf"},
}


def _strategy(world: World) -> Any:
    from .strategy_world import build_plan

    return build_plan(world)


def _a_feed(world: World) -> Any:
    from cymuned.premises.models import CalendarFeed

    return CalendarFeed.objects.get_or_create(scope="space", space=world.space, revoked_on=None)[0]


SAMPLE_KWARGS = {
    "uidb64": "MQ",
    "token": "not-a-real-token",
    "format": "json",
    "app_label": "auth",
    "object_id": "1",
    "content_type_id": "1",
    "url": "missing",
}


def _url(route: Route, obj: Any, world: World) -> str:
    special = ROUTE_KWARGS.get(route.name, lambda w: {})(world)
    kwargs = {k: special.get(k, SAMPLE_KWARGS.get(k)) for k in route.kwargs if k != "pk"}
    if "pk" in route.kwargs:
        kwargs["pk"] = obj.pk if obj is not None else 1
    with translation.override("en-gb"):
        return reverse(route.name, kwargs=kwargs)


def _expected(access: Access, user: Any, obj: Any, route: Route) -> bool:
    if isinstance(access, Superuser):
        return False  # none of the world's users is a superuser
    principal = principal_for(user)
    if isinstance(access, Public):
        allowed = True
    else:
        allowed = principal.is_authenticated and access.permits(principal)
    if allowed and obj is not None:
        action = access.action if isinstance(access, ObjectAccess) else Action.VIEW
        allowed = can(user, action, obj)
    return allowed


@pytest.mark.parametrize("name", USERS)
def test_every_url_as_every_user(world, client_for, name):
    """One user at a time, so the walk (hundreds of routes per user) spreads over the test processes."""
    from django.contrib.auth.models import AnonymousUser

    failures = []
    routes = all_routes()
    assert len(routes) > 30
    client = client_for(name)
    user = world.user(name) if name else AnonymousUser()
    for route in routes:
        access = declared_access(route)
        model = _object_model(route, access)
        obj = _sample_object(world, model) if model else None
        url = _url(route, obj, world)
        allowed = _expected(access, user, obj, route)
        response = client.get(url)
        status = response.status_code
        location = response.get("Location", "")
        to_sign_in = status == 302 and "sign-in" in location
        if isinstance(access, Superuser):
            # The admin sends everyone else round to its index and then to Cymuned's sign-in.
            to_sign_in = to_sign_in or (status == 302 and "/admin/" in location)
        if status >= 500:
            failures.append(f"{name}: GET {url} -> {status}")
        elif allowed and (status in (401, 403, 404) or to_sign_in):
            failures.append(f"{name}: GET {url} -> {status} {location} but {access.describe()} allows it")
        elif not allowed and not (status in (401, 403, 404) or to_sign_in):
            failures.append(f"{name}: GET {url} -> {status} but {access.describe()} forbids it")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("name", "url_name", "obj_attr"),
    [
        ("head_other_cluster", "families:learner-detail", "learner_a"),
        ("partner_other", "organisations:partner-update", "partner_p"),
        ("lead_other_la", "organisations:school-detail", "school_a"),
        ("lead_other_la", "organisations:cluster-detail", "cluster_x"),
        ("staff_other_la", "families:learner-detail", "learner_a"),
        ("head_other_cluster", "organisations:school-update", "school_a"),
        ("governor", "families:learner-detail", "learner_a"),
        ("partner_worker", "families:learner-detail", "learner_a"),
        ("la_lead", "families:learner-detail", "learner_a"),
    ],
)
def test_other_organisations_get_404_for_this_organisations_records(world, client_for, name, url_name, obj_attr):
    obj = getattr(world, obj_attr)
    with translation.override("en-gb"):
        url = reverse(url_name, kwargs={"pk": obj.pk})
    assert client_for(name).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "status", "api_status"),
    [("partner_other", 404, 404), ("head_other_cluster", 404, 404), ("lead_other_la", 404, 404), ("governor", 404, 403),
     ("partner_worker", 200, 200), ("school_staff", 200, 200), ("hub_coordinator", 200, 200)],
)
def test_referrals_partner_versus_partner_and_partner_versus_school(world, client_for, name, status, api_status):
    """A referral of school A allocated to partner P: partner Q and other schools' staff get 404, as on the API."""
    referral = a_referral(world)
    with translation.override("en-gb"):
        url = reverse("hub:referral-detail", kwargs={"pk": referral.pk})
    assert client_for(name).get(url).status_code == status
    assert client_for(name).get(f"/api/v1/referrals/{referral.pk}/").status_code == api_status


@pytest.mark.parametrize("name", ["head_other_cluster", "partner_other", "lead_other_la", "governor"])
def test_api_detail_of_another_organisations_learner_or_membership_is_404(world, client_for, name):
    membership = world.memberships["school_staff"]
    response = client_for(name).get(f"/api/v1/memberships/{membership.pk}/")
    assert response.status_code == 404


def test_anonymous_walk_reaches_only_the_public_allow_list(world, client_for):
    """Every route needs sign-in except this short list."""
    public = sorted({r.name for r in all_routes() if isinstance(declared_access(r), Public)})
    assert public == sorted(
        [
            "api-docs",
            "api:api-root",
            "evaluation:survey",
            "api:schema",
            "accounts:password-reset",
            "accounts:password-reset-complete",
            "accounts:password-reset-confirm",
            "accounts:password-reset-done",
            "accounts:sign-in",
            "core:accessibility",
            "core:cookies",
            "core:home",
            "core:privacy",
            "health",
            "ready",
            "api:programme-detail",
            "api:programme-list",
            "api:programme-session-detail",
            "api:programme-session-list",
            "api:space-availability-list",
            "api:space-detail",
            "api:space-list",
            "premises:feed",
            "premises:public-list",
            "premises:public-space",
            "premises:register",
            "programmes:public-detail",
            "programmes:public-list",
            "programmes:public-sign-up",
            "programmes:public-signed-up",
            "directory:public-search",
            "directory:public-detail",
            "oruk:root",
            "oruk:service-list",
            "oruk:service-detail",
            "oruk:taxonomy-list",
            "oruk:taxonomy-detail",
            "oruk:taxonomy-term-list",
            "oruk:taxonomy-term-detail",
            "strategy:answer",
            "strategy:public-plans",
            "strategy:public-version",
            "api:strategic-plan-list",
            "api:strategic-plan-detail",
            "api:plan-version-list",
            "api:plan-version-detail",
            "api:plan-action-list",
            "api:plan-action-detail",
            "api:plan-action-updates",
            "api:questionnaire-list",
            "api:questionnaire-detail",
        ]
    )
