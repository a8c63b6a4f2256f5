"""Importers of learners, behaviour incidents, exclusions and results: all or nothing, re-importing changes nothing,
a corrected file replaces the earlier one, LA-wide files only for the LA, and malformed files of every kind give a
clear error or a correct import, never an exception or a partial import."""

from __future__ import annotations

import codecs
import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cymuned.accounts.models import User
from cymuned.accounts.roles import Role
from cymuned.audit.models import RowChange
from cymuned.families.models import Learner
from cymuned.organisations.models import LocalAuthority, School
from cymuned.outcomes import importing, record_imports, record_services
from cymuned.outcomes.marks import academic_year_of
from cymuned.outcomes.models import AssessmentResult, BehaviourIncident, Exclusion, RecordsImport
from cymuned.outcomes.record_imports import (
    KIND_DEFINITIONS,
    behaviour_import,
    exclusions_import,
    learners_import,
    results_import,
)

from .factories import ClusterFactory, LearnerFactory, LocalAuthorityFactory, MembershipFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = academic_year_of(timezone.localdate()) - 1  # last academic year: every day of it is in the past
OCT = datetime.date(YEAR, 10, 6)
BEHAVIOUR_HEADER = "UPN,Date,Incident type,Severity"


@dataclass
class Place:
    la: LocalAuthority
    school_a: School
    school_b: School
    school_other_la: School
    ann: Learner
    ben: Learner
    cai: Learner  # school B
    dee: Learner  # another LA
    la_lead: User
    headteacher: User


@pytest.fixture
def place(db) -> Place:
    la = LocalAuthorityFactory(code="676")
    cluster = ClusterFactory(local_authority=la)
    school_a, school_b = SchoolFactory(cluster=cluster), SchoolFactory(cluster=cluster)
    school_other_la = SchoolFactory(cluster=ClusterFactory(local_authority=LocalAuthorityFactory(code="677")))
    la_lead, headteacher = UserFactory(email="lead@example.org"), UserFactory(email="head@example.org")
    MembershipFactory(user=la_lead, organisation=la, role=Role.LA_LEAD)
    MembershipFactory(user=headteacher, organisation=school_a, role=Role.HEADTEACHER)
    return Place(
        la=la, school_a=school_a, school_b=school_b, school_other_la=school_other_la,
        ann=LearnerFactory(school=school_a, upn="A12345678901B", given_name="Ann"),
        ben=LearnerFactory(school=school_a, upn="A12345678902C", given_name="Ben", efsm=True),
        cai=LearnerFactory(school=school_b, upn="A12345678903D", given_name="Cai"),
        dee=LearnerFactory(school=school_other_la, upn="A12345678904E", given_name="Dee"),
        la_lead=la_lead, headteacher=headteacher,
    )


@pytest.fixture(params=["postgresql", "orm"])
def path(request, monkeypatch):
    """Tests so marked run on the PostgreSQL path and on the ORM path SQLite (the demo) takes."""
    if request.param == "orm":
        for module in (importing, record_imports, record_services):
            monkeypatch.setattr(module, "connection", SimpleNamespace(vendor="sqlite"))
    return request.param


