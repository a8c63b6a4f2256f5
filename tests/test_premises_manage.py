"""Lettings managers' pages and services: spaces, opening times, caretaker cover, closures, prices, costs, term dates,
capital projects. Another school's staff get 404; every write names the field it rejects."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cymuned.premises import services_manage as sm
from cymuned.premises.models import (
    Block,
    CapitalProject,
    CaretakerCover,
    CostSettings,
    OpeningWindow,
    RateCard,
    Space,
    TermDate,
)

from .conftest import next_weekday

pytestmark = pytest.mark.django_db

def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, "PNG")
    return out.getvalue()


def url(name, *args, **query):
    with translation.override("en-gb"):
        path = reverse(f"premises:{name}", args=args)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# Every manage page as every user of the world, against the access layer's verdict (as tests/test_every_url.py does).

MY_ROUTES = ("premises:manage", "premises:utilisation", "api:space", "api:booking", "api:hirer")


def test_every_manage_page_answers_each_user_as_declared(world, client_for):
    from django.contrib.auth.models import AnonymousUser

    from .test_every_url import USERS, _expected, _object_model, _sample_object, _url, all_routes, declared_access

    routes = [r for r in all_routes() if r.name.startswith(MY_ROUTES)]
    assert len(routes) > 20
    failures = []
    for name in USERS:
        client = client_for(name)
        user = world.user(name) if name else AnonymousUser()
        for route in routes:
            access = declared_access(route)
            model = _object_model(route, access)
            obj = _sample_object(world, model) if model else None
            allowed = _expected(access, user, obj, route)
            response = client.get(_url(route, obj, world))
            status = response.status_code
            refused = status in (401, 403, 404) or (status == 302 and "sign-in" in response.get("Location", ""))
            if status >= 500 or allowed == refused:
                failures.append(f"{name}: {route.name} -> {status} (allowed: {allowed})")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", ["head_other_cluster", "lead_other_la", "staff_other_la"])
def test_another_schools_staff_get_404_for_school_as_spaces_and_settings(world, client_for, name):
    client = client_for(name)
    window = world.space.opening_windows.first()
    for path in (url("manage-space", world.space.pk), url("manage-space-edit", world.space.pk), url("manage-rates", world.space.pk),
                 url("manage-window-remove", window.pk)):
        assert client.get(path).status_code == 404, path
    assert client.post(url("manage-window-add", world.space.pk), {"weekday": 6, "season": "term", "opens_at": "10:00",
                                                                  "closes_at": "12:00"}).status_code == 404
    if name == "head_other_cluster":  # a manager elsewhere: school A's settings are not theirs
        for page in ("manage-cover", "manage-closures", "manage-costs", "manage-capital"):
            assert client.get(url(page, school=world.school_a.pk)).status_code == 404
        assert client.post(url("manage-costs", school=world.school_a.pk), {}).status_code == 404
    assert world.space.opening_windows.count() == 12


def test_home_lists_the_managed_schools_spaces_in_constant_queries(world, client_for):
    client = client_for("la_lead")
    client.get(url("manage"))
    with CaptureQueriesContext(connection) as few:
        response = client.get(url("manage"))
    assert "Main hall" in response.content.decode()
    for n in range(5):
        for school in (world.school_a, world.school_b, world.school_c):
            Space.objects.create(school=school, kind="classroom", name_en=f"Room {n}", name_cy=f"Ystafell {n}", capacity=30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("manage"))
    assert response.content.decode().count("Room 4") == 3
    assert len(many.captured_queries) == len(few.captured_queries)


def test_csm_sees_only_their_school_on_the_home_page(world, client_for):
    Space.objects.create(school=world.school_c, kind="hall", name_en="Gamma hall", name_cy="Neuadd Gama", capacity=50)
    page = client_for("csm").get(url("manage")).content.decode()
    assert "Main hall" in page and "Gamma hall" not in page


# Spaces

SPACE = {"kind": "community_room", "name_en": "Community room", "name_cy": "Ystafell gymunedol", "capacity": "25",
         "description_en": "Quiet room", "description_cy": "Ystafell dawel", "energy_kwh_per_hour": "3.00", "heating_kwh_per_hour": "6.00",
         "cleaning_minutes": "10", "is_public": "on", "is_active": "on"}


def test_csm_adds_a_space_with_a_photo_and_alt_text(world, client_for):
    client = client_for("csm")
    assert client.get(url("manage-space-add")).status_code == 200
    photo = SimpleUploadedFile("room.png", png(), content_type="image/png")
    response = client.post(url("manage-space-add"), {**SPACE, "school": world.school_a.pk, "photo": photo, "photo_alt_en": "A bright room",
                                                     "photo_alt_cy": "Ystafell olau"})
    space = Space.objects.get(name_en="Community room")
    assert response.status_code == 302 and response["Location"] == url("manage-space", space.pk)
    assert space.photo and space.photo_alt_cy == "Ystafell olau" and space.capacity == 25 and space.created_by == world.user("csm")


def test_a_photo_without_alt_text_is_refused_on_the_field(world, client_for):
    photo = SimpleUploadedFile("room.png", png(), content_type="image/png")
    response = client_for("csm").post(url("manage-space-add"), {**SPACE, "school": world.school_a.pk, "photo": photo})
    assert response.status_code == 200
    assert "Describe the photo" in response.content.decode()
    assert not Space.objects.filter(name_en="Community room").exists()


def test_a_space_cannot_be_added_to_a_school_not_managed(world, client_for):
    response = client_for("csm").post(url("manage-space-add"), {**SPACE, "school": world.school_c.pk})
    assert response.status_code == 200 and "Choose a school from the list" in response.content.decode()
    with pytest.raises(PermissionDenied):
        sm.space_write(by=world.user("csm"), school=world.school_c, data={"kind": "hall", "name_en": "X", "name_cy": "X", "capacity": 5})


def test_headteacher_edits_a_space(world, client_for):
    client = client_for("headteacher")
    assert client.get(url("manage-space-edit", world.space.pk)).status_code == 200
    response = client.post(url("manage-space-edit", world.space.pk), {**SPACE, "name_en": "Main hall", "name_cy": "Prif neuadd",
                                                                      "capacity": "150", "is_public": ""})
    assert response.status_code == 302
    world.space.refresh_from_db()
    assert world.space.capacity == 150 and not world.space.is_public


def test_space_page_shows_windows_blocks_and_prices(world, client_for):
    page = client_for("csm").get(url("manage-space", world.space.pk)).content.decode()
    assert "Opening times" in page and "17:00" in page and "£18.00" in page


# Opening windows and caretaker cover

def test_opening_window_closing_before_opening_is_a_field_error(world):
    with pytest.raises(ValidationError) as error:
        sm.opening_window_add(by=world.user("csm"), space=world.space, weekday=6, season="term", opens_at=datetime.time(12),
                              closes_at=datetime.time(10))
    assert codes(error.value) == {"closes_at": ["closes_before_opens"]}


def test_overlapping_opening_windows_are_refused_naming_the_other(world):
    with pytest.raises(ValidationError) as error:
        sm.opening_window_add(by=world.user("csm"), space=world.space, weekday=0, season="term", opens_at=datetime.time(21),
                              closes_at=datetime.time(23))
    assert codes(error.value) == {"opens_at": ["overlap"]}
    assert "17:00–22:00" in error.value.messages[0]
    # the same times in the holidays are another window, and so are touching times
    sm.opening_window_add(by=world.user("csm"), space=world.space, weekday=6, season="holiday", opens_at=datetime.time(10),
                          closes_at=datetime.time(12))
    sm.opening_window_add(by=world.user("csm"), space=world.space, weekday=6, season="holiday", opens_at=datetime.time(12),
                          closes_at=datetime.time(14))
    assert OpeningWindow.objects.filter(space=world.space, weekday=6).count() == 2


def test_window_form_posts_and_shows_errors(world, client_for):
    client = client_for("csm")
    bad = client.post(url("manage-window-add", world.space.pk), {"weekday": 6, "season": "term", "opens_at": "14:00", "closes_at": "13:00"})
    assert bad.status_code == 200 and "The closing time must be after the opening time." in bad.content.decode()
    good = client.post(url("manage-window-add", world.space.pk), {"weekday": 6, "season": "term", "opens_at": "10:00", "closes_at": "13:00"})
    assert good.status_code == 302
    window = OpeningWindow.objects.get(space=world.space, weekday=6)
    assert client.get(url("manage-window-remove", window.pk)).status_code == 200
    assert client.post(url("manage-window-remove", window.pk)).status_code == 302
    assert not OpeningWindow.objects.filter(pk=window.pk).exists()


def test_caretaker_cover_for_the_managers_school(world, client_for):
    client = client_for("csm")  # manages one school: it is chosen for them
    assert "Caretaker cover" in client.get(url("manage-cover")).content.decode()
    response = client.post(url("manage-cover", school=world.school_a.pk), {"weekday": 6, "season": "term", "opens_at": "08:00",
                                                                           "closes_at": "09:00"})
    assert response.status_code == 302
    assert CaretakerCover.objects.filter(school=world.school_a, weekday=6, opens_at=datetime.time(8)).exists()
    overlap = client.post(url("manage-cover", school=world.school_a.pk), {"weekday": 0, "season": "term", "opens_at": "16:00",
                                                                          "closes_at": "18:00"})
    assert overlap.status_code == 200 and "overlaps" in overlap.content.decode()


def test_la_lead_chooses_a_school_for_its_settings(world, client_for):
    page = client_for("la_lead").get(url("manage-costs")).content.decode()
    assert "Alpha School" in page and "Gamma School" in page and 'name="caretaker_pence_per_hour"' not in page
    assert 'name="caretaker_pence_per_hour"' in client_for("la_lead").get(url("manage-costs", school=world.school_c.pk)).content.decode()


# Blocks

def test_whole_day_closure_of_the_whole_school(world, client_for):
    day = next_weekday(1)  # the world's booking is on this Tuesday
    response = client_for("csm").post(url("manage-closures", school=world.school_a.pk), {
        "kind": "closure", "space": "", "starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "Polling station"})
    assert response.status_code == 302
    block = Block.objects.get(school=world.school_a, reason="Polling station")
    assert block.space is None and (block.ends_at - block.starts_at) == datetime.timedelta(days=1)
    assert sm.bookings_hit_by(block) == 1


def test_a_block_ending_before_it_starts_is_refused(world):
    day = next_weekday(2)
    with pytest.raises(ValidationError) as error:
        sm.block_add(by=world.user("csm"), school=world.school_a, space=world.space, kind="school_use", starts_on=day,
                     ends_on=day - datetime.timedelta(days=1))
    assert codes(error.value) == {"ends_on": ["ends_before_starts"]}
    with pytest.raises(ValidationError) as error:
        sm.block_add(by=world.user("csm"), school=world.school_a, space=world.space, kind="school_use", starts_on=day, ends_on=day,
                     starts_at=datetime.time(18), ends_at=datetime.time(17))
    assert codes(error.value) == {"ends_at": ["ends_before_starts"]}


def test_space_block_page_and_removal(world, client_for):
    client = client_for("headteacher")
    day = next_weekday(3)
    response = client.post(url("manage-space-block", world.space.pk), {"kind": "school_use", "starts_on": day.isoformat(),
                                                                      "ends_on": day.isoformat(), "starts_at": "17:00", "ends_at": "19:00",
                                                                      "reason": "Concert"})
    assert response.status_code == 302
    block = Block.objects.get(reason="Concert")
    assert block.space == world.space
    assert client.post(url("manage-block-remove", block.pk)).status_code == 302
    assert not Block.objects.filter(pk=block.pk).exists()


def test_blocks_of_another_school_cannot_be_removed(world, client_for):
    block = Block.objects.create(school=world.school_a, space=world.space, kind="closure",
                                 starts_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC), ends_at=datetime.datetime(2030, 1, 2, tzinfo=datetime.UTC))
    assert client_for("head_other_cluster").post(url("manage-block-remove", block.pk)).status_code == 404
    with pytest.raises(PermissionDenied):
        sm.block_remove(by=world.user("head_other_cluster"), block=block)
    assert Block.objects.filter(pk=block.pk).exists()


# Prices and costs

def test_rate_card_is_saved_per_tier_and_peak_below_off_peak_is_refused(world, client_for):
    client = client_for("csm")
    response = client.post(url("manage-rates", world.space.pk), {"tier": "community", "off_peak": "20.00", "peak": "15", "peak_from": "17:00",
                                                                "minimum_minutes": "60"})
    assert response.status_code == 200 and "cannot be lower" in response.content.decode()
    response = client.post(url("manage-rates", world.space.pk), {"tier": "community", "off_peak": "20.50", "peak": "30", "peak_from": "18:00",
                                                                "minimum_minutes": "90", "vat_applies": "on"})
    assert response.status_code == 302
    rate = RateCard.objects.get(space=world.space, tier="community")
    assert (rate.off_peak_pence, rate.peak_pence, rate.minimum_minutes, rate.vat_applies) == (2050, 3000, 90, True)
    assert RateCard.objects.filter(space=world.space).count() == 3
    assert client.post(url("manage-rate-remove", rate.pk)).status_code == 302
    assert RateCard.objects.filter(space=world.space).count() == 2


def test_cost_settings_are_created_or_changed(world, client_for):
    CostSettings.objects.filter(school=world.school_a).delete()
    client = client_for("csm")
    assert client.get(url("manage-costs")).status_code == 200
    data = {"caretaker_pence_per_hour": "1600", "overtime_multiplier": "1.50", "overtime_after": "18:00", "opening_minutes": "15",
            "closing_minutes": "20", "lone_working_after": "", "energy_pence_per_kwh": "30.00", "heating_from_month": "10",
            "heating_to_month": "4", "insurance_pence_per_hour": "150", "cleaning_pence_per_hour": "1300"}
    assert client.post(url("manage-costs", school=world.school_a.pk), data).status_code == 302
    assert CostSettings.objects.get(school=world.school_a).caretaker_pence_per_hour == 1600
    bad = client.post(url("manage-costs", school=world.school_a.pk), {**data, "overtime_multiplier": "9"})
    assert bad.status_code == 200 and CostSettings.objects.get(school=world.school_a).closing_minutes == 20


# Term dates

def test_la_lead_adds_terms_and_overlaps_are_refused(world, client_for):
    client = client_for("la_lead")
    assert "This term" in client.get(url("manage-terms")).content.decode()
    response = client.post(url("manage-terms"), {"name_en": "Spring 2031", "name_cy": "Gwanwyn 2031", "starts_on": "2031-01-06",
                                                 "ends_on": "2031-03-28"})
    assert response.status_code == 302
    term = TermDate.objects.get(name_en="Spring 2031")
    assert term.local_authority == world.la
    with pytest.raises(ValidationError) as error:
        sm.term_date_save(by=world.user("la_officer"), local_authority=world.la, name_en="X", name_cy="X",
                          starts_on=datetime.date(2031, 3, 1), ends_on=datetime.date(2031, 4, 1))
    assert codes(error.value) == {"starts_on": ["overlap"]}
    with pytest.raises(ValidationError) as error:
        sm.term_date_save(by=world.user("la_officer"), local_authority=world.la, name_en="X", name_cy="X",
                          starts_on=datetime.date(2031, 6, 1), ends_on=datetime.date(2031, 5, 1))
    assert codes(error.value) == {"ends_on": ["ends_before_starts"]}
    edited = client.post(url("manage-term", term.pk), {"name_en": "Spring term 2031", "name_cy": "Tymor y gwanwyn 2031",
                                                       "starts_on": "2031-01-05", "ends_on": "2031-03-28"})
    assert edited.status_code == 302
    term.refresh_from_db()
    assert term.name_en == "Spring term 2031" and term.starts_on == datetime.date(2031, 1, 5)
    assert client.post(url("manage-term-remove", term.pk)).status_code == 302
    assert not TermDate.objects.filter(pk=term.pk).exists()


@pytest.mark.parametrize("name", ["csm", "headteacher", "lead_other_la"])
def test_term_dates_are_kept_by_the_las_own_lead_and_officers(world, client_for, name):
    term = world.la.terms.first()
    client = client_for(name)
    assert client.get(url("manage-term", term.pk)).status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        sm.term_date_save(by=world.user(name), local_authority=world.la, name_en="X", name_cy="X", starts_on=datetime.date(2032, 1, 1),
                          ends_on=datetime.date(2032, 2, 1))


# Capital projects

def test_capital_project_is_recorded_against_spaces_of_its_school(world, client_for):
    client = client_for("csm")
    assert client.get(url("manage-capital-add")).status_code == 200
    response = client.post(url("manage-capital-add"), {"school": world.school_a.pk, "title_en": "Hall refit", "title_cy": "Adnewyddu'r neuadd",
                                                       "grant_source": "CFS capital grant", "amount": "125000.00",
                                                       "completed_on": "2025-09-01", "spaces": [world.space.pk]})
    assert response.status_code == 302
    project = CapitalProject.objects.get(title_en="Hall refit")
    assert project.amount_pence == 12_500_000 and list(project.spaces.all()) == [world.space]
    other = Space.objects.create(school=world.school_b, kind="hall", name_en="Beta hall", name_cy="Neuadd Beta", capacity=50)
    with pytest.raises(ValidationError) as error:
        sm.capital_project_save(by=world.user("la_lead"), school=world.school_a, data={"title_en": "X", "title_cy": "X", "grant_source": "G",
                                                                                        "amount_pence": 1, "completed_on": datetime.date(2025, 1, 1)},
                                spaces=[other])
    assert codes(error.value) == {"spaces": ["other_school"]}
    edit = client.post(url("manage-capital-edit", project.pk), {"school": world.school_a.pk, "title_en": "Hall refit 2025",
                                                                "title_cy": "Adnewyddu'r neuadd", "grant_source": "CFS capital grant",
                                                                "amount": "130000", "completed_on": "2025-09-01", "spaces": [world.space.pk]})
    assert edit.status_code == 302
    project.refresh_from_db()
    assert project.title_en == "Hall refit 2025" and project.amount_pence == 13_000_000


def test_capital_project_list_shows_use_since_completion_in_constant_queries(world, client_for):
    from cymuned.premises.models import Booking, BookingSeries

    project = CapitalProject.objects.create(school=world.school_a, title_en="Hall", title_cy="Neuadd", grant_source="G", amount_pence=1_000_000,
                                            completed_on=datetime.date(2024, 1, 1))
    project.spaces.add(world.space)
    series = BookingSeries.objects.create(reference="B-PAST0001", space=world.space, hirer=world.hirer, activity="Past", expected_people=12,
                                          tier="community", status="approved", terms_accepted_on=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    start = datetime.datetime(2024, 3, 5, 18, tzinfo=datetime.UTC)
    Booking.objects.create(series=series, space=world.space, starts_at=start, ends_at=start + datetime.timedelta(hours=2), status="approved")
    Booking.objects.create(series=series, space=world.space, starts_at=start + datetime.timedelta(days=7),
                           ends_at=start + datetime.timedelta(days=7, hours=3), status="approved", people_attended=20)
    Booking.objects.create(series=series, space=world.space, starts_at=datetime.datetime(2023, 6, 1, 18, tzinfo=datetime.UTC),
                           ends_at=datetime.datetime(2023, 6, 1, 20, tzinfo=datetime.UTC), status="approved")  # before completion
    from cymuned.premises.reports import capital_projects_use

    rows = capital_projects_use(user=world.user("csm"))
    assert [(r["hours"], r["bookings"], r["people"]) for r in rows] == [(5.0, 2, 32)]
    assert rows[0]["pence_per_hour"] == 200_000
    client = client_for("la_lead")
    with CaptureQueriesContext(connection) as few:
        assert "Hall" in client.get(url("manage-capital")).content.decode()
    for n in range(4):
        p = CapitalProject.objects.create(school=world.school_c, title_en=f"P{n}", title_cy=f"P{n}", grant_source="G", amount_pence=100,
                                          completed_on=datetime.date(2024, 1, 1))
        p.spaces.add(Space.objects.create(school=world.school_c, kind="hall", name_en=f"S{n}", name_cy=f"S{n}", capacity=9))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url("manage-capital")).content.decode()
    assert "P3" in page and len(many.captured_queries) == len(few.captured_queries)
    assert capital_projects_use(user=world.user("head_other_cluster"), school=None)[0]["project"].title_en.startswith("P")
    assert all(r["project"].school_id == world.school_c.pk for r in capital_projects_use(user=world.user("head_other_cluster")))
