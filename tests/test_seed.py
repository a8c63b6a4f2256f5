"""The demo borough and the national-size generator."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from cymuned.accounts.models import Membership, User
from cymuned.core.demo.borough import DEMO_ACCOUNTS, load_demo_borough
from cymuned.core.demo.national import load_national
from cymuned.families.models import Learner
from cymuned.organisations.models import Cluster, LocalAuthority, School

pytestmark = pytest.mark.django_db


def test_demo_borough_is_complete_and_idempotent():
    assert load_demo_borough(seed=7, learners_per_school=5) is True
    counts = (School.objects.count(), Learner.objects.count(), User.objects.count(), Membership.objects.count())
    assert load_demo_borough(seed=7, learners_per_school=5) is False
    assert (School.objects.count(), Learner.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert set(Cluster.objects.values_list("name_en", flat=True)) == {"Cyfarthfa", "Afon Taf"}
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {a.role for a in DEMO_ACCOUNTS if a.role}
    for learner in Learner.objects.all():
        learner.full_clean()  # valid UPNs, dates and year groups
    for school in School.objects.all():
        school.full_clean()


def test_demo_is_deterministic():
    load_demo_borough(seed=11, learners_per_school=3)
    first = list(Learner.objects.order_by("upn").values_list("upn", "given_name", "family_name", "date_of_birth"))
    from cymuned.evaluation.models import Evaluation, Framework
    from cymuned.families.models import Consent, Episode, Household
    from cymuned.funding.models import Allocation, Award, Claim, FundedPost, FundingStream, Spend
    from cymuned.governance.models import (
        CommunityProfile,
        EngagementEvent,
        MemorandumOfUnderstanding,
        NetworkMeeting,
        NetworkResource,
        Notice,
        WimdEdition,
    )
    from cymuned.hub.models import Referral, TeamAroundFamilyMeeting
    from cymuned.premises.models import BookingSeries, CapitalProject, Hirer, Invoice, Space
    from cymuned.programmes.models import Programme
    from cymuned.strategy.models import Questionnaire, StrategicPlan

    Questionnaire.objects.all().delete()
    StrategicPlan.objects.all().delete()
    TeamAroundFamilyMeeting.objects.all().delete()
    Referral.objects.all().delete()  # before the consents they were sent under
    from cymuned.directory.models import Location, Service

    Service.objects.all().delete()
    Location.objects.all().delete()
    for model in (Spend, Claim, FundedPost, Allocation, Award, FundingStream, Notice, NetworkMeeting, NetworkResource, EngagementEvent,
                  MemorandumOfUnderstanding, CommunityProfile, WimdEdition):
        model.objects.all().delete()
    Invoice.objects.filter(credits__isnull=False).delete()
    Invoice.objects.all().delete()
    BookingSeries.objects.all().delete()
    Hirer.objects.all().delete()
    CapitalProject.objects.all().delete()
    Space.objects.all().delete()
    Programme.objects.all().delete()
    Episode.objects.all().delete()
    Consent.objects.all().delete()
    Household.objects.all().delete()
    Evaluation.objects.all().delete()
    Framework.objects.all().delete()
    Learner.objects.all().delete()
    Membership.objects.all().delete()
    User.objects.all().delete()
    School.objects.all().delete()
    Cluster.objects.all().delete()
    from cymuned.organisations.models import Organisation

    Organisation.objects.exclude(kind="local_authority").delete()
    Organisation.objects.all().delete()
    load_demo_borough(seed=11, learners_per_school=3)
    second = list(Learner.objects.order_by("upn").values_list("upn", "given_name", "family_name", "date_of_birth"))
    assert first == second
    assert Evaluation.objects.count() > 0  # three years of demo self-evaluation came back too


def test_national_generator_at_small_scale():
    created = load_national(scale=0.02, seed=3, progress=False)
    assert created["local_authorities"] == 22
    assert created["schools"] == School.objects.count() == 30  # 2% of 1,500
    assert Learner.objects.count() == created["learners"] == 30 * 313  # 2% of 470,000, evenly
    assert load_national(scale=0.02, seed=3, progress=False)["schools"] == 0  # a rerun adds nothing
    assert LocalAuthority.objects.count() == 22


def test_seed_demo_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    call_command("seed_demo", "--force", "--learners-per-school", "2")
    assert LocalAuthority.objects.filter(code="676").exists()


def test_scale_argument_is_checked(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "huge")