def csv(lines: list[str], *, sep: str = ",", encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(line.replace(",", sep) for line in lines) + "\r\n"
    return text.encode(encoding)


def day(offset: int) -> str:
    return (OCT + datetime.timedelta(days=offset)).strftime("%d/%m/%Y")


def audit_count() -> int:
    return RowChange.objects.count() if connection.vendor == "postgresql" else 0


# --- Behaviour incidents ---------------------------------------------------------------------------------------------


def test_behaviour_happy_path(place):
    data = csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{day(0)},Disruption in class,1", f"{place.ben.upn},{day(1)},Defiance,High",
                f"{place.ann.upn.lower()},{(OCT + datetime.timedelta(days=2)).isoformat()},Bullying,4"])
    result = behaviour_import(source=data, school=place.school_a, by=place.headteacher)
    assert result.ok, result.errors
    incidents = list(BehaviourIncident.objects.order_by("occurred_on").values_list(
        "learner__upn", "school_id", "occurred_on", "academic_year", "incident_type", "severity", "created_by"))
    assert incidents == [
        (place.ann.upn, place.school_a.pk, OCT, YEAR, "Disruption in class", 1, place.headteacher.pk),
        (place.ben.upn, place.school_a.pk, OCT + datetime.timedelta(days=1), YEAR, "Defiance", 3, place.headteacher.pk),
        (place.ann.upn, place.school_a.pk, OCT + datetime.timedelta(days=2), YEAR, "Bullying", 4, place.headteacher.pk),
    ]
    record = result.record
    assert (record.kind, record.rows, record.added, record.changed, record.removed, record.school) == (
        "behaviour", 3, 3, 0, 0, place.school_a)
    assert (record.period_start, record.period_end) == (OCT, OCT + datetime.timedelta(days=2))
    assert len(record.sha256) == 64
    if connection.vendor == "postgresql":
        change = RowChange.objects.filter(table_name="outcomes_behaviourincident").latest("changed_on")
        assert (change.operation, change.row_count, change.actor) == ("INSERT", 3, place.headteacher)


def test_an_import_recounts_the_dashboards_figures(place, path):
    from django.db.models import Sum

    from cymuned.outcomes.models import OutcomeAggregate

    def year_incidents(efsm: bool) -> int | None:
        return OutcomeAggregate.objects.filter(school=place.school_a, academic_year=YEAR, period_kind="Y", dimension="all",
                                               efsm=efsm).aggregate(n=Sum("incidents"))["n"]

    data = csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{day(0)},Disruption in class,1", f"{place.ben.upn},{day(1)},Defiance,High",
                f"{place.ben.upn},{day(2)},Bullying,4"])
    assert behaviour_import(source=data, school=place.school_a, by=place.headteacher).ok
    assert (year_incidents(efsm=False), year_incidents(efsm=True)) == (1, 2)
    # A learners file says Ann is now eligible for free school meals: her incident moves to the eFSM figures.
    roll = csv([LEARNER_HEADER, f"{place.ann.upn},Ann,Jones,14/03/2015,Y4,F,Y,No,0,",
                f"{place.ben.upn},Ben,Evans,14/04/2015,Y4,M,Y,No,0,"])
    result = learners_import(source=roll, school=place.school_a, by=place.headteacher)
    assert result.ok, result.errors
    assert (year_incidents(efsm=False), year_incidents(efsm=True)) == (None, 3)


def test_importing_the_same_file_again_writes_nothing(place):
    data = csv([BEHAVIOUR_HEADER + ",Reference", f"{place.ann.upn},{day(0)},Defiance,2,R1", f"{place.ben.upn},{day(3)},Defiance,2,"])
    assert behaviour_import(source=data, school=place.school_a).ok
    before = (audit_count(), list(BehaviourIncident.objects.values_list("pk", "modified_on")))
    again = behaviour_import(source=data, school=place.school_a)
    assert again.ok
    assert (again.record.added, again.record.changed, again.record.removed) == (0, 0, 0)
    assert (audit_count(), list(BehaviourIncident.objects.values_list("pk", "modified_on"))) == before
    assert RecordsImport.objects.count() == 2


def test_a_corrected_file_replaces_the_earlier_one_in_its_period(place, path):
    first = csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{day(0)},Defiance,2", f"{place.ben.upn},{day(1)},Defiance,1",
                 f"{place.ann.upn},{day(7)},Bullying,3"])
    assert behaviour_import(source=first, school=place.school_a).ok
    outside = BehaviourIncident.objects.create(learner=place.ann, school=place.school_a, occurred_on=OCT + datetime.timedelta(days=30),
                                               academic_year=YEAR, incident_type="Kept: after the period", severity=1)
    other_school = BehaviourIncident.objects.create(learner=place.cai, school=place.school_b, occurred_on=OCT + datetime.timedelta(days=1),
                                                    academic_year=YEAR, incident_type="Kept: another school", severity=1)
    kept = BehaviourIncident.objects.get(learner=place.ann, occurred_on=OCT)
    corrected = csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{day(0)},Defiance,3", f"{place.ann.upn},{day(7)},Bullying,3",
                     f"{place.ben.upn},{day(4)},Damage to property,2"])
    result = behaviour_import(source=corrected, school=place.school_a)
    assert result.ok, result.errors
    assert (result.record.added, result.record.changed, result.record.removed) == (1, 1, 1)
    rows = set(BehaviourIncident.objects.values_list("learner_id", "occurred_on", "incident_type", "severity"))
    assert rows == {
        (place.ann.pk, OCT, "Defiance", 3), (place.ann.pk, OCT + datetime.timedelta(days=7), "Bullying", 3),
        (place.ben.pk, OCT + datetime.timedelta(days=4), "Damage to property", 2),
        (place.ann.pk, outside.occurred_on, outside.incident_type, 1), (place.cai.pk, other_school.occurred_on, other_school.incident_type, 1),
    }
    assert BehaviourIncident.objects.get(pk=kept.pk).severity == 3  # changed in place, not deleted and added


