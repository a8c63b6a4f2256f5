"""Writes to the services directory, one transaction each. Every change stamps the service's ``last_modified``
(ORUK's "the service, or anything about it, changed"), which the stale-entry report and the feed's
``modified_after`` filter read."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can, can_create
from cymuned.access.principal import principal_for
from cymuned.organisations.models import Organisation

from .models import Contact, Language, Location, Phone, Schedule, Service, ServiceAtLocation, ServiceAttribute, TaxonomyTerm
from .policies import LA_MAINTAINER_ROLES, OWN_MAINTAINER_ROLES

SERVICE_FIELDS = (
    "name_en", "name_cy", "description_en", "description_cy", "url", "email", "status", "is_free", "fees_description_en",
    "fees_description_cy", "eligibility_description_en", "eligibility_description_cy", "minimum_age", "maximum_age",
    "accreditations_en", "accreditations_cy", "alert_en", "alert_cy", "welsh_active_offer", "assured_date", "assurer_email",
    "review_date",
)

LANGUAGE_NAMES = {"cy": "Welsh", "en": "English", "bfi": "British Sign Language", "pl": "Polish", "ar": "Arabic", "uk": "Ukrainian",
                  "ro": "Romanian", "pa": "Punjabi", "ur": "Urdu", "bn": "Bengali"}


def organisations_user_maintains(user: Any) -> Any:
    """Organisations whose services the user may add: every active organisation of their LA for LA maintainers,
    their own organisation for partner workers, heads and community school managers."""
    principal = principal_for(user)
    la_ids = principal.la_ids(LA_MAINTAINER_ROLES)
    own = principal.organisation_ids(OWN_MAINTAINER_ROLES)
    from django.db.models import Q

    return Organisation.objects.filter(is_active=True).filter(Q(local_authority_id__in=la_ids) | Q(pk__in=la_ids) | Q(pk__in=own))


def _check_organisation(by: Any, organisation: Organisation) -> None:
    if not organisations_user_maintains(by).filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("You cannot add services for that organisation.")}, code="organisation")


def _validate(service: Service) -> None:
    service.full_clean(exclude=["taxonomy_terms"])


def _touch(service: Service, by: Any) -> None:
    Service.objects.filter(pk=service.pk).update(last_modified=timezone.now(), modified_by=by, modified_on=timezone.now())


def _set_terms(service: Service, terms: Iterable[TaxonomyTerm]) -> None:
    wanted = {t.pk for t in terms}
    service.attributes.exclude(taxonomy_term_id__in=wanted).delete()
    have = set(service.attributes.values_list("taxonomy_term_id", flat=True))
    ServiceAttribute.objects.bulk_create([ServiceAttribute(service=service, taxonomy_term_id=t) for t in wanted - have])


def _set_languages(service: Service, codes: Iterable[str]) -> None:
    wanted = set(codes)
    service.languages.exclude(code__in=wanted).delete()
    have = set(service.languages.values_list("code", flat=True))
    Language.objects.bulk_create([Language(service=service, code=c, name=LANGUAGE_NAMES.get(c, "")) for c in sorted(wanted - have)])


@transaction.atomic
def service_create(*, by: Any, organisation: Organisation, data: dict[str, Any], terms: Iterable[TaxonomyTerm] = (),
                   language_codes: Iterable[str] = ()) -> Service:
    if not can_create(by, Service):
        raise PermissionDenied
    _check_organisation(by, organisation)
    la_id = organisation.local_authority_id_or_self
    service = Service(organisation=organisation, local_authority_id=la_id, created_by=by, modified_by=by,
                      **{k: v for k, v in data.items() if k in SERVICE_FIELDS})
    _validate(service)
    service.save()
    _set_terms(service, terms)
    _set_languages(service, language_codes)
    return service


@transaction.atomic
def service_update(*, by: Any, service: Service, data: dict[str, Any], organisation: Organisation | None = None,
                   terms: Iterable[TaxonomyTerm] | None = None, language_codes: Iterable[str] | None = None) -> Service:
    if not can(by, Action.CHANGE, service):
        raise PermissionDenied
    if organisation is not None and organisation.pk != service.organisation_id:
        _check_organisation(by, organisation)
        if organisation.local_authority_id_or_self != service.local_authority_id:
            raise ValidationError({"organisation": _("The organisation must be in the service's local authority.")}, code="organisation")
        service.organisation = organisation
    for key, value in data.items():
        if key in SERVICE_FIELDS:
            setattr(service, key, value)
    service.modified_by = by
    service.last_modified = timezone.now()
    _validate(service)
    service.save()
    if terms is not None:
        _set_terms(service, terms)
    if language_codes is not None:
        _set_languages(service, language_codes)
    return service


@transaction.atomic
def service_mark_reviewed(*, by: Any, service: Service, next_review: datetime.date | None = None) -> Service:
    """Someone checked the entry today: record who and when, and when it is next due (a year on unless told)."""
    if not can(by, Action.CHANGE, service):
        raise PermissionDenied
    today = timezone.localdate()
    service.assured_date = today
    service.assurer_email = getattr(by, "email", "") or ""
    service.review_date = next_review or today + datetime.timedelta(days=365)
    if service.review_date <= today:
        raise ValidationError({"review_date": _("The next review must be after today.")}, code="review_date")
    service.last_modified = timezone.now()
    service.modified_by = by
    service.save(update_fields=["assured_date", "assurer_email", "review_date", "last_modified", "modified_by", "modified_on"])
    return service


@transaction.atomic
def location_add(*, by: Any, service: Service, data: dict[str, Any]) -> ServiceAtLocation:
    """A new place where the service runs (maintained by the service's organisation)."""
    if not can(by, Action.CHANGE, service):
        raise PermissionDenied
    location = Location(local_authority_id=service.local_authority_id, organisation_id=service.organisation_id, created_by=by, modified_by=by, **data)
    if location.postcode:
        location.postcode = location.postcode.upper().strip()
    location.full_clean()
    location.save()
    link = ServiceAtLocation.objects.create(service=service, location=location)
    _touch(service, by)
    return link


@transaction.atomic
def location_unlink(*, by: Any, link: ServiceAtLocation) -> None:
    service = link.service
    if not can(by, Action.CHANGE, service):
        raise PermissionDenied
    location = link.location
    link.delete()
    if not location.service_at_locations.exists():
        location.accessibilities.all().delete()
        location.delete()
    _touch(service, by)


@transaction.atomic
def schedule_add(*, by: Any, service: Service, data: dict[str, Any]) -> Schedule:
    if not can(by, Action.CHANGE, service):
        raise PermissionDenied
    schedule = Schedule(service=service, **data)
    schedule.full_clean()
    schedule.save()
    _touch(service, by)
    return schedule


@transaction.atomic
def contact_add(*, by: Any, service: Service, data: dict[str, Any], phone: str = "") -> Contact:
    if not can(by, Action.CHANGE, service):
        raise PermissionDenied
    contact = Contact(service=service, **data)
    contact.full_clean()
    contact.save()
    if phone:
        number = Phone(service=service, contact=contact, number=phone, type="voice")
        number.full_clean()
        number.save()
    _touch(service, by)
    return contact


@transaction.atomic
def child_delete(*, by: Any, obj: Schedule | Contact) -> None:
    """Remove a schedule or contact of a service the user maintains."""
    service = obj.service
    if not can(by, Action.CHANGE, service):
        raise PermissionDenied
    obj.delete()
    _touch(service, by)
