"""A headteacher imports a small attendance file with a renamed column: upload, match the columns, check the first
rows, start, watch the progress bar reach the end and read the result; axe-core on every page."""

from __future__ import annotations

import pytest

from cymuned.outcomes import import_runs
from cymuned.outcomes.models import AttendanceYear, ImportRun, ImportStatus

from ..test_attendance_import import csv_of, week_rows
from .test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_headteacher_imports_attendance_marks_and_watches_the_progress(world, visitor, monkeypatch):
    # The run waits in the queue, as it does for the database worker, so the page can be seen following it.
    monkeypatch.setattr(import_runs, "dispatch", lambda run_id: None)
    page = visitor.page
    sign_in(visitor, world.user("headteacher"))
    visitor.goto("/en-gb/outcomes/imports/")
    page.click("main a[href$='/outcomes/imports/new/']")
    visitor.check()
    data = csv_of(week_rows(world.learner_a.upn, ["/", "\\"] * 5), header="Pupil Ref,Date,Session,Mark")
    page.check("input[name=kind][value=attendance_marks]")
    page.fill("#id_mis", "Arbor")
    page.set_input_files("#id_file", files=[{"name": "attendance.csv", "mimeType": "text/csv", "buffer": data}])
    page.click("main form button[type=submit]")
    page.wait_for_url("**/mapping/")
    visitor.check()
    assert world.learner_a.upn in page.content()  # a sample value of the column
    visitor.expected_errors.append("400 (Bad Request)")  # a form with errors answers 400
    page.click("main form button[type=submit]")  # the renamed UPN column is not chosen yet
    page.wait_for_selector(".govuk-error-summary")
    visitor.check()
    page.select_option("#id_field_upn", "Pupil Ref")
    page.fill("#id_template_name", "Arbor weekly")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/preview/")
    visitor.check()
    assert page.locator("table tbody tr").count() == 10 and page.locator(".cymuned-cell-problem").count() == 0
    page.click("main form button[type=submit]")
    page.wait_for_selector("progress#import-progress-bar")
    visitor.check()
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED and page.get_attribute("progress#import-progress-bar", "value") == "0"
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, progress=0.5, stage="checking")
    page.wait_for_selector("progress#import-progress-bar[value='50']")
    assert "Checking every row" in page.inner_text("#import-progress-status")
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.QUEUED, progress=0.0, stage="queued")
    import_runs.import_run_execute(run_id=run.pk)  # what the worker does
    page.wait_for_selector(".govuk-panel--confirmation")  # the page reloads itself when the run has finished
    visitor.check()
    assert page.get_attribute("main progress", "value") == "100"
    assert "10" in page.inner_text("main .govuk-summary-list:last-of-type")
    assert AttendanceYear.objects.filter(learner=world.learner_a).exists()
    page.click("main a[href$='/outcomes/dashboard/']")  # the result leads to the dashboard of what was imported
    page.wait_for_selector("main table")
    visitor.check()
