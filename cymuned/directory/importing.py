"""Import an Open Referral UK feed: a page of the services list (``{"contents": [...]}``), a list of
services, or one service, as an ORUK 3.0 API answers.

Every service is checked against the pinned ORUK schemas and Cymuned's own rules before anything is
written; any error stops the whole import (all or nothing) and is reported with its JSON path
(``$.contents[2].schedules[0].byday``) in the user's language. Services, and everything hanging off
them, are created or updated **by their ORUK id**, and a row is only written when something in it
changed, so importing the same feed twice changes nothing.

Text in a feed is one language: it is stored as the English text (``name_en``...); Welsh added in
Cymuned stays. An organisation Cymuned does not know yet (by its ORUK id) is created as a partner
organisation of the importing local authority and its ORUK id recorded (``OrganisationIdentifier``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cymuned.organisations.models import LocalAuthority, Organisation, OrganisationKind, Partner, PartnerType

from .models import (
    Accessibility,
    Contact,
    CostOption,
    Language,
    Location,
    OrganisationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
    oruk_organisation_id,
)
from .oruk import ACTIVE_OFFER_NOTE
from .oruk_schema import validator

MAX_BYTES = 20 * 1024 * 1024
MAX_SERVICES = 5000
MAX_ERRORS = 200

#: Longest text each imported field may hold (the model's column), by ORUK object and field.
LIMITS: dict[str, dict[str, int]] = {
    "service": {"name": 200, "url": 500, "email": 254, "assurer_email": 254},
    "organization": {"name": 200, "email": 254, "website": 200},
    "location": {"name": 200, "url": 500},
    "address": {"address_1": 200, "address_2": 200, "city": 100, "region": 100, "postal_code": 10},
    "contact": {"name": 200, "title": 200, "department": 200, "email": 254},
    "phone": {"number": 30, "type": 20, "description": 200},
    "language": {"name": 100, "note": 200},
    "cost_option": {"option": 200, "amount_description": 200},
    "service_area": {"name": 200, "uri": 500},
    "taxonomy_term": {"name": 200, "code": 60, "term_uri": 200},
    "taxonomy": {"name": 200, "version": 50, "uri": 200},
    "accessibility": {"url": 500},
    "schedule": {},
}


@dataclass(frozen=True)
class FeedError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class FeedInvalid(Exception):
    def __init__(self, errors: list[FeedError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organisations_created: int = 0
    service_ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- Reading the file ---------------------------------------------------------------------------------------


def parse_feed(raw: bytes | str) -> tuple[list[Any], str]:
    """The services of a feed and the JSON path they sit under (``$.contents`` or ``$``)."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise FeedInvalid([FeedError("$", _("The file is too large: the most is %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})])
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FeedInvalid([FeedError("$", _("The file must be JSON in UTF-8."))]) from None
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as error:
        line = getattr(error, "lineno", "?")
        raise FeedInvalid([FeedError("$", _("The file is not valid JSON (line %(line)s).") % {"line": line})]) from None
    if isinstance(data, dict) and "contents" in data:
        services, base = data["contents"], "$.contents"
        if not isinstance(services, list):
            raise FeedInvalid([FeedError(base, _("Must be a list of services."))])
    elif isinstance(data, list):
        services, base = data, "$"
    elif isinstance(data, dict):
        services, base = [data], "$"
        return services, "$single"
    else:
        raise FeedInvalid([FeedError("$", _("Expected a page of services, a list of services or one service."))])
    if not services:
        raise FeedInvalid([FeedError(base, _("The file has no services in it."))])
    if len(services) > MAX_SERVICES:
        raise FeedInvalid([FeedError(base, _("Too many services in one file: the most is %(max)s.") % {"max": MAX_SERVICES})])
    return services, base


def _path(base: str, index: int | None, parts: Any) -> str:
    path = "$" if base == "$single" else (f"{base}[{index}]" if index is not None else base)
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _schema_message(error: Any) -> str:
    kind, value = error.validator, error.validator_value
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return _("%(field)s is required.") % {"field": missing}
    if kind == "type":
        names = {"string": _("text"), "number": _("a number"), "integer": _("a whole number"), "array": _("a list"),
                 "object": _("an object"), "boolean": _("true or false")}
        wanted = value if isinstance(value, str) else value[0]
        return _("Must be %(type)s.") % {"type": names.get(wanted, wanted)}
    if kind == "enum":
        return _("Must be one of: %(values)s.") % {"values": ", ".join(str(v) for v in value)}
    if kind in ("pattern", "format"):
        what = {"uuid": _("a UUID"), "date": _("a date like 2026-09-01"), "date-time": _("a date and time like 2026-09-01T09:00:00Z"),
                "email": _("an email address"), "uri": _("a web address")}.get(str(error.schema.get("format", "")), "")
        if what:
            return _("Must be %(what)s.") % {"what": what}
        return _("Is not in the expected form.")
    if kind == "minimum":
        return _("Must be %(min)s or more.") % {"min": value}
    if kind == "maximum":
        return _("Must be %(max)s or less.") % {"max": value}
    if kind == "minLength":
        return _("Must not be empty.")
    return error.message[:200]