def test_one_bad_row_and_nothing_is_written(place):
    data = csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{day(0)},Defiance,2", f"{place.ben.upn},{day(1)},Defiance,9"])
    result = behaviour_import(source=data, school=place.school_a)
    assert not result.ok and result.record is None
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "Severity", "bad_severity")]
    assert "9" in result.errors[0].message
    assert not BehaviourIncident.objects.exists() and not RecordsImport.objects.exists()


@pytest.mark.parametrize(("cells", "column", "code"), [
    ("{unknown},{d0},Defiance,1", "UPN", "unknown_learner"),
    ("B123,{d0},Defiance,1", "UPN", "bad_upn"),
    (",{d0},Defiance,1", "UPN", "missing_value"),
    ("{cai},{d0},Defiance,1", "UPN", "other_school"),
    ("{ann},31/02/2024,Defiance,1", "Date", "bad_date"),
    ("{ann},{future},Defiance,1", "Date", "future_date"),
    ("{ann},01/01/1999,Defiance,1", "Date", "too_early"),
    ("{ann},{d0},=HYPERLINK(\"http://x\"),1", "Incident type", "formula"),
    ("{ann},{d0},{long},1", "Incident type", "too_long"),
    ("{ann},{d0},,1", "Incident type", "missing_value"),
    ("{ann},{d0},Defiance,0", "Severity", "bad_severity"),
    ("{ann},{d0},Defiance,", "Severity", "missing_value"),
])
def test_each_behaviour_error(place, cells, column, code):
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    row = cells.format(unknown="Z99999999999Z", d0=day(0), cai=place.cai.upn, ann=place.ann.upn, future=future, long="x" * 101)
    result = behaviour_import(source=csv([BEHAVIOUR_HEADER, row]), school=place.school_a)
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, column, code)]
    assert result.errors[0].message
    assert not BehaviourIncident.objects.exists()


def test_duplicate_rows_and_dates_outside_the_academic_year(place):
    data = csv([BEHAVIOUR_HEADER + ",Academic year", f"{place.ann.upn},{day(0)},Defiance,1,{YEAR}/{(YEAR + 1) % 100:02d}",
                f"{place.ann.upn},{day(0)},Defiance,2,{YEAR}", f"{place.ben.upn},{day(0)},Defiance,2,{YEAR - 1}/{YEAR % 100:02d}",
                f"{place.ben.upn},{day(1)},Defiance,2,20x"])
    result = behaviour_import(source=data, school=place.school_a)
    assert [(e.row, e.code) for e in result.errors] == [(3, "duplicate_row"), (4, "outside_year"), (5, "bad_academic_year")]
    assert "row 2" in result.errors[0].message


