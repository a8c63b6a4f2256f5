"""The services directory: maintenance services and scoping, the staff pages, the stale report and the public search."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cymuned.directory import geo, selectors, services
from cymuned.directory.models import Contact, Location, Schedule, Service, ServiceAtLocation, ServiceStatus
from cymuned.directory.taxonomy import term_id


def _url(name: str, *args: object, lang: str = "en-gb") -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def _service(la, org, name: str, *, lat: str | None = None, lon: str | None = None, needs=(), languages=(), **extra) -> Service:
    from cymuned.directory.models import Language, ServiceAttribute

    service = Service.objects.create(local_authority=la, organisation=org, name_en=name, name_cy=f"{name} (cy)",
                                     description_en=f"About {name}.", **extra)
    for code in needs:
        ServiceAttribute.objects.create(service=service, taxonomy_term_id=term_id(code))
    for code in languages:
        Language.objects.create(service=service, code=code)
    if lat is not None:
        location = Location.objects.create(local_authority=la, name_en=f"{name} place", latitude=Decimal(lat), longitude=Decimal(lon))
        ServiceAtLocation.objects.create(service=service, location=location)
    return service


# --- geo --------------------------------------------------------------------------------------------------------


def test_postcodes_reduce_to_known_welsh_districts():
    assert geo.outward_code("cf47 8an") == "CF47"
    assert geo.outward_code("SA1") == "SA1"
    assert geo.outward_code("not a postcode") is None
    assert geo.point_for_postcode("LL57 2DG").label == "Bangor"
    assert geo.point_for_postcode("SW1A 1AA") is None  # not in Wales: not bundled
    cardiff, merthyr = geo.point_for_postcode("CF10"), geo.point_for_postcode("CF47")
    assert 30 < geo.haversine_km(cardiff, merthyr) < 37


def test_every_bundled_district_is_in_wales_and_unique():
    districts = geo.postcode_districts()
    assert len(districts) > 150
    for name, point in districts.items():
        assert 51.3 < point.latitude < 53.5 and -5.4 < point.longitude < -2.6, name


# --- services and scoping ---------------------------------------------------------------------------------------


def test_partner_worker_creates_services_only_for_their_own_organisation(world):
    user = world.user("partner_worker")
    service = services.service_create(by=user, organisation=world.partner_p, data={"name_en": "Repairs help", "description_en": "Fixes."},
                                      terms=[], language_codes=["cy", "en"])
    assert service.local_authority_id == world.la.pk
    assert set(service.languages.values_list("code", flat=True)) == {"cy", "en"}
    with pytest.raises(ValidationError) as error:
        services.service_create(by=user, organisation=world.partner_q, data={"name_en": "Not ours", "description_en": "x"})
    assert "organisation" in error.value.message_dict
    assert not Service.objects.filter(name_en="Not ours").exists()


def test_another_partner_cannot_change_the_service(world):
    with pytest.raises(PermissionDenied):
        services.service_update(by=world.user("partner_other"), service=world.service, data={"name_en": "Hijacked"})
    world.service.refresh_from_db()
    assert world.service.name_en == "Tenancy support"


def test_update_stamps_last_modified_and_rejects_bad_ages(world):
    before = world.service.last_modified
    services.service_update(by=world.user("la_officer"), service=world.service, data={"name_en": "Tenancy sustainment"})
    world.service.refresh_from_db()
    assert world.service.last_modified > before
    with pytest.raises(ValidationError):
        services.service_update(by=world.user("la_officer"), service=world.service, data={"minimum_age": 30, "maximum_age": 10})


@pytest.mark.parametrize(("name", "status"), [("partner_worker", 200), ("la_officer", 200), ("hub_coordinator", 200),
                                              ("partner_other", 404), ("lead_other_la", 404), ("headteacher", 404)])
def test_who_can_open_the_maintenance_page(world, client_for, name, status):
    assert client_for(name).get(_url("directory:manage", world.service.pk)).status_code == status
    assert client_for(name).get(_url("directory:update", world.service.pk)).status_code == status


def test_manage_list_shows_only_services_the_user_maintains(world, client_for):
    _service(world.la, world.partner_q, "Other charity's service")
    own = client_for("partner_worker").get(_url("directory:manage-list")).content.decode()
    assert "Tenancy support" in own and "Other charity" not in own
    every = client_for("la_lead").get(_url("directory:manage-list")).content.decode()
    assert "Tenancy support" in every and "Other charity" in every
    assert client_for("governor").get(_url("directory:manage-list")).status_code == 403


def test_create_page_adds_a_service_with_needs_and_languages(world, client_for):
    response = client_for("la_officer").post(_url("directory:create"), {
        "organisation": world.partner_q.pk, "name_en": "Debt clinic", "name_cy": "Clinig dyledion", "description_en": "Help with debt.",
        "status": "active", "terms": [str(term_id("debt-money"))], "language_codes": ["en"], "welsh_active_offer": "on",
    })
    service = Service.objects.get(name_en="Debt clinic")
    assert response.status_code == 302 and response["Location"].endswith(f"/directory/manage/{service.pk}/")
    assert list(service.taxonomy_terms.values_list("code", flat=True)) == ["debt-money"]
    assert set(service.languages.values_list("code", flat=True)) == {"en", "cy"}  # the active offer implies Welsh


def test_create_page_shows_errors_in_welsh(world, client_for):
    response = client_for("la_officer").post(_url("directory:create", lang="cy"), {"organisation": world.partner_q.pk, "status": "active"})
    assert response.status_code == 200
    assert not Service.objects.filter(organisation=world.partner_q).exists()
    assert response.context["form"].errors["name_en"]


def test_edit_page_changes_the_service(world, client_for):
    response = client_for("partner_worker").post(_url("directory:update", world.service.pk), {
        "organisation": world.partner_p.pk, "name_en": "Tenancy help", "description_en": "Help.", "status": "temporarily closed",
        "terms": [str(term_id("housing")), str(term_id("energy"))], "language_codes": ["cy"],
    })
    assert response.status_code == 302
    world.service.refresh_from_db()
    assert world.service.name_en == "Tenancy help" and world.service.status == ServiceStatus.TEMPORARILY_CLOSED
    assert set(world.service.taxonomy_terms.values_list("code", flat=True)) == {"housing", "energy"}


def test_location_schedule_contact_and_review_pages(world, client_for):
    client = client_for("partner_worker")
    response = client.post(_url("directory:location-add", world.service.pk), {"location_type": "physical", "name_en": "Aberfan centre",
                                                                               "postcode": "cf48 4qe"})
    assert response.status_code == 302
    location = Location.objects.get(name_en="Aberfan centre")
    assert location.postcode == "CF48 4QE" and location.latitude is not None  # from the district centroid
    response = client.post(_url("directory:schedule-add", world.service.pk), {"freq": "WEEKLY", "days": ["FR", "MO"], "opens_at": "10:00",
                                                                              "closes_at": "12:00"})
    assert response.status_code == 302
    assert Schedule.objects.filter(service=world.service, byday="MO,FR").exists()
    bad = client.post(_url("directory:schedule-add", world.service.pk), {"freq": "WEEKLY", "days": ["MO"], "opens_at": "12:00", "closes_at": "10:00"})
    assert bad.status_code == 200 and "closes_at" in bad.context["form"].errors
    assert client.post(_url("directory:contact-add", world.service.pk), {"name": "Bethan", "phone": "01685 123456"}).status_code == 302
    assert Contact.objects.get(name="Bethan").phones.get().number == "01685 123456"
    assert client.post(_url("directory:review", world.service.pk), {}).status_code == 302
    world.service.refresh_from_db()
    assert world.service.assured_date == timezone.localdate()
    assert world.service.review_date == timezone.localdate() + datetime.timedelta(days=365)


def test_remove_pages_are_scoped(world, client_for):
    url = _url("directory:schedule-remove", world.service_schedule.pk)
    assert client_for("partner_other").post(url).status_code == 404
    assert Schedule.objects.filter(pk=world.service_schedule.pk).exists()
    assert client_for("partner_worker").get(url).status_code == 200
    assert client_for("partner_worker").post(url).status_code == 302
    assert not Schedule.objects.filter(pk=world.service_schedule.pk).exists()
    assert client_for("la_officer").post(_url("directory:location-remove", world.service_location.pk)).status_code == 302
    assert not Location.objects.filter(name_en="Redhouse").exists()  # no other service used it
    assert client_for("partner_worker").post(_url("directory:contact-remove", world.service_contact.pk)).status_code == 302


def test_stale_report_lists_overdue_and_long_unchanged_entries(world, client_for):
    today = timezone.localdate()
    overdue = _service(world.la, world.partner_p, "Overdue", review_date=today - datetime.timedelta(days=1))
    old = _service(world.la, world.partner_p, "Old", last_modified=timezone.now() - datetime.timedelta(days=400))
    _service(world.la, world.partner_p, "Fresh", review_date=today + datetime.timedelta(days=30))
    other = _service(world.la, world.partner_q, "Not mine", review_date=today - datetime.timedelta(days=1))
    stale = set(selectors.stale_services(world.user("partner_worker"), months=12))
    assert stale == {overdue, old}
    assert set(selectors.stale_services(world.user("la_lead"), months=12)) == {overdue, old, other}
    assert old not in set(selectors.stale_services(world.user("la_lead"), months=24))
    page = client_for("partner_worker").get(_url("directory:stale") + "?months=12").content.decode()
    assert "Overdue" in page and "Fresh" not in page and "Not mine" not in page


def test_import_page_is_for_la_roles_and_reports_errors(world, client_for):
    assert client_for("partner_worker").get(_url("directory:import")).status_code == 403
    bad = SimpleUploadedFile("feed.json", b'{"contents": [{"id": "nope", "name": 3}]}', content_type="application/json")
    response = client_for("la_officer").post(_url("directory:import", lang="cy"), {"file": bad})
    assert response.status_code == 200
    paths = {e.path for e in response.context["feed_errors"]}
    assert "$.contents[0].id" in paths and "$.contents[0].name" in paths
    feed = json.dumps([{"id": "0d6f3f52-5a3e-4c64-9d0b-0d7f5b7a1a11", "name": "Imported clinic", "status": "active",
                        "organization": {"id": "9b0a1f7e-8f0e-4a55-9d0c-3f1b2c3d4e5f", "name": "New Charity", "description": ""}}]).encode()
    response = client_for("la_officer").post(_url("directory:import"), {"file": SimpleUploadedFile("feed.json", feed)})
    assert response.status_code == 200 and response.context["result"].created == 1
    assert Service.objects.get(name_en="Imported clinic").organisation.name_en == "New Charity"


# --- public search ----------------------------------------------------------------------------------------------


@pytest.fixture
def places(world):
    """Three public services at known distances from Merthyr (CF47), one inactive, one with no place."""
    la, org = world.la, world.partner_p
    return {
        "aberfan": _service(la, org, "Aberfan food hub", lat="51.6930", lon="-3.3440", needs=["food"], languages=["en"], minimum_age=0, maximum_age=4),
        "cardiff": _service(la, org, "Cardiff debt line", lat="51.4760", lon="-3.1760", needs=["debt-money"], languages=["cy"], minimum_age=18),
        "gurnos": _service(la, org, "Gurnos youth club", lat="51.7620", lon="-3.3850", needs=["youth"], minimum_age=11, maximum_age=18),
        "online": _service(la, org, "Online parenting course", needs=["parenting"], welsh_active_offer=True),
        "closed": _service(la, org, "Defunct service", lat="51.7480", lon="-3.3800", status=ServiceStatus.DEFUNCT),
    }


def _names(response) -> list[str]:
    return [s.name_en for s in response.context["page"]]


def test_public_search_sorts_by_distance_from_a_postcode(client, places, world):
    response = client.get(_url("directory:public-search"), {"postcode": "CF47 8AN"})
    names = _names(response)
    assert names[:4] == ["Tenancy support", "Gurnos youth club", "Aberfan food hub", "Cardiff debt line"]
    assert names[-1] == "Online parenting course"  # no place: last
    assert "Defunct service" not in names
    within = client.get(_url("directory:public-search"), {"postcode": "CF47", "within": "5"})
    assert set(_names(within)) == {"Tenancy support", "Gurnos youth club", "Aberfan food hub"}


def test_public_search_by_town_and_by_coordinates(client, places):
    by_town = _names(client.get(_url("directory:public-search"), {"town": "cardiff"}))
    assert by_town[0] == "Cardiff debt line"
    by_point = _names(client.get(_url("directory:public-search"), {"latitude": "51.694", "longitude": "-3.345"}))
    assert by_point[0] == "Aberfan food hub"


@pytest.mark.parametrize(("params", "expected"), [
    ({"need": "food"}, {"Aberfan food hub"}),
    ({"q": "debt"}, {"Cardiff debt line"}),
    ({"q": "(cy) youth"}, {"Gurnos youth club"}),
    ({"language": "cy"}, {"Cardiff debt line", "Online parenting course", "Tenancy support"}),
    ({"language": "active-offer"}, {"Online parenting course", "Tenancy support"}),
    ({"age": "under-5"}, {"Aberfan food hub", "Online parenting course"}),
    ({"age": "11-16", "need": "youth"}, {"Gurnos youth club"}),
])
def test_public_search_filters(client, places, params, expected):
    assert set(_names(client.get(_url("directory:public-search"), params))) == expected


@pytest.mark.parametrize(("params", "field"), [
    ({"postcode": "ZZ99 9ZZ"}, "postcode"), ({"postcode": "hello"}, "postcode"), ({"latitude": "91", "longitude": "0"}, "latitude"),
    ({"latitude": "51.7"}, "longitude"), ({"within": "5"}, "within"),
])
def test_public_search_explains_a_bad_location(client, world, params, field):
    response = client.get(_url("directory:public-search", lang="cy"), params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["page"].paginator.count == 0


def test_public_search_is_accessible_and_printable(client, places):
    page = client.get(_url("directory:public-search", lang="cy"), {"postcode": "CF47"}).content.decode()
    assert 'role="status"' in page and 'class="govuk-list cymuned-results"' in page
    assert "directory-print.css" in page and 'media="print"' in page
    assert '<html lang="cy"' in page


def test_public_search_runs_a_constant_number_of_queries(client, world):
    url = _url("directory:public-search")
    params = {"postcode": "CF47", "language": "cy", "age": "adults"}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        return len(queries)

    for i in range(3):
        _service(world.la, world.partner_p, f"Few {i}", lat="51.7", lon="-3.3", needs=["food", "housing"], languages=["cy", "en"])
    few = count()
    for i in range(15):
        _service(world.la, world.partner_q, f"Many {i}", lat="51.6", lon="-3.2", needs=["food", "youth"], languages=["cy"])
    assert count() == few


def test_public_service_page_and_hidden_statuses(client, world, places):
    response = client.get(_url("directory:public-detail", world.service.pk, lang="cy"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cymorth tenantiaeth" in page and "Redhouse" in page
    assert client.get(_url("directory:public-detail", places["closed"].pk)).status_code == 404