# --- Checking -----------------------------------------------------------------------------------------------


def _check_lengths(kind: str, data: Any, path: str, errors: list[FeedError]) -> None:
    if not isinstance(data, dict):
        return
    for name, limit in LIMITS.get(kind, {}).items():
        value = data.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.append(FeedError(f"{path}.{name}", _("Too long: at most %(limit)s characters, this has %(length)s.")
                                    % {"limit": limit, "length": len(value)}))


def _children(service: dict[str, Any], key: str) -> list[Any]:
    value = service.get(key)
    return value if isinstance(value, list) else []


def check_services(services: list[Any], base: str, *, local_authority: LocalAuthority) -> list[FeedError]:
    """Every error in the feed: schema, lengths, our rules. Empty means the feed may be imported."""
    errors: list[FeedError] = []
    schema = validator("service")
    seen: dict[str, str] = {}
    for index, service in enumerate(services):
        here = _path(base, index, [])
        for error in sorted(schema.iter_errors(service), key=lambda e: list(e.absolute_path)):
            errors.append(FeedError(_path(base, index, error.absolute_path), _schema_message(error)))
            if len(errors) >= MAX_ERRORS:
                return errors
        if not isinstance(service, dict):
            continue
        _check_lengths("service", service, here, errors)
        sid = service.get("id")
        if isinstance(sid, str):
            if sid.lower() in seen:
                errors.append(FeedError(f"{here}.id", _("The same service id is also at %(other)s.") % {"other": seen[sid.lower()]}))
            seen[sid.lower()] = here
        low, high = service.get("minimum_age"), service.get("maximum_age")
        if isinstance(low, int | float) and isinstance(high, int | float) and high < low:
            errors.append(FeedError(f"{here}.maximum_age", _("The maximum age must be the same as or more than the minimum age.")))
        org = service.get("organization")
        if not isinstance(org, dict) and not service.get("organization_id"):
            errors.append(FeedError(f"{here}.organization", _("Every service must name the organisation that provides it.")))
        elif isinstance(org, dict):
            _check_lengths("organization", org, f"{here}.organization", errors)
        for key, kind in (("contacts", "contact"), ("phones", "phone"), ("languages", "language"), ("cost_options", "cost_option"),
                          ("service_areas", "service_area"), ("schedules", "schedule")):
            for i, child in enumerate(_children(service, key)):
                _check_lengths(kind, child, f"{here}.{key}[{i}]", errors)
                for j, number in enumerate(_children(child, "phones") if isinstance(child, dict) else []):
                    _check_lengths("phone", number, f"{here}.{key}[{i}].phones[{j}]", errors)
        for i, sal in enumerate(_children(service, "service_at_locations")):
            if not isinstance(sal, dict):
                continue
            loc = sal.get("location")
            if not isinstance(loc, dict):
                errors.append(FeedError(f"{here}.service_at_locations[{i}].location", _("Give the location itself, not only its id.")))
                continue
            _check_lengths("location", loc, f"{here}.service_at_locations[{i}].location", errors)
            for j, address in enumerate(_children(loc, "addresses")):
                _check_lengths("address", address, f"{here}.service_at_locations[{i}].location.addresses[{j}]", errors)
            for j, item in enumerate(_children(loc, "accessibility")):
                _check_lengths("accessibility", item, f"{here}.service_at_locations[{i}].location.accessibility[{j}]", errors)
        for i, attribute in enumerate(_children(service, "attributes")):
            if isinstance(attribute, dict) and isinstance(attribute.get("taxonomy_term"), dict):
                _check_lengths("taxonomy_term", attribute["taxonomy_term"], f"{here}.attributes[{i}].taxonomy_term", errors)
        _check_schedule_rules(service, here, errors)
    if not errors:
        errors += _check_ownership(services, base, local_authority)
    return errors[:MAX_ERRORS]