def test_the_file_must_have_the_columns(place):
    result = behaviour_import(source=csv(["UPN,Date,Incident type,Incident type,Level", f"{place.ann.upn},{day(0)},a,b,1"]),
                              school=place.school_a)
    assert [e.code for e in result.errors] == ["duplicate_column"]
    result = behaviour_import(source=csv(["UPN,Date", f"{place.ann.upn},{day(0)}"]), school=place.school_a)
    assert [e.code for e in result.errors] == ["missing_column", "missing_column"]
    mapped = behaviour_import(source=csv(["Pupil,When,What,How bad", f"{place.ann.upn},{day(0)},Defiance,1"]), school=place.school_a,
                              mapping={"upn": "Pupil", "occurred_on": "When", "incident_type": "What", "severity": "How bad"})
    assert mapped.ok, mapped.errors
    assert behaviour_import(source=b"", school=place.school_a).errors[0].code == "empty_file"
    assert behaviour_import(source=csv([BEHAVIOUR_HEADER, ",,,"]), school=place.school_a).errors[0].code == "no_rows"
    assert behaviour_import(source=csv([BEHAVIOUR_HEADER]), mapping={"nope": "x"}, school=place.school_a).errors[0].code == "bad_mapping"


@pytest.mark.parametrize(("encoding", "sep"), [("utf-8-sig", ","), ("cp1252", ";"), ("utf-16", "\t"), ("utf-8", "|")])
def test_encodings_and_delimiters(place, encoding, sep):
    data = csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{day(0)},Défiance,1"], sep=sep, encoding=encoding)
    result = behaviour_import(source=data, school=place.school_a)
    assert result.ok, result.errors
    assert BehaviourIncident.objects.get().incident_type == "Défiance"


def test_la_wide_files_are_for_the_la(place):
    data = csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{day(0)},Defiance,1", f"{place.cai.upn},{day(0)},Defiance,1"])
    refused = behaviour_import(source=data, by=place.headteacher)
    assert [e.code for e in refused.errors] == ["not_la_wide"]
    result = behaviour_import(source=data, by=place.la_lead)
    assert result.ok, result.errors
    assert set(BehaviourIncident.objects.values_list("school_id", flat=True)) == {place.school_a.pk, place.school_b.pk}
    assert result.record.schools == 2 and result.record.school is None
    other_la = behaviour_import(source=csv([BEHAVIOUR_HEADER, f"{place.dee.upn},{day(0)},Defiance,1"]), by=place.la_lead)
    assert [e.code for e in other_la.errors] == ["unknown_learner"]
    assert behaviour_import(source=csv([BEHAVIOUR_HEADER, f"{place.dee.upn},{day(0)},Defiance,1"])).ok  # the command line


# --- Exclusions and results ------------------------------------------------------------------------------------------


def test_exclusions(place, path):
    header = "UPN,Start date,Type,Days,Reason"
    data = csv([header, f"{place.ann.upn},{day(0)},Fixed term,1.5,Persistent disruption", f"{place.ben.upn},{day(2)},Permanent,,"])
    result = exclusions_import(source=data, school=place.school_a)
    assert result.ok, result.errors
    assert set(Exclusion.objects.values_list("learner_id", "kind", "days", "reason", "academic_year")) == {
        (place.ann.pk, "fixed_term", Decimal("1.5"), "Persistent disruption", YEAR), (place.ben.pk, "permanent", Decimal("0"), "", YEAR)}
    assert (result.record.added, exclusions_import(source=data, school=place.school_a).record.added) == (3 - 1, 0)
    bad = csv([header, f"{place.ann.upn},{day(5)},Expelled,1,", f"{place.ann.upn},{day(6)},FT,,", f"{place.ann.upn},{day(7)},FT,0,",
               f"{place.ann.upn},{day(8)},FT,lots,", f"{place.ann.upn},{day(9)},FT,1.25,", f"{place.ben.upn},{day(2)},FT,1,",
               f"{place.ben.upn},{day(2)},FT,2,"])
    result = exclusions_import(source=bad, school=place.school_a)
    assert [(e.row, e.code) for e in result.errors] == [(2, "bad_kind"), (3, "missing_days"), (4, "days_range"), (5, "bad_number"),
                                                        (6, "half_days"), (8, "duplicate_row")]
    assert Exclusion.objects.count() == 2


