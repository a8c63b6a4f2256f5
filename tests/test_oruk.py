"""The Open Referral UK read API (answers validated against the pinned ORUK schemas) and the ORUK importer."""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cymuned.directory.importing import FeedInvalid, import_feed
from cymuned.directory.models import (
    Contact,
    Language,
    Location,
    OrganisationIdentifier,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    ServiceStatus,
    TaxonomyTerm,
)
from cymuned.directory.oruk_schema import validator
from cymuned.directory.taxonomy import NEEDS_TAXONOMY_ID, term_id
from cymuned.organisations.models import Partner


def _valid(schema: str, data: object) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(data)]
    assert not errors, errors


def _add(world, name: str, **extra) -> Service:
    service = Service.objects.create(local_authority=world.la, organisation=world.partner_q, name_en=name, description_en="x", **extra)
    ServiceAttribute.objects.create(service=service, taxonomy_term_id=term_id("food"))
    Language.objects.create(service=service, code="en")
    location = Location.objects.create(local_authority=world.la, name_en=f"{name} hall", latitude=Decimal("51.70"), longitude=Decimal("-3.35"),
                                       address_1="1 High Street", postcode="CF48 4QE")
    ServiceAtLocation.objects.create(service=service, location=location)
    Schedule.objects.create(service=service, byday="TU", opens_at="10:00", closes_at="12:00")
    return service


# --- API ------------------------------------------------------------------------------------------------------


def test_root_describes_the_profile(client, world):
    body = client.get("/api/oruk/").json()
    _valid("api_root", body)
    assert body["version"] == "3.0" and body["openapi_url"].endswith("/api/v1/schema/")


def test_service_list_is_a_valid_oruk_page(client, world):
    response = client.get("/api/oruk/services")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    _valid("service_page", body)
    assert body["total_items"] == 1 and body["page_number"] == 1 and body["first_page"] and body["last_page"] and not body["empty"]
    item = body["contents"][0]
    assert item["id"] == str(world.service.pk) and item["organization"]["name"] == "Valleys Homes"
    assert item["attributes"][0]["taxonomy_term"]["code"] == "housing"


def test_service_detail_is_a_valid_fully_nested_oruk_service(client, world):
    body = client.get(f"/api/oruk/services/{world.service.pk}").json()
    _valid("service", body)
    assert body["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "CF47 8AE"
    assert body["schedules"][0]["byday"] == "MO,WE" and body["schedules"][0]["opens_at"] == "09:00"
    assert body["languages"][0]["code"] == "cy" and "active offer" in body["languages"][0]["note"]
    assert body["contacts"][0]["email"] == "duty@example.org"
    welsh = client.get(f"/api/oruk/services/{world.service.pk}", HTTP_ACCEPT_LANGUAGE="cy").json()
    assert welsh["name"] == "Cymorth tenantiaeth"


def test_hidden_and_missing_services_are_404(client, world):
    world.service.status = ServiceStatus.DEFUNCT
    world.service.save()
    assert client.get(f"/api/oruk/services/{world.service.pk}").status_code == 404
    assert client.get(f"/api/oruk/services/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/oruk/services").json()["empty"] is True


def test_pagination_envelope(client, world):
    for i in range(4):
        _add(world, f"Pantry {i}")
    body = client.get("/api/oruk/services", {"per_page": 2, "page": 2}).json()
    _valid("service_page", body)
    assert (body["total_items"], body["total_pages"], body["page_number"], body["size"]) == (5, 3, 2, 2)
    assert not body["first_page"] and not body["last_page"]
    beyond = client.get("/api/oruk/services", {"per_page": 2, "page": 9}).json()
    assert beyond["empty"] and beyond["size"] == 0 and beyond["last_page"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"text": "pantry"}, {"Pantry"}),
    ({"search": "tenancy"}, {"Tenancy support"}),
    ({"taxonomy_term_id": "food"}, {"Pantry"}),
    ({"taxonomy_term_id": str(term_id("housing"))}, {"Tenancy support"}),
    ({"taxonomy_id": str(NEEDS_TAXONOMY_ID)}, {"Pantry", "Tenancy support"}),
    ({"language": "cy"}, {"Tenancy support"}),
    ({"maximum_age": 10}, {"Pantry"}),
    ({"postcode": "CF48 4QE", "proximity": 3000}, {"Pantry"}),
])
def test_service_list_filters(client, world, params, expected):
    _add(world, "Pantry")
    body = client.get("/api/oruk/services", params).json()
    _valid("service_page", body)
    assert {s["name"] for s in body["contents"]} == expected