def _check_schedule_rules(service: dict[str, Any], here: str, errors: list[FeedError]) -> None:
    for i, s in enumerate(_children(service, "schedules")):
        if not isinstance(s, dict):
            continue
        opens, closes = parse_time(str(s.get("opens_at") or "")), parse_time(str(s.get("closes_at") or ""))
        if opens and closes and closes <= opens:
            errors.append(FeedError(f"{here}.schedules[{i}].closes_at", _("The closing time must be after the opening time.")))
        start, end = parse_date(str(s.get("valid_from") or "")), parse_date(str(s.get("valid_to") or ""))
        if start and end and end < start:
            errors.append(FeedError(f"{here}.schedules[{i}].valid_to", _("The end date must be on or after the start date.")))


def _check_ownership(services: list[dict[str, Any]], base: str, la: LocalAuthority) -> list[FeedError]:
    """Ids already used by another local authority's records, or by another service's rows, may not be taken over."""
    errors: list[FeedError] = []
    service_ids = {str(s["id"]).lower(): i for i, s in enumerate(services)}
    for sid, la_id in Service.objects.filter(pk__in=list(service_ids)).values_list("pk", "local_authority_id"):
        if la_id != la.pk:
            errors.append(FeedError(f"{_path(base, service_ids[str(sid)], [])}.id",
                                    _("This service belongs to another local authority's directory.")))
    location_ids: dict[str, str] = {}
    for i, s in enumerate(services):
        for j, sal in enumerate(_children(s, "service_at_locations")):
            location_ids[str(sal["location"]["id"]).lower()] = _path(base, i, ["service_at_locations", j, "location", "id"])
    for lid, la_id in Location.objects.filter(pk__in=list(location_ids)).values_list("pk", "local_authority_id"):
        if la_id != la.pk:
            errors.append(FeedError(location_ids[str(lid)], _("This location belongs to another local authority.")))
    org_ids: dict[str, str] = {}
    for i, s in enumerate(services):
        org = s.get("organization") if isinstance(s.get("organization"), dict) else {"id": s.get("organization_id")}
        org_ids.setdefault(str(org["id"]).lower(), _path(base, i, ["organization", "id"]))
    for oid, org_la in OrganisationIdentifier.objects.filter(pk__in=list(org_ids)).values_list("pk", "organisation__local_authority_id"):
        if org_la != la.pk:
            errors.append(FeedError(org_ids[str(oid)], _("This organisation belongs to another local authority.")))
    known = _known_organisation_ids(la)
    for i, s in enumerate(services):
        if not isinstance(s.get("organization"), dict):
            oid = str(s.get("organization_id")).lower()
            if oid not in known and not OrganisationIdentifier.objects.filter(pk=oid, organisation__local_authority=la).exists():
                errors.append(FeedError(_path(base, i, ["organization"]),
                                        _("This organisation is new to Cymuned: give the organization object with its name.")))
    # Child rows must not move between services.
    for key, model in (("schedules", Schedule), ("contacts", Contact), ("languages", Language), ("cost_options", CostOption),
                       ("service_areas", ServiceArea), ("service_at_locations", ServiceAtLocation), ("attributes", ServiceAttribute)):
        owners: dict[str, tuple[str, str]] = {}
        for i, s in enumerate(services):
            for j, child in enumerate(_children(s, key)):
                owners[str(child["id"]).lower()] = (str(s["id"]).lower(), _path(base, i, [key, j, "id"]))
        for cid, owner in model.objects.filter(pk__in=list(owners)).values_list("pk", "service_id"):
            expected, path = owners[str(cid)]
            if str(owner) != expected:
                errors.append(FeedError(path, _("This id already belongs to another service.")))
    return errors


def _known_organisation_ids(la: LocalAuthority) -> dict[str, int]:
    pks = list(Organisation.objects.filter(models.Q(local_authority=la) | models.Q(pk=la.pk)).values_list("pk", flat=True))
    return {str(oruk_organisation_id(pk)): pk for pk in pks}


# --- Writing ------------------------------------------------------------------------------------------------


def _upsert(model: type[models.Model], pk: Any, values: dict[str, Any]) -> tuple[models.Model, str]:
    """Create the row, or update only the fields that differ; answers 'created', 'updated' or 'unchanged'."""
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        obj = model(pk=pk, **values)
        obj.full_clean(exclude=["taxonomy_terms"], validate_unique=False, validate_constraints=False)
        obj.save(force_insert=True)
        return obj, "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean(exclude=["taxonomy_terms"], validate_unique=False, validate_constraints=False)
    obj.save()
    return obj, "updated"