def test_results(place):
    header = "UPN,Subject,Qualification,Grade,Points,Date"
    results_day = datetime.date(YEAR + 1, 8, 21).strftime("%d/%m/%Y")
    data = csv([header, f"{place.ann.upn},Mathematics,GCSE,A*,8,{results_day}", f"{place.ann.upn},Welsh,GCSE,7,\"7,0\",{results_day}",
                f"{place.ben.upn},Science,Teacher assessment,Secure,,{results_day}", f"{place.ben.upn},English,GCSE,,4.5,{results_day}"])
    result = results_import(source=data, school=place.school_a)
    assert result.ok, result.errors
    assert set(AssessmentResult.objects.values_list("learner_id", "subject", "grade", "points", "academic_year")) == {
        (place.ann.pk, "Mathematics", "A*", Decimal("8"), YEAR), (place.ann.pk, "Welsh", "7", Decimal("7"), YEAR),
        (place.ben.pk, "Science", "Secure", None, YEAR), (place.ben.pk, "English", "", Decimal("4.5"), YEAR)}
    again = results_import(source=data, school=place.school_a)
    assert (again.record.added, again.record.changed, again.record.removed) == (0, 0, 0)
    regraded = data.replace(b"A*,8", b"A,7")
    assert results_import(source=regraded, school=place.school_a).record.changed == 1
    bad = csv([header, f"{place.ann.upn},Art,GCSE,,,{results_day}", f"{place.ann.upn},Music,GCSE,B,six,{results_day}",
               f"{place.ann.upn},Drama,GCSE,B,6.125,{results_day}", f"{place.ann.upn},History,GCSE,B,-6,{results_day}"])
    result = results_import(source=bad, school=place.school_a)
    assert [(e.row, e.code) for e in result.errors] == [(2, "grade_or_points"), (3, "bad_number"), (4, "points_places"),
                                                        (5, "points_range")]


# --- Learners --------------------------------------------------------------------------------------------------------

LEARNER_HEADER = "UPN,Forename,Surname,DOB,Year,Gender,eFSM,ALN,Looked after,EAL"


def test_learners_are_created_and_updated_by_upn_and_leavers_reported(place, path):
    data = csv([LEARNER_HEADER,
                f"{place.ann.upn},Ann,Jones,14/03/2015,Y4,F,Y,No,0,",
                "A12345678999Z,Nia,Evans,2019-09-02,Reception,X,Ie,Na,True,1",
                "A12345678998Y,Tom,Hughes,1/2/2021,Meithrin,M,,,,",
                "A12345678997X,Lili,Hughes,01.02.2014,Blwyddyn 6,,N,yes,false,Y"])
    result = learners_import(source=data, school=place.school_a, by=place.headteacher)
    assert result.ok, result.errors
    assert (result.record.added, result.record.changed, result.record.removed, result.record.leavers) == (3, 1, 0, 1)
    assert result.leavers == [(place.ben.upn, f"Ben {place.ben.family_name}")]
    assert Learner.objects.filter(pk=place.ben.pk).exists()  # a leaver is reported, not deleted
    ann = Learner.objects.get(pk=place.ann.pk)
    assert (ann.efsm, ann.gender, ann.year_group) == (True, "F", 4)
    nia = Learner.objects.get(upn="A12345678999Z")
    assert (nia.school, nia.year_group, nia.gender, nia.efsm, nia.additional_learning_needs, nia.looked_after,
            nia.english_additional_language, nia.date_of_birth) == (place.school_a, 0, "X", True, False, True, True,
                                                                     datetime.date(2019, 9, 2))
    assert Learner.objects.get(upn="A12345678998Y").year_group == -1
    assert Learner.objects.get(upn="A12345678997X").year_group == 6
    before = (audit_count(), list(Learner.objects.values_list("pk", "modified_on")))
    again = learners_import(source=data, school=place.school_a)
    assert (again.record.added, again.record.changed) == (0, 0)
    assert (audit_count(), list(Learner.objects.values_list("pk", "modified_on"))) == before


