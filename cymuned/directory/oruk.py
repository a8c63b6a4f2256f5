"""Cymuned's directory as Open Referral UK 3.0 objects (plain dicts, the standard's field names).

Text is given in the language of the request (Welsh when Welsh is active and present, else English).
Empty optional values are left out rather than sent as ``null`` (the standard types them as strings).
Every function reads only what the caller prefetched (``selectors.with_listing`` / ``with_detail``),
so a page of services costs a fixed number of queries.
"""

from __future__ import annotations

import math
from typing import Any

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

ORUK_VERSION = "3.0"
ORUK_PROFILE = "https://openreferraluk.org/"
ACTIVE_OFFER_NOTE = "Welsh language active offer / Cynnig Rhagweithiol"


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != ""}


def _id(value: Any) -> str | None:
    return str(value) if value else None


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def _time(value: Any) -> str | None:
    return value.strftime("%H:%M") if value else None


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def organisation_ids(organisation_pks: set[int]) -> dict[int, str]:
    """ORUK ids for Cymuned organisations: the imported id where one is recorded, else the derived one (one query)."""
    known = dict(OrganisationIdentifier.objects.filter(organisation_id__in=organisation_pks).values_list("organisation_id", "id"))
    return {pk: str(known.get(pk) or oruk_organisation_id(pk)) for pk in organisation_pks}


def organization(org: Any, ids: dict[int, str]) -> dict[str, Any]:
    """The organisation; a partner's description comes from the ``organisation__partner`` the selector joined."""
    partner = getattr(org, "partner", None) if org.kind == "partner" else None
    return {"id": ids[org.pk], "name": org.name or org.name_en, "description": partner.description if partner else "",
            **_clean({"email": org.email, "website": org.website})}


def taxonomy(t: Taxonomy) -> dict[str, Any]:
    return {"id": str(t.id), "name": t.name, "description": t.description, **_clean({"uri": t.uri, "version": t.version})}


def taxonomy_term(term: TaxonomyTerm, *, detail: bool = True) -> dict[str, Any]:
    data = {"id": str(term.id), "code": term.code, "name": term.name, "description": term.description,
            **_clean({"parent_id": _id(term.parent_id), "taxonomy": term.taxonomy.vocabulary, "taxonomy_id": str(term.taxonomy_id),
                      "term_uri": term.term_uri})}
    if detail:
        data["taxonomy_detail"] = taxonomy(term.taxonomy)
    return data


def attribute(a: ServiceAttribute) -> dict[str, Any]:
    return {"id": str(a.id), "link_id": str(a.service_id), "taxonomy_term_id": str(a.taxonomy_term_id), "link_type": "service",
            "link_entity": "service", **_clean({"value": a.value}), "taxonomy_term": taxonomy_term(a.taxonomy_term)}


def phone(p: Phone) -> dict[str, Any]:
    return {"id": str(p.id), **_clean({"service_id": str(p.service_id), "contact_id": _id(p.contact_id), "number": p.number,
                                        "type": p.type, "description": p.description})}


def contact(c: Contact) -> dict[str, Any]:
    return {"id": str(c.id), **_clean({"service_id": str(c.service_id), "name": c.name, "title": c.title, "department": c.department,
                                        "email": c.email}), "phones": [phone(p) for p in c.phones.all()]}


def schedule(s: Schedule) -> dict[str, Any]:
    return {"id": str(s.id), **_clean({
        "service_id": str(s.service_id), "service_at_location_id": _id(s.service_at_location_id), "freq": s.freq,
        "interval": s.interval, "byday": s.byday, "opens_at": _time(s.opens_at), "closes_at": _time(s.closes_at),
        "valid_from": _date(s.valid_from), "valid_to": _date(s.valid_to), "description": s.description,
    })}


def language(lang: Language, service: Service) -> dict[str, Any]:
    note = lang.note
    if lang.code == "cy" and service.welsh_active_offer:
        note = f"{note} ({ACTIVE_OFFER_NOTE})" if note else ACTIVE_OFFER_NOTE
    return {"id": str(lang.id), **_clean({"service_id": str(lang.service_id), "name": lang.name, "code": lang.code, "note": note})}


def cost_option(c: CostOption) -> dict[str, Any]:
    return {"id": str(c.id), **_clean({"service_id": str(c.service_id), "option": c.option, "amount": _number(c.amount),
                                        "currency": c.currency, "amount_description": c.amount_description,
                                        "valid_from": _date(c.valid_from), "valid_to": _date(c.valid_to)})}