def _prune(queryset: models.QuerySet, keep: set[str]) -> bool:
    stale = queryset.exclude(pk__in=list(keep))
    if stale.exists():
        stale.delete()
        return True
    return False


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _decimal(value: Any, places: int = 6) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        return None


def _organisation(data: dict[str, Any], la: LocalAuthority, result: ImportResult, known: dict[str, int], by: Any) -> Organisation:
    org_data = data.get("organization") if isinstance(data.get("organization"), dict) else {"id": data.get("organization_id")}
    oid = str(org_data["id"]).lower()
    mapped = OrganisationIdentifier.objects.filter(pk=oid).select_related("organisation").first()
    if mapped is not None:
        return mapped.organisation
    if oid in known:
        return Organisation.objects.get(pk=known[oid])
    partner = Partner(kind=OrganisationKind.PARTNER, local_authority=la, name_en=_text(org_data.get("name"))[:200],
                      description_en=_text(org_data.get("description")), email=_text(org_data.get("email")),
                      website=_text(org_data.get("website") or org_data.get("url"))[:200], partner_type=PartnerType.OTHER,
                      created_by=by, modified_by=by)
    partner.full_clean()
    partner.save()
    OrganisationIdentifier.objects.create(id=oid, organisation=partner)
    result.organisations_created += 1
    return partner


def _term(attribute: dict[str, Any]) -> TaxonomyTerm:
    term_id = str(attribute["taxonomy_term_id"]).lower()
    existing = TaxonomyTerm.objects.filter(pk=term_id).first()
    detail = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else None
    if existing is not None:
        return existing
    if detail is None:
        raise FeedInvalid([FeedError("$", _("Taxonomy term %(id)s is new to Cymuned: give the taxonomy_term object with its name.")
                                     % {"id": term_id})])
    taxonomy_detail = detail.get("taxonomy_detail") if isinstance(detail.get("taxonomy_detail"), dict) else {}
    taxonomy_id = taxonomy_detail.get("id") or detail.get("taxonomy_id")
    vocabulary = slugify(_text(detail.get("taxonomy") or taxonomy_detail.get("name") or "imported"))[:60] or "imported"
    if taxonomy_id:
        taxonomy = Taxonomy.objects.filter(pk=taxonomy_id).first() or Taxonomy.objects.filter(vocabulary=vocabulary).first()
        if taxonomy is None:
            taxonomy = Taxonomy.objects.create(id=taxonomy_id, vocabulary=vocabulary,
                                               name_en=_text(taxonomy_detail.get("name") or detail.get("taxonomy") or vocabulary)[:200],
                                               description_en=_text(taxonomy_detail.get("description")))
    else:
        taxonomy = Taxonomy.objects.get_or_create(vocabulary=vocabulary, defaults={"name_en": _text(detail.get("taxonomy") or vocabulary)[:200]})[0]
    code = _text(detail.get("code") or term_id)[:60]
    if TaxonomyTerm.objects.filter(taxonomy=taxonomy, code=code).exists():
        code = term_id[:60]
    return TaxonomyTerm.objects.create(id=term_id, taxonomy=taxonomy, code=code, name_en=_text(detail.get("name") or detail.get("term") or code)[:200],
                                       description_en=_text(detail.get("description")), term_uri=_text(detail.get("term_uri"))[:200])


def _service_values(data: dict[str, Any], organisation: Organisation, la: LocalAuthority) -> dict[str, Any]:
    assured = parse_date(_text(data.get("assured_date")))
    return {
        "local_authority_id": la.pk, "organisation_id": organisation.pk, "name_en": _text(data.get("name")),
        "description_en": _text(data.get("description")) or _text(data.get("name")), "url": _text(data.get("url")),
        "email": _text(data.get("email")), "status": data.get("status") or "active",
        "fees_description_en": _text(data.get("fees_description") or data.get("fees")),
        "eligibility_description_en": _text(data.get("eligibility_description")),
        "minimum_age": int(data["minimum_age"]) if data.get("minimum_age") is not None else None,
        "maximum_age": int(data["maximum_age"]) if data.get("maximum_age") is not None else None,
        "accreditations_en": _text(data.get("accreditations")), "alert_en": _text(data.get("alert")),
        "assured_date": assured, "assurer_email": _text(data.get("assurer_email")),
    }