def test_a_school_cannot_take_another_schools_learner_but_the_la_can_move_one(place):
    row = f"{place.cai.upn},Cai,Jones,14/03/2015,7,M,N,N,N,N"
    result = learners_import(source=csv([LEARNER_HEADER, row]), school=place.school_a)
    assert [e.code for e in result.errors] == ["other_school"]
    no_school_column = learners_import(source=csv([LEARNER_HEADER, row]), by=place.la_lead)
    assert [e.code for e in no_school_column.errors] == ["missing_column"]
    la_file = csv([LEARNER_HEADER + ",School number", f"{row},{place.school_a.school_number}",
                   f"A12345678996W,New,Pupil,14/03/2012,Y7,F,N,N,N,N,{place.school_b.school_number}"])
    moved = learners_import(source=la_file, by=place.la_lead)
    assert moved.ok, moved.errors
    assert Learner.objects.get(pk=place.cai.pk).school == place.school_a
    assert Learner.objects.get(upn="A12345678996W").school == place.school_b
    outside = learners_import(source=csv([LEARNER_HEADER + ",School number", f"{row},{place.school_other_la.school_number}"]),
                              by=place.la_lead)
    assert [e.code for e in outside.errors] == ["unknown_school"]


def test_learner_errors(place):
    data = csv([LEARNER_HEADER, "A12345678999Z,Nia,Evans,14/03/2015,Year 14,F,Y,N,N,N",
                "A12345678998Y,Tom,Hughes,14/03/1970,Y3,Q,maybe,N,N,N",
                "A12345678998Y,Tom,Hughes,14/03/2015,Y3,M,N,N,N,N"])
    result = learners_import(source=data, school=place.school_a)
    assert [(e.row, e.code) for e in result.errors] == [(2, "bad_year_group"), (3, "implausible_birth"), (3, "bad_gender"),
                                                        (3, "bad_yes_no"), (4, "duplicate_row")]
    assert not Learner.objects.filter(upn__in=["A12345678999Z", "A12345678998Y"]).exists()


# --- The command, the registry, query counts ---------------------------------------------------------------------------