def test_modified_after_and_postcode_order(client, world):
    pantry = _add(world, "Pantry")
    Service.objects.filter(pk=world.service.pk).update(last_modified=timezone.now() - datetime.timedelta(days=30))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert [s["name"] for s in client.get("/api/oruk/services", {"modified_after": since}).json()["contents"]] == ["Pantry"]
    near_aberfan = client.get("/api/oruk/services", {"postcode": "CF48"}).json()["contents"]
    assert near_aberfan[0]["id"] == str(pantry.pk)


@pytest.mark.parametrize("params", [{"page": "x"}, {"per_page": 0}, {"per_page": 1000}, {"modified_after": "yesterday"},
                                    {"postcode": "ZZ1"}, {"taxonomy_id": "food"}, {"minimum_age": "-1"}])
def test_bad_filters_answer_400_with_the_field(client, world, params):
    response = client.get("/api/oruk/services", params)
    assert response.status_code == 400
    assert set(params) & set(response.json())


def test_taxonomy_endpoints(client, world):
    body = client.get("/api/oruk/taxonomies").json()
    _valid("taxonomy_page", body)
    _valid("taxonomy", client.get(f"/api/oruk/taxonomies/{NEEDS_TAXONOMY_ID}").json())
    terms = client.get("/api/oruk/taxonomy_terms", {"per_page": 100}).json()
    _valid("taxonomy_term_page", terms)
    assert terms["total_items"] == TaxonomyTerm.objects.count() >= 15
    term = client.get(f"/api/oruk/taxonomy_terms/{term_id('food')}", HTTP_ACCEPT_LANGUAGE="cy").json()
    _valid("taxonomy_term", term)
    assert term["name"] == "Bwyd" and term["taxonomy_detail"]["id"] == str(NEEDS_TAXONOMY_ID)