def _import_service(data: dict[str, Any], la: LocalAuthority, result: ImportResult, known: dict[str, int], by: Any) -> str:
    organisation = _organisation(data, la, result, known, by)
    sid = str(data["id"]).lower()
    values = _service_values(data, organisation, la)
    languages = list(_children(data, "languages"))
    values["welsh_active_offer"] = any((x.get("code") == "cy" and "active offer" in _text(x.get("note")).lower()) for x in languages)
    service, outcome = _upsert(Service, sid, {**values, "modified_by": by} if not Service.objects.filter(pk=sid).exists() else values)
    if outcome == "created":
        Service.objects.filter(pk=service.pk).update(created_by=by)
    changed = outcome != "unchanged"
    # Children: upsert by id, drop the ones the feed no longer has.
    keep: set[str] = set()
    for s in _children(data, "schedules"):
        keep.add(str(s["id"]).lower())
        changed |= _upsert(Schedule, str(s["id"]).lower(), _schedule_values(s, service, None))[1] != "unchanged"
    sal_keep: set[str] = set()
    for sal in _children(data, "service_at_locations"):
        loc = sal["location"]
        location, how = _upsert(Location, str(loc["id"]).lower(), _location_values(loc, la, organisation))
        changed |= how != "unchanged"
        access_keep = set()
        for item in _children(loc, "accessibility"):
            access_keep.add(str(item["id"]).lower())
            changed |= _upsert(Accessibility, str(item["id"]).lower(), {"location_id": location.pk, "description_en": _text(item.get("description")) or "-",
                                                                         "details": _text(item.get("details")), "url": _text(item.get("url"))})[1] != "unchanged"
        changed |= _prune(Accessibility.objects.filter(location=location), access_keep)
        link, how = _upsert(ServiceAtLocation, str(sal["id"]).lower(), {"service_id": service.pk, "location_id": location.pk,
                                                                        "description_en": _text(sal.get("description"))})
        changed |= how != "unchanged"
        sal_keep.add(str(link.pk))
        for s in _children(sal, "schedules"):
            keep.add(str(s["id"]).lower())
            changed |= _upsert(Schedule, str(s["id"]).lower(), _schedule_values(s, service, link))[1] != "unchanged"
    changed |= _prune(Schedule.objects.filter(service=service), keep)
    changed |= _prune(ServiceAtLocation.objects.filter(service=service), sal_keep)
    keep = set()
    phone_keep: set[str] = set()
    for c in _children(data, "contacts"):
        keep.add(str(c["id"]).lower())
        contact, how = _upsert(Contact, str(c["id"]).lower(), {"service_id": service.pk, "name": _text(c.get("name")), "title": _text(c.get("title")),
                                                               "department": _text(c.get("department")), "email": _text(c.get("email"))})
        changed |= how != "unchanged"
        for p in _children(c, "phones"):
            phone_keep.add(str(p["id"]).lower())
            changed |= _upsert(Phone, str(p["id"]).lower(), _phone_values(p, service, contact))[1] != "unchanged"
    changed |= _prune(Contact.objects.filter(service=service), keep)
    for p in _children(data, "phones"):
        phone_keep.add(str(p["id"]).lower())
        changed |= _upsert(Phone, str(p["id"]).lower(), _phone_values(p, service, None))[1] != "unchanged"
    changed |= _prune(Phone.objects.filter(service=service), phone_keep)
    keep = set()
    for x in languages:
        code = _text(x.get("code")).lower()
        if not code:
            continue
        keep.add(str(x["id"]).lower())
        note = _text(x.get("note")).replace(f" ({ACTIVE_OFFER_NOTE})", "").replace(ACTIVE_OFFER_NOTE, "").strip()
        changed |= _upsert(Language, str(x["id"]).lower(), {"service_id": service.pk, "code": code, "name": _text(x.get("name")),
                                                             "note": note})[1] != "unchanged"
    changed |= _prune(Language.objects.filter(service=service), keep)
    keep = set()
    for c in _children(data, "cost_options"):
        keep.add(str(c["id"]).lower())
        changed |= _upsert(CostOption, str(c["id"]).lower(), {
            "service_id": service.pk, "option_en": _text(c.get("option")), "amount": _decimal(c.get("amount"), 2),
            "currency": _text(c.get("currency")) or "GBP", "amount_description_en": _text(c.get("amount_description")),
            "valid_from": parse_date(_text(c.get("valid_from"))), "valid_to": parse_date(_text(c.get("valid_to"))),
        })[1] != "unchanged"
    changed |= _prune(CostOption.objects.filter(service=service), keep)
    keep = set()
    for a in _children(data, "service_areas"):
        keep.add(str(a["id"]).lower())
        changed |= _upsert(ServiceArea, str(a["id"]).lower(), {"service_id": service.pk, "name_en": _text(a.get("name")) or "-",
                                                                "description": _text(a.get("description")), "uri": _text(a.get("uri"))})[1] != "unchanged"
    changed |= _prune(ServiceArea.objects.filter(service=service), keep)
    keep = set()
    for a in _children(data, "attributes"):
        term = _term(a)
        keep.add(str(a["id"]).lower())
        changed |= _upsert(ServiceAttribute, str(a["id"]).lower(), {"service_id": service.pk, "taxonomy_term_id": term.pk,
                                                                     "value": _text(a.get("value"))[:200]})[1] != "unchanged"
    changed |= _prune(ServiceAttribute.objects.filter(service=service), keep)
    if changed:
        try:
            stamp = parse_datetime(_text(data.get("last_modified"))) or timezone.now()
        except ValueError:
            stamp = timezone.now()
        if timezone.is_naive(stamp):
            stamp = timezone.make_aware(stamp)
        Service.objects.filter(pk=service.pk).update(last_modified=stamp, modified_by=by, modified_on=timezone.now())
    if outcome == "created":
        result.created += 1
    elif changed:
        result.updated += 1
    else:
        result.unchanged += 1
    result.service_ids.append(sid)
    return sid


