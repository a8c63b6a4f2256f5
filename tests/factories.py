"""Factories for the shared test world."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from cymuned.accounts.models import Membership, User
from cymuned.families.models import Learner
from cymuned.organisations.models import (
    Cluster,
    LanguageMedium,
    LocalAuthority,
    OrganisationKind,
    Partner,
    PartnerType,
    Phase,
    School,
)


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    kind = OrganisationKind.LOCAL_AUTHORITY
    code = factory.Sequence(lambda n: f"{100 + n % 500:03d}")  # 100-599: three digits, never the world's 676 and 677
    name_en = factory.Sequence(lambda n: f"County Borough {n}")
    name_cy = factory.Sequence(lambda n: f"Bwrdeistref Sirol {n}")


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    name_en = factory.Sequence(lambda n: f"Cluster {n}")
    name_cy = factory.Sequence(lambda n: f"Clwstwr {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    kind = OrganisationKind.SCHOOL
    cluster = factory.SubFactory(ClusterFactory)
    local_authority = factory.LazyAttribute(lambda o: o.cluster.local_authority)
    school_number = factory.Sequence(lambda n: f"{6000000 + n:07d}")
    name_en = factory.Sequence(lambda n: f"School {n}")
    name_cy = factory.Sequence(lambda n: f"Ysgol {n}")
    phase = Phase.PRIMARY
    language_medium = LanguageMedium.ENGLISH
    efsm_percentage = Decimal("20.0")
    number_on_roll = 200


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    kind = OrganisationKind.PARTNER
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    name_en = factory.Sequence(lambda n: f"Partner {n}")
    name_cy = factory.Sequence(lambda n: f"Partner {n} (cy)")
    partner_type = PartnerType.HOUSING


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(SchoolFactory)
    role = "school_staff"


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "test"
    confirmed = True


class LearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Learner

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: f"A{n:011d}0")
    given_name = factory.Sequence(lambda n: f"Learner{n}")
    family_name = "Jones"
    date_of_birth = datetime.date(2015, 3, 14)
    year_group = 4