def test_service_list_runs_a_constant_number_of_queries(client, world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/oruk/services", {"postcode": "CF47", "per_page": 50}).status_code == 200
        return len(queries)

    _add(world, "One")
    few = count()
    for i in range(12):
        _add(world, f"More {i}")
    assert count() == few


def test_the_api_is_in_the_openapi_schema(client, world):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/oruk/services" in schema and "taxonomy_term_id" in schema


# --- importer -------------------------------------------------------------------------------------------------

ORG = "5f0e7a4c-3d2b-4c1a-9e8f-7a6b5c4d3e2f"


def _feed_service(sid: str | None = None, name: str = "Imported pantry") -> dict:
    sid = sid or str(uuid.uuid4())
    loc = str(uuid.uuid4())
    return {
        "id": sid, "name": name, "description": "Food for families.", "status": "active", "url": "https://example.org/pantry",
        "email": "pantry@example.org", "minimum_age": 0, "maximum_age": 99, "last_modified": "2026-01-05T10:00:00.000Z",
        "organization": {"id": ORG, "name": "Pantry Trust", "description": "A charity."},
        "schedules": [{"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": "MO,TH", "opens_at": "10:00", "closes_at": "12:00"}],
        "service_at_locations": [{"id": str(uuid.uuid4()), "service_id": sid, "location_id": loc, "location": {
            "id": loc, "location_type": "physical", "name": "Chapel vestry", "latitude": 51.7, "longitude": -3.35,
            "addresses": [{"id": loc, "address_1": "Chapel Street", "city": "Merthyr Tydfil", "postal_code": "CF47 8AA", "country": "GB",
                           "address_type": "physical"}],
            "accessibility": [{"id": str(uuid.uuid4()), "description": "Step-free entrance"}]}}],
        "languages": [{"id": str(uuid.uuid4()), "code": "cy", "name": "Welsh", "note": "Welsh language active offer"}],
        "cost_options": [{"id": str(uuid.uuid4()), "option": "Membership", "amount": 1.5, "currency": "GBP"}],
        "contacts": [{"id": str(uuid.uuid4()), "name": "Eleri", "phones": [{"id": str(uuid.uuid4()), "number": "01685 100200"}]}],
        "service_areas": [{"id": str(uuid.uuid4()), "name": "Merthyr Tydfil"}],
        "attributes": [{"id": str(uuid.uuid4()), "taxonomy_term_id": str(term_id("food"))},
                       {"id": str(uuid.uuid4()), "taxonomy_term_id": "8d6f2a1b-0c3e-4f5a-9b8c-7d6e5f4a3b2c", "taxonomy_term": {
                           "id": "8d6f2a1b-0c3e-4f5a-9b8c-7d6e5f4a3b2c", "name": "Food banks", "description": "", "code": "FB",
                           "taxonomy": "esd-needs"}}],
    }


def _snapshot() -> list:
    rows = []
    for model in (Service, Location, ServiceAtLocation, Schedule, Contact, Language, ServiceAttribute, TaxonomyTerm, Partner):
        rows.append(sorted(map(str, model.objects.values_list(*(["pk", "modified_on"] if hasattr(model, "modified_on") else ["pk"])))))
    rows.append(sorted(map(str, Service.objects.values_list("pk", "last_modified", "name_en"))))
    return rows


def test_import_creates_everything_then_a_second_import_changes_nothing(world):
    feed = json.dumps({"contents": [_feed_service(), _feed_service(name="Second")]}).encode()
    first = import_feed(feed, local_authority=world.la)
    assert (first.created, first.updated, first.unchanged, first.organisations_created) == (2, 0, 0, 1)
    service = Service.objects.get(name_en="Imported pantry")
    assert service.welsh_active_offer and service.organisation.name_en == "Pantry Trust"
    assert OrganisationIdentifier.objects.get(pk=ORG).organisation_id == service.organisation_id
    assert service.service_at_locations.get().location.accessibilities.get().description_en == "Step-free entrance"
    assert set(service.taxonomy_terms.values_list("code", flat=True)) == {"food", "FB"}
    before = _snapshot()
    second = import_feed(feed, local_authority=world.la)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert _snapshot() == before


def test_import_updates_by_id_and_drops_rows_the_feed_no_longer_has(world):
    data = _feed_service()
    import_feed(json.dumps([data]), local_authority=world.la)
    data["name"] = "Renamed pantry"
    data["schedules"] = []
    result = import_feed(json.dumps([data]), local_authority=world.la)
    assert result.updated == 1
    service = Service.objects.get(pk=data["id"])
    assert service.name_en == "Renamed pantry" and not service.schedules.exists()


def test_our_own_feed_imports_back_unchanged(client, world):
    exported = client.get(f"/api/oruk/services/{world.service.pk}").json()
    before = _snapshot()
    result = import_feed(json.dumps(exported), local_authority=world.la)
    assert result.unchanged == 1 and _snapshot() == before


def test_a_bad_service_stops_the_whole_import(world):
    good, bad = _feed_service(), _feed_service()
    bad["schedules"][0]["closes_at"] = "09:00"
    with pytest.raises(FeedInvalid) as error:
        import_feed(json.dumps([good, bad]), local_authority=world.la)
    assert [e.path for e in error.value.errors] == ["$[1].schedules[0].closes_at"]
    assert not Service.objects.filter(pk=good["id"]).exists()
    assert not Partner.objects.filter(name_en="Pantry Trust").exists()


def test_ids_of_another_local_authority_cannot_be_taken_over(world):
    data = _feed_service(sid=str(world.service.pk))
    with pytest.raises(FeedInvalid) as error:
        import_feed(json.dumps([data]), local_authority=world.la2)
    assert error.value.errors[0].path == "$[0].id"
    world.service.refresh_from_db()
    assert world.service.name_en == "Tenancy support"


def test_errors_are_in_the_users_language(world):
    from django.utils import translation

    with translation.override("cy"):
        with pytest.raises(FeedInvalid) as error:
            import_feed(json.dumps([{"id": str(uuid.uuid4()), "status": "active"}]), local_authority=world.la)
        expected = {("$[0]", translation.gettext("%(field)s is required.") % {"field": "name"}),
                    ("$[0].organization", translation.gettext("Every service must name the organisation that provides it."))}
    assert {(e.path, e.message) for e in error.value.errors} == expected


def test_the_command_imports_and_reports(world, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([_feed_service()]))
    call_command("import_oruk", str(path), "--local-authority", world.la.code, "--dry-run")
    assert not Service.objects.filter(name_en="Imported pantry").exists()
    call_command("import_oruk", str(path), "--local-authority", world.la.code)
    assert Service.objects.filter(name_en="Imported pantry").exists()
    path.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("import_oruk", str(path), "--local-authority", world.la.code)


# Malformed feeds: whatever is wrong, the import answers with errors that carry a JSON path, and writes nothing.
BAD_VALUES = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(st.integers(), max_size=2),
                       st.text(max_size=5), st.text(min_size=1001, max_size=1200), st.just("x" * 100_000))
