"""Imports through the web: the kinds registry, the upload checks, every page of the journey (and who is refused),
the background run with its progress and report, and the notification at the end."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cymuned.core.models import Notification
from cymuned.outcomes import import_runs, kinds
from cymuned.outcomes.import_runs import ProgressWriter, Target, import_run_upload
from cymuned.outcomes.kinds import ATTENDANCE_MARKS, ImportKind, TargetField, guess_mapping, import_kinds, kind_for, register_kind
from cymuned.outcomes.models import AttendanceYear, ImportRun, ImportStatus, MappingTemplate
from cymuned.outcomes.spreadsheets import UploadRefused

from .conftest import add_import_run
from .test_attendance_import import MONDAY, csv_of, week_rows

pytestmark = pytest.mark.django_db

RENAMED = "Pupil Ref,Date,Session,Mark"


def marks_csv(world, header: str = RENAMED, codes: tuple[str, ...] = ("/", "\\") * 5) -> bytes:
    return csv_of(week_rows(world.learner_a.upn, list(codes)), header=header)


def xlsx_of(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, world, data: bytes, name: str = "marks.csv", target: str | None = None, mis: str = "SIMS"):
    return client.post(reverse("outcomes:import-new"), {
        "kind": "attendance_marks", "target": target or f"school:{world.school_a.pk}", "mis": mis,
        "file": SimpleUploadedFile(name, data),
    })


def mapping_post(run: ImportRun, **chosen: str) -> dict[str, str]:
    fields = {"upn": "", "date": "Date", "session": "Session", "code": "Mark", "school": ""} | chosen
    return {f"field_{name}": value for name, value in fields.items()}


# --- Kinds -----------------------------------------------------------------------------------------------------------


def test_the_attendance_kind_is_registered_with_its_fields():
    assert kind_for("attendance_marks") is ATTENDANCE_MARKS and ATTENDANCE_MARKS in import_kinds()
    required = {f.name for f in ATTENDANCE_MARKS.fields if f.required}
    assert required == {"upn", "date", "session", "code"}
    assert "Pupil UPN" in ATTENDANCE_MARKS.field("upn").aliases
    assert kind_for("nothing") is None


def test_registering_a_kind_adds_or_replaces_it():
    kind = ImportKind(key="test_kind", label="Test", fields=(TargetField("a", "A", True, ("Alpha",)),), run=lambda **kw: None)
    try:
        register_kind(kind)
        assert kind_for("test_kind") is kind
        replacement = ImportKind(key="test_kind", label="Test 2", fields=(), run=lambda **kw: None)
        register_kind(replacement)
        assert kind_for("test_kind") is replacement and import_kinds().count(replacement) == 1
    finally:
        from cymuned.outcomes import kinds

        kinds._KINDS.pop("test_kind", None)


def test_columns_are_guessed_from_aliases_whatever_the_case_and_spacing():
    header = [" pupil  upn", "DATE", "AM/PM", "Mark", "Other"]
    assert guess_mapping(ATTENDANCE_MARKS, header) == {"upn": " pupil  upn", "date": "DATE", "session": "AM/PM", "code": "Mark"}


# --- Upload checks ---------------------------------------------------------------------------------------------------


def _upload(world, data: bytes, name: str = "marks.csv") -> ImportRun:
    return import_run_upload(by=world.user("headteacher"), kind=ATTENDANCE_MARKS,
                             target=Target(local_authority=world.la, school=world.school_a), mis="SIMS",
                             upload=SimpleUploadedFile(name, data))


def test_an_upload_is_kept_with_its_hash_and_columns(world):
    data = marks_csv(world, header="Pupil UPN,Date,Session,Mark")
    run = _upload(world, data)
    import hashlib

    assert (run.status, run.size, run.sha256, run.file_type) == ("draft", len(data), hashlib.sha256(data).hexdigest(), "csv")
    assert run.columns == ["Pupil UPN", "Date", "Session", "Mark"]
    assert run.mapping == {"upn": "Pupil UPN", "date": "Date", "session": "Session", "code": "Mark"}
    assert run.file.name.startswith("imports/") and run.file.read() == data


def test_a_file_over_the_limit_is_refused(world, settings):
    settings.CYMUNED_IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(UploadRefused) as refused:
        _upload(world, b"UPN,Date\r\n" + b"x" * (1024 * 1024))
    assert refused.value.code == "too_large" and "1 MB" in refused.value.message
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("name, data, code", [
    ("marks.csv", b"", "empty_file"),
    ("marks.csv", b"%PDF-1.7\n...", "not_text"),
    ("marks.xlsx", b"UPN,Date\r\n", "fake_xlsx"),
    ("marks.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    ("marks.csv", b",,,\r\n1,2,3,4\r\n", "no_header"),
])
def test_bad_uploads_are_refused_and_nothing_kept(world, name, data, code):
    with pytest.raises(UploadRefused) as refused:
        _upload(world, data, name)
    assert refused.value.code == code
    assert not ImportRun.objects.exists()


def test_a_saved_template_is_offered_for_the_same_school_system_and_kind(world):
    MappingTemplate.objects.create(school=world.school_a, mis="Arbor", kind="attendance_marks", name="Weekly",
                                   mapping={"upn": "pupil ref", "date": "Date", "session": "Session", "code": "Mark"})
    run = import_run_upload(by=world.user("headteacher"), kind=ATTENDANCE_MARKS, mis="arbor",
                            target=Target(local_authority=world.la, school=world.school_a),
                            upload=SimpleUploadedFile("m.csv", marks_csv(world)))
    assert run.mapping["upn"] == "Pupil Ref"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], phases=[Phase.explicit, Phase.generate])
@given(data=st.one_of(st.binary(min_size=1, max_size=1500), st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b)),
       name=st.sampled_from(["a.csv", "a.xlsx", "a.tsv", "a.txt"]))
def test_random_uploads_never_give_a_server_error(world, client_for, data, name):
    client = client_for("headteacher")
    response = upload(client, world, data, name=name)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert b"govuk-error-summary" in response.content


# --- Pages -----------------------------------------------------------------------------------------------------------


def test_the_whole_journey_with_a_renamed_column(world, client_for, django_capture_on_commit_callbacks):
    client = client_for("headteacher")
    assert client.get(reverse("outcomes:import-new")).status_code == 200
    response = upload(client, world, marks_csv(world))
    run = ImportRun.objects.get()
    assert response.url == reverse("outcomes:import-mapping", args=[run.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and b"Pupil Ref" in page.content and world.learner_a.upn.encode() in page.content
    # "Pupil Ref" is not an alias of the UPN: nothing is chosen for it, so the page asks.
    refused = client.post(response.url, mapping_post(run))
    assert refused.status_code == 400 and b"Choose the column that holds the UPN" in refused.content
    saved = client.post(response.url, mapping_post(run, upn="Pupil Ref") | {"template_name": "Weekly export"})
    assert saved.url == reverse("outcomes:import-preview", args=[run.pk])
    assert MappingTemplate.objects.get(school=world.school_a, mis="SIMS", kind="attendance_marks").mapping["upn"] == "Pupil Ref"
    preview = client.get(saved.url)
    assert preview.status_code == 200 and b"cymuned-cell-problem" not in preview.content
    assert preview.content.count(world.learner_a.upn.encode()) == 10
    assert not AttendanceYear.objects.exists()  # the preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(saved.url)
    assert started.url == reverse("outcomes:import-detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.progress == 1.0 and run.summary["fields"]["marks"] == 10
    assert AttendanceYear.objects.filter(learner=world.learner_a).exists()
    detail = client.get(started.url)
    assert b"Import complete" in detail.content and reverse("outcomes:dashboard").encode() in detail.content
    assert Notification.objects.filter(user=world.user("headteacher"), url=started.url).exists()
    # A started run is not set up again.
    assert client.get(reverse("outcomes:import-mapping", args=[run.pk])).url == started.url
    listing = client.get(reverse("outcomes:import-list"))
    assert b"marks.csv" in listing.content and b"Imported" in listing.content


def test_behaviour_incidents_go_through_the_same_journey(world, client_for, django_capture_on_commit_callbacks):
    from cymuned.outcomes.models import BehaviourIncident, OutcomeAggregate

    client = client_for("headteacher")
    day = MONDAY.strftime("%d/%m/%Y")
    data = f"Pupil Ref,Incident date,Incident,Level\r\n{world.learner_a.upn},{day},Disruption in class,2\r\n".encode()
    response = client.post(reverse("outcomes:import-new"), {
        "kind": "behaviour", "target": f"school:{world.school_a.pk}", "mis": "Arbor",
        "file": SimpleUploadedFile("incidents.csv", data)})
    run = ImportRun.objects.get()
    assert response.url == reverse("outcomes:import-mapping", args=[run.pk])
    fields = {"upn": "Pupil Ref", "occurred_on": "Incident date", "incident_type": "Incident", "severity": "Level",
              "reference": "", "academic_year": ""}
    preview = client.post(response.url, {f"field_{name}": column for name, column in fields.items()})
    assert preview.url == reverse("outcomes:import-preview", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview.url)
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    assert list(BehaviourIncident.objects.values_list("learner", "incident_type", "severity")) == [
        (world.learner_a.pk, "Disruption in class", 2)]
    assert OutcomeAggregate.objects.filter(school=world.school_a, period_kind="Y", dimension="all", incidents=1).exists()


def test_the_preview_marks_the_problems_of_the_first_rows(world, client_for):
    client = client_for("headteacher")
    rows = week_rows(world.learner_a.upn, ["/", "\\"]) + [("NOT-A-UPN", MONDAY, "AM", "/"), (world.learner_a.upn, MONDAY, "XX", "/")]
    run = add_import_run(world, content=csv_of(rows, header="Pupil UPN,Date,Session,Mark"))
    page = client.get(reverse("outcomes:import-preview", args=[run.pk]))
    assert page.status_code == 200
    assert page.content.count(b"cymuned-cell-problem") == 2 and b"is not a UPN" in page.content


def test_a_file_with_problems_gives_a_report_and_a_csv_of_them_in_the_readers_language(world, client_for,
                                                                                      django_capture_on_commit_callbacks):
    rows = week_rows(world.learner_a.upn, ["/", "\\"]) + [("NOT-A-UPN", MONDAY, "AM", "/"), (world.learner_a.upn, MONDAY, "XX", "/")]
    run = add_import_run(world, content=csv_of(rows, header="Pupil UPN,Date,Session,Mark"))
    client = client_for("headteacher")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outcomes:import-preview", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.error_count) == (ImportStatus.REFUSED, 2)
    assert run.errors[0] == {"row": 4, "column": "Pupil UPN", "value": "NOT-A-UPN", "code": "bad_upn",
                             "message": run.errors[0]["message"]}
    assert run.errors[1]["value"] == "XX" and run.errors[1]["column"] == "Session"
    assert not AttendanceYear.objects.exists()
    detail = client.get(reverse("outcomes:import-detail", args=[run.pk]))
    assert b"NOT-A-UPN" in detail.content and b"Validation report" in detail.content
    download = client.get(reverse("outcomes:import-errors-csv", args=[run.pk]))
    assert download["Content-Type"].startswith("text/csv") and "NOT-A-UPN" in download.content.decode("utf-8-sig")
    # Read in Welsh, the messages are the kind's Welsh meaning of each code, not the English they were stored in.
    colleague = client_for("school_staff")
    welsh = colleague.get(f"/cy/outcomes/imports/{run.pk}/").content.decode()
    with translation.override("cy"):
        expected = str(ATTENDANCE_MARKS.messages["bad_upn"])
    assert escape(expected) in welsh and "“NOT-A-UPN” is not a UPN" not in welsh


def test_an_xlsx_file_is_imported_through_the_same_journey(world, client_for, django_capture_on_commit_callbacks):
    client = client_for("school_staff")
    rows = [["UPN", "Date", "AM/PM", "Code"]] + [[upn, day, session, code] for upn, day, session, code in
                                                 week_rows(world.learner_a.upn, ["/", "\\"] * 2)]
    response = upload(client, world, xlsx_of(rows), name="marks.xlsx")
    run = ImportRun.objects.get()
    assert run.file_type == "xlsx" and run.mapping == {"upn": "UPN", "date": "Date", "session": "AM/PM", "code": "Code"}
    assert client.get(response.url).status_code == 200
    assert client.get(reverse("outcomes:import-preview", args=[run.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outcomes:import-preview", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    assert run.summary["fields"]["marks"] == 4


def test_a_refused_upload_shows_the_reason_on_the_form(world, client_for):
    response = upload(client_for("headteacher"), world, b"%PDF-1.4", name="marks.csv")
    assert response.status_code == 400 and b"is not a CSV file" in response.content
    welsh = client_for("headteacher").post("/cy/outcomes/imports/new/", {
        "kind": "attendance_marks", "target": f"school:{world.school_a.pk}", "file": SimpleUploadedFile("a.xls", b"x")})
    assert welsh.status_code == 400 and "Excel" in welsh.content.decode()


def test_a_school_the_user_does_not_import_for_is_not_a_choice(world, client_for):
    response = upload(client_for("headteacher"), world, marks_csv(world), target=f"school:{world.school_c.pk}")
    assert response.status_code == 400 and not ImportRun.objects.exists()


def test_an_la_lead_may_import_an_la_wide_file(world, client_for):
    client = client_for("la_lead")
    page = client.get(reverse("outcomes:import-new"))
    assert f"la:{world.la.pk}".encode() in page.content
    response = upload(client, world, marks_csv(world, header="UPN,Date,Session,Code"), target=f"la:{world.la.pk}")
    run = ImportRun.objects.get()
    assert run.school is None and run.local_authority == world.la and response.status_code == 302
    assert client.get(reverse("outcomes:import-detail", args=[run.pk])).status_code == 200
    assert client_for("headteacher").get(reverse("outcomes:import-detail", args=[run.pk])).status_code == 404
    assert client_for("lead_other_la").get(reverse("outcomes:import-detail", args=[run.pk])).status_code == 404


@pytest.mark.parametrize("name", ["head_other_cluster", "staff_other_la", "feo", "governor", "la_lead"])
@pytest.mark.parametrize("url_name", ["import-detail", "import-mapping", "import-preview", "import-progress", "import-errors-csv"])
def test_other_users_get_404_for_a_schools_import(world, client_for, name, url_name):
    run = add_import_run(world)
    response = client_for(name).get(reverse(f"outcomes:{url_name}", args=[run.pk]))
    assert response.status_code in (403, 404)


def test_another_schools_user_cannot_start_its_import(world, client_for):
    run = add_import_run(world)
    response = client_for("head_other_cluster").post(reverse("outcomes:import-preview", args=[run.pk]))
    assert response.status_code == 404
    run.refresh_from_db()
    assert run.status == ImportStatus.DRAFT


@pytest.mark.parametrize("url_name", ["import-list", "import-new"])
def test_the_anonymous_are_sent_to_sign_in(client, url_name):
    response = client.get(reverse(f"outcomes:{url_name}"))
    assert response.status_code == 302 and "sign-in" in response.url


def test_users_without_an_importing_role_are_refused(world, client_for):
    for name in ("feo", "governor", "partner_worker", "public"):
        assert client_for(name).get(reverse("outcomes:import-list")).status_code == 403
        assert client_for(name).get(reverse("outcomes:import-new")).status_code == 403


def test_the_list_costs_the_same_queries_for_many_runs(world, client_for, django_assert_max_num_queries):
    client = client_for("headteacher")
    add_import_run(world)
    client.get(reverse("outcomes:import-list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("outcomes:import-list"))
    for number in range(15):
        add_import_run(world, name=f"m{number}.csv", created_by=world.user("school_staff"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("outcomes:import-list"))
    assert response.content.count(b'<strong class="govuk-tag') == 16


# --- The background run ----------------------------------------------------------------------------------------------


def test_the_progress_page_polls_until_the_run_has_finished(world, client_for):
    run = add_import_run(world, status=ImportStatus.RUNNING, progress=0.42, stage="checking")
    client = client_for("headteacher")
    detail = client.get(reverse("outcomes:import-detail", args=[run.pk])).content.decode()
    assert 'value="42"' in detail and 'hx-trigger="every 1s"' in detail and 'role="status"' in detail
    polled = client.get(reverse("outcomes:import-progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in polled and b'hx-swap-oob="true"' in polled.content and b"Checking every row" in polled.content
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.SUCCEEDED, progress=1.0, stage="done")
    finished = client.get(reverse("outcomes:import-progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"
    assert b"hx-trigger" not in client.get(reverse("outcomes:import-detail", args=[run.pk])).content


def test_progress_is_written_at_most_every_half_second_and_at_each_stage(world, monkeypatch):
    run = add_import_run(world, status=ImportStatus.RUNNING)
    clock = [100.0]
    monkeypatch.setattr(import_runs.time, "monotonic", lambda: clock[0])
    writer = ProgressWriter(run)
    writer(0.1, "reading")
    writer(0.2, "reading")  # too soon, same stage: skipped
    clock[0] += 0.6
    writer(0.25, "reading")
    writer(0.3, "checking")  # a new stage: written at once
    assert writer.writes == 3
    run.refresh_from_db()
    assert (run.progress, run.stage) == (0.3, "checking")
    writer.span(0.2, 1.0)
    clock[0] += 1
    writer(0.5, "storing")
    writer.close()
    run.refresh_from_db()
    assert run.progress == pytest.approx(0.6)


def test_the_task_runs_a_queued_import_once_and_notifies_in_the_users_language(world):
    from cymuned.outcomes.tasks import import_run_execute_task

    head = world.user("headteacher")
    head.preferred_language = "cy"
    head.save()
    run = add_import_run(world, content=marks_csv(world, header="Pupil UPN,Date,Session,Mark"), status=ImportStatus.QUEUED,
                         language="cy")
    stages = []
    real_write = ProgressWriter.write
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ProgressWriter, "write", lambda self, value, stage: (stages.append(stage), real_write(self, value, stage)))
        result = import_run_execute_task.enqueue(run_id=run.pk)
    assert result.return_value == ImportStatus.SUCCEEDED
    assert stages[0] == "starting" and "checking" in stages and "storing" in stages
    run.refresh_from_db()
    assert run.started_on and run.finished_on and run.status == ImportStatus.SUCCEEDED
    notification = Notification.objects.get(user=head)
    with translation.override("cy"):
        expected = _("Your import of %(kind)s from %(file)s is finished.") % {"kind": ATTENDANCE_MARKS.label, "file": "marks.csv"}
    assert notification.message == expected and notification.url == f"/cy/outcomes/imports/{run.pk}/"
    assert import_run_execute_task.enqueue(run_id=run.pk).return_value == ImportStatus.SUCCEEDED  # not run again
    assert Notification.objects.filter(user=head).count() == 1


def test_an_unexpected_error_marks_the_run_failed(world, monkeypatch):
    run = add_import_run(world, status=ImportStatus.QUEUED)

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(kinds._KINDS, "attendance_marks",
                        ImportKind(key="attendance_marks", label="x", fields=ATTENDANCE_MARKS.fields, run=broken))
    with pytest.raises(RuntimeError):
        import_runs.import_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.finished_on
    assert Notification.objects.filter(user=world.user("headteacher"), message__contains="stopped").exists()


def test_another_sheet_of_a_workbook_can_be_chosen(world, client_for):
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["Exported by SIMS"])
    marks = book.create_sheet("Marks")
    marks.append(["UPN", "Date", "Session", "Code"])
    marks.append([world.learner_a.upn, MONDAY, "AM", "/"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for("headteacher")
    response = upload(client, world, buffer.getvalue(), name="export.xlsx")
    run = ImportRun.objects.get()
    assert (run.sheet, run.columns) == ("Notes", ["Exported by SIMS"])
    page = client.get(response.url)
    assert b'name="sheet"' in page.content
    client.post(response.url, {"sheet": "Marks"})
    run.refresh_from_db()
    assert (run.sheet, run.columns) == ("Marks", ["UPN", "Date", "Session", "Code"])
    assert run.mapping == {"upn": "UPN", "date": "Date", "session": "Session", "code": "Code"}
    preview = client.get(reverse("outcomes:import-preview", args=[run.pk]))
    assert world.learner_a.upn.encode() in preview.content
