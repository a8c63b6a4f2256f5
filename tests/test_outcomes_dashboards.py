"""The outcome dashboards: figures, small-number suppression, scoping, drill-down, exports and query counts."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cymuned.audit.models import ExportRecord
from cymuned.outcomes import aggregates, dashboards
from cymuned.outcomes.marks import EMPTY_YEAR

from .factories import LearnerFactory

YEAR = aggregates.current_academic_year()


def _year(learner, *, attended: int, missed: int) -> None:
    from cymuned.outcomes.models import AttendanceYear

    codes = "/" * attended + "N" * missed
    AttendanceYear.from_codes(learner_id=learner.pk, school_id=learner.school_id, academic_year=YEAR,
                              codes=codes + EMPTY_YEAR[len(codes):]).save()


@pytest.fixture
def cohort(world):
    """School A: 4 eFSM learners (two persistent absentees), 5 others (one); school C: 6 others."""
    for n in range(4):
        _year(LearnerFactory(school=world.school_a, efsm=True, given_name=f"Efa{n}"), attended=8, missed=2 if n < 2 else 0)
    for n in range(5):
        _year(LearnerFactory(school=world.school_a, efsm=False, given_name=f"Owen{n}"), attended=9, missed=1 if n == 0 else 0)
    for _n in range(6):
        _year(LearnerFactory(school=world.school_c, efsm=False), attended=10, missed=0)
    aggregates.refresh_outcome_aggregates(school_ids=None, academic_years=[YEAR])
    return world


def _area(user, kind, pk=None):
    return next(a for a in dashboards.areas_for(user=user) if a.kind == kind and (pk is None or a.pk == pk))


def test_school_view_shows_every_figure_to_its_staff(cohort):
    head = cohort.users["headteacher"]
    board = dashboards.dashboard(user=head, page="attendance", area=_area(head, "school", cohort.school_a.pk), year=YEAR)
    attendance, _authorised, _unauthorised, persistent = board.summary
    assert not board.suppressed
    assert (attendance.efsm.value, attendance.other.value) == (Decimal("88.9"), Decimal("97.8"))  # 32/36, 45/46
    assert persistent.efsm.value == 50 and persistent.other.value == 20 and persistent.gap.value == 30


def test_la_view_suppresses_fewer_than_five_learners_and_the_gap(cohort):
    lead = cohort.users["la_lead"]
    board = dashboards.dashboard(user=lead, page="attendance", area=_area(lead, "la"), year=YEAR)
    assert board.summary[0].efsm.suppressed  # 4 eFSM learners in the LA
    assert board.summary[0].other.value is not None and not board.summary[0].other.suppressed  # 11 others
    assert board.summary[0].gap.suppressed
    by_school = {str(line.label): line for line in board.breakdown}
    assert by_school["Alpha School"].other.shown  # exactly 5: shown
    assert by_school["Alpha School"].efsm.suppressed and by_school["Alpha School"].gap.suppressed
    assert None in json.loads(board.breakdown_chart)["datasets"][0]["data"]  # left out of the chart


def test_the_threshold_is_a_setting(cohort, settings):
    settings.CYMUNED_SUPPRESSION_THRESHOLD = 3
    lead = cohort.users["la_lead"]
    board = dashboards.dashboard(user=lead, page="attendance", area=_area(lead, "la"), year=YEAR)
    assert board.summary[0].efsm.shown and board.summary[0].gap.shown


def test_page_states_the_rule_and_marks_suppressed_figures(cohort, client_for):
    response = client_for("la_lead").get(reverse("outcomes:dashboard-attendance"), {"area": f"la-{cohort.la.pk}"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "fewer than 5" in body and "so that no learner can be identified" in body


def test_another_schools_headteacher_sees_nothing_of_this_school(cohort, client_for):
    other = cohort.users["head_other_cluster"]
    assert {a.pk for a in dashboards.areas_for(user=other)} == {cohort.school_c.pk}
    response = client_for("head_other_cluster").get(reverse("outcomes:dashboard-attendance"),
                                                    {"area": f"school-{cohort.school_a.pk}"})
    assert response.status_code == 200
    assert "Alpha School" not in response.content.decode()
    response = client_for("head_other_cluster").get(reverse("outcomes:dashboard-learners"),
                                                    {"school": cohort.school_a.pk, "year": YEAR, "measure": "persistent"})
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["partner_worker", "partner_other"])
def test_partners_are_refused(cohort, client_for, name):
    assert client_for(name).get(reverse("outcomes:dashboard-attendance")).status_code == 403
    assert client_for(name).get(reverse("outcomes:dashboard-attendance-xlsx")).status_code == 403


def test_governor_sees_figures_suppressed_and_no_drill_down(cohort, client_for):
    governor = cohort.users["governor"]
    area = _area(governor, "school", cohort.school_a.pk)
    assert area.suppressed
    response = client_for("governor").get(reverse("outcomes:dashboard-attendance"))
    assert response.status_code == 200 and reverse("outcomes:dashboard-learners") not in response.content.decode()
    assert client_for("governor").get(reverse("outcomes:dashboard-learners")).status_code == 403


def test_la_roles_get_no_drill_down(cohort, client_for):
    assert client_for("la_lead").get(reverse("outcomes:dashboard-learners"), {"school": cohort.school_a.pk}).status_code == 403


def test_drill_down_lists_the_learners_and_is_audited(cohort, client_for):
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    response = client_for("headteacher").get(reverse("outcomes:dashboard-learners"), {
        "school": cohort.school_a.pk, "year": YEAR, "efsm": "1", "measure": "persistent"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Efa0" in body and "Efa1" in body and "Efa2" not in body and "Owen0" not in body
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 2
    page = client_for("headteacher").get(reverse("outcomes:dashboard-attendance"), {"area": f"school-{cohort.school_a.pk}"})
    assert reverse("outcomes:dashboard-learners") in page.content.decode()


def test_xlsx_export_is_suppressed_and_logged(cohort, client_for):
    response = client_for("headteacher").get(reverse("outcomes:dashboard-attendance-xlsx"),
                                             {"area": f"school-{cohort.school_a.pk}"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert "fewer than 5" in values  # the school's own 4 eFSM learners: suppressed in every export
    assert ExportRecord.objects.filter(kind="outcomes_dashboard_attendance_xlsx").count() == 1


def _pdf_outline(content: bytes) -> list[str]:
    """The titles of a PDF's outline entries (bookmarks), decoded from the file's literal or hex strings."""
    titles = []
    for literal, hexed in re.findall(rb"/Title\s*(?:\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f]*)>)", content):
        if hexed:
            raw = bytes.fromhex(hexed.decode())
        else:
            raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit()
                         else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m[1], m[1]), literal)
        titles.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1"))
    return titles


def test_pdf_export_has_both_languages(cohort, client_for):
    response = client_for("la_lead").get(reverse("outcomes:dashboard-attendance-pdf"), {"area": f"la-{cohort.la.pk}"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    outline = _pdf_outline(response.content)  # the bookmarks: each language's title and table headings
    with translation.override("cy"):
        welsh_page, welsh_unit = str(dashboards.PAGES["attendance"]), f"{dashboards.MEASURES['attendance'][0].label} (%)"
        welsh_by_year = _("By year: %(measure)s") % {"measure": welsh_unit}
    assert welsh_page == "Presenoldeb"
    assert any(title.startswith("Attendance: Merthyr Tydfil") for title in outline), outline
    assert any(title.startswith("Presenoldeb: ") for title in outline), outline
    assert "By year: Attendance (%)" in outline and welsh_by_year in outline, outline
    assert ExportRecord.objects.filter(kind="outcomes_dashboard_attendance_pdf").exists()


def test_wales_view_for_la_roles_only(cohort):
    assert any(a.kind == "wales" for a in dashboards.areas_for(user=cohort.users["la_lead"]))
    assert not any(a.kind == "wales" for a in dashboards.areas_for(user=cohort.users["headteacher"]))
    board = dashboards.dashboard(user=cohort.users["la_lead"], page="attendance", area=_area(cohort.users["la_lead"], "wales"),
                                 year=YEAR)
    assert board.suppressed and board.learners.all.value == 15
    # The policy, not the page, decides who reads the all-Wales figures: asked by a headteacher, they are empty.
    wales = dashboards.Area("wales", None, "Wales", True)
    assert not dashboards._rows(cohort.users["headteacher"], wales).exists()
    assert dashboards._rows(cohort.users["la_lead"], wales).exists()


def test_dashboard_queries_do_not_grow_with_learners(cohort, client_for, django_assert_max_num_queries):
    client = client_for("la_lead")
    url = reverse("outcomes:dashboard-attendance")
    client.get(url)
    with django_assert_max_num_queries(20) as first:
        client.get(url, {"area": f"la-{cohort.la.pk}"})
    for _n in range(20):
        _year(LearnerFactory(school=cohort.school_b, efsm=True), attended=5, missed=5)
    aggregates.refresh_outcome_aggregates(school_ids=[cohort.school_b.pk], academic_years=[YEAR])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, {"area": f"la-{cohort.la.pk}"})