def service_area(a: ServiceArea) -> dict[str, Any]:
    return {"id": str(a.id), **_clean({"service_id": str(a.service_id), "name": a.name, "description": a.description, "uri": a.uri})}


def accessibility(a: Accessibility) -> dict[str, Any]:
    return {"id": str(a.id), **_clean({"location_id": str(a.location_id), "description": a.description, "details": a.details, "url": a.url})}


def location(loc: Location, ids: dict[int, str]) -> dict[str, Any]:
    data = {"id": str(loc.id), "location_type": loc.location_type, **_clean({
        "url": loc.url, "organization_id": ids.get(loc.organisation_id) if loc.organisation_id else None, "name": loc.name,
        "description": loc.description, "transportation": loc.transportation, "latitude": _number(loc.latitude),
        "longitude": _number(loc.longitude),
    })}
    if loc.address_1 or loc.postcode:
        data["addresses"] = [{"id": str(loc.id), "location_id": str(loc.id), "address_1": loc.address_1, **_clean({"address_2": loc.address_2}),
                              "city": loc.city, **_clean({"region": loc.region}), "postal_code": loc.postcode, "country": loc.country,
                              "address_type": "postal" if loc.location_type == "postal" else "physical"}]
    data["accessibility"] = [accessibility(a) for a in loc.accessibilities.all()]
    return data


def service_at_location(sal: ServiceAtLocation, ids: dict[int, str], schedules: list[Schedule]) -> dict[str, Any]:
    return {"id": str(sal.id), "service_id": str(sal.service_id), "location_id": str(sal.location_id),
            **_clean({"description": sal.description}), "location": location(sal.location, ids),
            "schedules": [schedule(s) for s in schedules if s.service_at_location_id == sal.id]}


def service_fields(s: Service, ids: dict[int, str]) -> dict[str, Any]:
    return {"id": str(s.id), "organization_id": ids[s.organisation_id], "name": s.name, "status": s.status, **_clean({
        "description": s.description, "url": s.url, "email": s.email, "fees_description": s.fees_description,
        "accreditations": s.accreditations, "eligibility_description": s.eligibility_description,
        "minimum_age": s.minimum_age, "maximum_age": s.maximum_age, "assured_date": _date(s.assured_date),
        "assurer_email": s.assurer_email, "alert": s.alert,
        "last_modified": s.last_modified.isoformat(timespec="milliseconds") if s.last_modified else None,
    })}


def service_list_item(s: Service, ids: dict[int, str]) -> dict[str, Any]:
    return {**service_fields(s, ids), "organization": organization(s.organisation, ids),
            "attributes": [attribute_from_term(s, t) for t in s.taxonomy_terms.all()]}


def attribute_from_term(s: Service, term: TaxonomyTerm) -> dict[str, Any]:
    """The attribute linking a service to a prefetched term (the link row's id is the pair's stable uuid5)."""
    import uuid

    return {"id": str(uuid.uuid5(s.id, str(term.id))), "link_id": str(s.id), "taxonomy_term_id": str(term.id),
            "link_type": "service", "link_entity": "service", "taxonomy_term": taxonomy_term(term)}


def service_full(s: Service, ids: dict[int, str]) -> dict[str, Any]:
    schedules = list(s.schedules.all())
    return {
        **service_fields(s, ids),
        "organization": organization(s.organisation, ids),
        "schedules": [schedule(x) for x in schedules if x.service_at_location_id is None],
        "service_areas": [service_area(a) for a in s.service_areas.all()],
        "service_at_locations": [service_at_location(sal, ids, schedules) for sal in s.service_at_locations.all()],
        "languages": [language(lang, s) for lang in s.languages.all()],
        "funding": [],
        "cost_options": [cost_option(c) for c in s.cost_options.all()],
        "contacts": [contact(c) for c in s.contacts.all()],
        "phones": [phone(p) for p in s.phones.all() if p.contact_id is None],
        "attributes": [attribute(a) for a in s.attributes.all()],
    }


def page_envelope(*, contents: list[dict[str, Any]], total_items: int, page_number: int, per_page: int) -> dict[str, Any]:
    total_pages = max(1, math.ceil(total_items / per_page)) if total_items else 0
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