FIELDS = ["id", "name", "status", "url", "email", "minimum_age", "maximum_age", "assured_date", "organization", "last_modified",
          ("schedules", 0, "byday"), ("schedules", 0, "opens_at"), ("schedules", 0, "id"), ("languages", 0, "code"),
          ("service_at_locations", 0, "location"), ("service_at_locations", 0, "location", "latitude"), ("contacts", 0, "phones"),
          ("cost_options", 0, "amount"), ("attributes", 0, "taxonomy_term_id"), ("organization", "name"), ("organization", "id")]


def _set(data: dict, where: object, value: object, delete: bool) -> None:
    keys = where if isinstance(where, tuple) else (where,)
    target = data
    for key in keys[:-1]:
        target = target[key]
    if delete:
        target.pop(keys[-1], None)
    else:
        target[keys[-1]] = value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(where=st.sampled_from(FIELDS), value=BAD_VALUES, delete=st.booleans(), wrap=st.sampled_from(["page", "list", "one"]))
def test_malformed_feeds_give_clear_errors_and_import_nothing(db, where, value, delete, wrap):
    from tests.factories import LocalAuthorityFactory

    la = _la_699() or LocalAuthorityFactory(code="699")
    data = _feed_service()
    _set(data, where, value, delete)
    schema_valid = validator("service").is_valid(data)  # some mutations (dropping an optional field, a fair value) are fine
    feed = {"page": {"contents": [copy.deepcopy(data)]}, "list": [data], "one": data}[wrap]
    counts = (Service.objects.count(), Location.objects.count(), Partner.objects.count())
    try:
        import_feed(json.dumps(feed), local_authority=la)
    except FeedInvalid as error:
        assert error.errors and all(e.path.startswith("$") and e.message for e in error.errors)
        assert (Service.objects.count(), Location.objects.count(), Partner.objects.count()) == counts
    else:
        assert schema_valid
        Service.objects.filter(local_authority=la).delete()


def _la_699():
    from cymuned.organisations.models import LocalAuthority

    return LocalAuthority.objects.filter(code="699").first()


def test_not_json_and_empty_feeds(world):
    for raw, path in ((b"\xff\xfe", "$"), (b"[]", "$"), (b'{"contents": 5}', "$.contents"), (b"42", "$")):
        with pytest.raises(FeedInvalid) as error:
            import_feed(raw, local_authority=world.la)
        assert error.value.errors[0].path == path