def test_the_command(place, tmp_path, capsys):
    path = tmp_path / "incidents.csv"
    path.write_bytes(csv(["Pupil,Date,Incident type,Severity", f"{place.ann.upn},{day(0)},Defiance,1"]))
    call_command("import_records", "--kind", "behaviour", str(path), "--school", place.school_a.school_number,
                 "--mapping", "Pupil=upn")
    assert "1 added" in capsys.readouterr().out
    assert BehaviourIncident.objects.count() == 1
    call_command("import_records", "--kind", "behaviour", str(path), "--school", str(place.school_a.pk), "--mapping", "Pupil=upn")
    assert "0 added" in capsys.readouterr().out
    path.write_bytes(csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{day(0)},Defiance,7"]))
    with pytest.raises(CommandError) as refused:
        call_command("import_records", "--kind", "behaviour", str(path))
    assert refused.value.returncode == 1
    assert "Row 2 [Severity]" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_records", "--kind", "behaviour", str(path), "--mapping", "nonsense")


def test_kind_definitions_name_the_importers():
    assert [d["key"] for d in KIND_DEFINITIONS] == ["learners", "behaviour", "exclusions", "results"]
    assert KIND_DEFINITIONS[1]["run"] is behaviour_import
    for definition in KIND_DEFINITIONS:
        for name, label, required, aliases in definition["fields"]:
            assert name and str(label) and isinstance(required, bool) and all(isinstance(a, str) for a in aliases)


def test_query_count_does_not_grow_with_the_file(place):
    def run(count: int, offset: int) -> int:
        rows = [f"{place.ann.upn},{day(offset)},Incident {i},1" for i in range(count)]
        with CaptureQueriesContext(connection) as queries:
            assert behaviour_import(source=csv([BEHAVIOUR_HEADER, *rows]), school=place.school_a).ok
        return len(queries)

    assert run(3, 0) == run(400, 1)


# --- Malformed files -----------------------------------------------------------------------------------------------------

CELLS = st.sampled_from([
    "A12345678901B", "A12345678902C", "a12345678901b ", "A123", "", " ", "=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "@SUM(A1)",
    "-2", "x" * 5000, "Defiance", "Disruption in class", "1", "4", "5", "High", "06/10/2025", "2025-10-06", "6 Oct 2025",
    "31/02/2025", "06.10.25", "\"quoted, with comma\"", "\"unterminated", "ŵŷ", "\x00", "0,5",
])
HEADERS = {
    "behaviour": [BEHAVIOUR_HEADER, "UPN,Date,Type,Severity,Extra", "UPN,Date,Incident type", "UPN,UPN,Date,Incident type,Severity",
                  "Date,Incident type,Severity,UPN", "", "\ufeffUPN,Date,Incident type,Severity"],
    "exclusions": ["UPN,Start date,Type,Days,Reason", "UPN,Date,Kind,Days", "UPN,Start date"],
    "results": ["UPN,Subject,Qualification,Grade,Points,Date", "UPN,Subject,Assessment,Points,Date,Academic year"],
    "learners": [LEARNER_HEADER, "UPN,Forename,Surname,DOB,Year", "UPN,Forename,Forename,Surname,DOB,Year"],
}
IMPORTERS = {"behaviour": behaviour_import, "exclusions": exclusions_import, "results": results_import, "learners": learners_import}
MODELS = {"behaviour": BehaviourIncident, "exclusions": Exclusion, "results": AssessmentResult, "learners": Learner}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), rows=st.lists(st.lists(CELLS, min_size=0, max_size=10), max_size=6),
       sep=st.sampled_from([",", ";", "\t", "|"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_malformed_files_never_raise_or_half_import(place, data, rows, sep, encoding):
    kind = data.draw(st.sampled_from(sorted(HEADERS)))
    header = data.draw(st.sampled_from(HEADERS[kind]))
    text = "\n".join([header.replace(",", sep), *(sep.join(row) for row in rows)])
    source = text.encode(encoding, errors="replace")
    model = MODELS[kind]

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            before = model.objects.count()
            result = IMPORTERS[kind](source=source, school=place.school_a)
            stored = model.objects.count() - before
            if result.ok:
                assert result.record.added == stored and result.record.rows >= stored
            else:
                assert stored == 0 and result.errors and all(e.message for e in result.errors)
                assert result.error_count >= len(result.errors)
            raise Rollback
    except Rollback:
        pass


def test_huge_and_odd_files_are_refused_clearly(place):
    assert behaviour_import(source=codecs.BOM_UTF8, school=place.school_a).errors[0].code == "empty_file"
    assert behaviour_import(source=b"x" * 70_000, school=place.school_a).errors[0].code == "bad_header"
    assert behaviour_import(source=b"\xff\xfe\x00\xd8", school=place.school_a).errors  # a broken UTF-16 file
    record_services.MAX_LEAVERS  # noqa: B018 - the module is importable on its own


def test_errors_are_in_the_users_language(place):
    from django.utils import translation

    data = csv([BEHAVIOUR_HEADER, f"Z99999999999Z,{day(0)},Defiance,1"])
    with translation.override("cy"):
        welsh = behaviour_import(source=data, school=place.school_a).errors[0].message
    english = behaviour_import(source=data, school=place.school_a).errors[0].message
    assert english == "There is no learner with the UPN “Z99999999999Z”."
    assert welsh != english and "Z99999999999Z" in welsh


DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%Y-%m-%d 00:00:00", "%d/%m/%Y 00:00"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(0, 250), style=st.sampled_from(DATE_FORMATS))
def test_dates_in_any_usual_format_are_read_as_written(place, offset, style):
    when = datetime.date(YEAR, 9, 1) + datetime.timedelta(days=offset)
    data = csv([BEHAVIOUR_HEADER, f"{place.ann.upn},{when.strftime(style)},Defiance,1"])

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            result = behaviour_import(source=data, school=place.school_a)
            assert result.ok, result.errors
            assert list(BehaviourIncident.objects.values_list("occurred_on", "academic_year")) == [(when, YEAR)]
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_schools_file_at_once_equal_one_after_the_other(place):
    """The per-school lock: the second import waits, then finds the first's rows and writes nothing."""
    from .test_concurrency import at_once

    data = csv([BEHAVIOUR_HEADER, *(f"{place.ann.upn},{day(i)},Defiance,1" for i in range(5))])
    results = at_once(lambda: behaviour_import(source=data, school=place.school_a),
                      lambda: behaviour_import(source=data, school=place.school_a))
    assert all(r.ok for r in results), results
    assert sorted(r.record.added for r in results) == [0, 5]
    assert BehaviourIncident.objects.count() == 5