def _schedule_values(s: dict[str, Any], service: Service, link: ServiceAtLocation | None) -> dict[str, Any]:
    return {
        "service_id": service.pk, "service_at_location_id": link.pk if link else None, "freq": s.get("freq") or "WEEKLY",
        "interval": int(s.get("interval") or 1), "byday": _text(s.get("byday")), "opens_at": parse_time(_text(s.get("opens_at"))),
        "closes_at": parse_time(_text(s.get("closes_at"))), "valid_from": parse_date(_text(s.get("valid_from"))),
        "valid_to": parse_date(_text(s.get("valid_to"))), "description_en": _text(s.get("description")),
    }


def _phone_values(p: dict[str, Any], service: Service, contact: Contact | None) -> dict[str, Any]:
    return {"service_id": service.pk, "contact_id": contact.pk if contact else None, "number": _text(p.get("number")),
            "type": _text(p.get("type")), "description_en": _text(p.get("description"))}


def _location_values(loc: dict[str, Any], la: LocalAuthority, organisation: Organisation) -> dict[str, Any]:
    address = next(iter(_children(loc, "addresses")), {}) or {}
    return {
        "local_authority_id": la.pk, "organisation_id": organisation.pk, "location_type": loc.get("location_type") or "physical",
        "name_en": _text(loc.get("name")) or _text(address.get("address_1")) or "-", "description_en": _text(loc.get("description")),
        "transportation_en": _text(loc.get("transportation")), "url": _text(loc.get("url")),
        "latitude": _decimal(loc.get("latitude")), "longitude": _decimal(loc.get("longitude")),
        "address_1": _text(address.get("address_1")), "address_2": _text(address.get("address_2")), "city": _text(address.get("city")),
        "region": _text(address.get("region") or address.get("state_province")), "postcode": _text(address.get("postal_code")).upper().strip(),
        "country": _text(address.get("country")) or "GB",
    }


def import_feed(raw: bytes | str, *, local_authority: LocalAuthority, by: Any = None, dry_run: bool = False) -> ImportResult:
    """Check the whole feed, then write it in one transaction (nothing when ``dry_run`` or on any error)."""
    services, base = parse_feed(raw)
    errors = check_services(services, base, local_authority=local_authority)
    if errors:
        raise FeedInvalid(errors)
    result = ImportResult()
    try:
        with transaction.atomic():
            known = _known_organisation_ids(local_authority)
            for index, data in enumerate(services):
                try:
                    _import_service(data, local_authority, result, known, by)
                except FeedInvalid as invalid:
                    raise FeedInvalid([FeedError(_path(base, index, []), e.message) for e in invalid.errors]) from None
                except Exception as error:  # a value the model refused: report where, undo everything
                    from django.core.exceptions import ValidationError

                    if isinstance(error, ValidationError):
                        messages = [f"{k}: {'; '.join(str(m) for m in v)}" for k, v in error.message_dict.items()] if hasattr(error, "error_dict") else error.messages
                        raise FeedInvalid([FeedError(_path(base, index, []), m) for m in messages]) from None
                    raise
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


class _DryRun(Exception):
    pass
