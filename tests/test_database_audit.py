"""The audit trail the database keeps by itself, and its guard: bulk writes are recorded, audit rows are kept."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from cymuned.audit.database import AUDIT_TABLES, AUDITED_TABLES, grant_application_role
from cymuned.audit.models import RowChange
from cymuned.families.models import Learner

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db


def _latest(table: str, operation: str) -> RowChange:
    return RowChange.objects.filter(table_name=table, operation=operation).order_by("-pk").first()


def test_bulk_update_and_queryset_update_are_recorded(world):
    learners = [LearnerFactory(school=world.school_a) for _ in range(3)]
    Learner.objects.filter(pk__in=[lr.pk for lr in learners]).update(given_name="Changed")
    change = _latest("families_learner", "UPDATE")
    assert sorted(change.row_ids) == sorted(lr.pk for lr in learners) and change.row_count == 3
    assert change.changed_columns == ["given_name"]
    for learner in learners:
        learner.family_name = "Bulk"
    Learner.objects.bulk_update(learners, ["family_name"])
    assert _latest("families_learner", "UPDATE").changed_columns == ["family_name"]
    Learner.objects.bulk_create([LearnerFactory.build(school=world.school_a, upn=f"A12345678901{i}") for i in range(2)])
    assert _latest("families_learner", "INSERT").row_count == 2


def test_a_write_from_a_request_names_the_user(world, client_for):
    learner = LearnerFactory(school=world.school_a)
    response = client_for("feo").post(f"/en-gb/families/learners/{learner.pk}/household/", {"reference": "The Evans family"})
    assert response.status_code == 302
    change = _latest("families_household", "INSERT")
    assert change.actor_id == world.user("feo").pk
    # A write outside any request (a command, an import) names no user, not whoever used the connection last.
    LearnerFactory(school=world.school_a)
    assert _latest("families_learner", "INSERT").actor_id is None


def test_the_database_refuses_to_change_or_delete_audit_rows(world):
    learner = LearnerFactory(school=world.school_a)
    Learner.objects.filter(pk=learner.pk).update(given_name="X")
    entry = LogEntry.objects.create(content_type_id=1, object_pk="1", object_id=1, object_repr="x", action=0)
    for attempt in (
        lambda: LogEntry.objects.filter(pk=entry.pk).update(object_repr="forged"),
        lambda: LogEntry.objects.filter(pk=entry.pk).delete(),
        lambda: RowChange.objects.all().delete(),
        lambda: RowChange.objects.update(actor_id=None, database_user="someone else"),
    ):
        with pytest.raises(DatabaseError, match="audit trail cannot be changed"), transaction.atomic():
            attempt()
    assert LogEntry.objects.get(pk=entry.pk).object_repr == "x"


def test_retention_may_only_blank_personal_values(world):
    from cymuned.audit.database import redact_log_entries

    entry = LogEntry.objects.create(content_type_id=1, object_pk="7", object_id=7, object_repr="Jones",
                                    action=1, changes={"family_name": ["Jones", "Evans"], "year_group": [3, 4]})
    assert redact_log_entries(content_type_id=1, ids=[7], fields=["family_name"], placeholder="(anonymised)") == 1
    entry.refresh_from_db()
    assert entry.object_repr == "(anonymised)"
    assert entry.changes == {"family_name": ["(anonymised)", "(anonymised)"], "year_group": [3, 4]}
    # The redaction switch is off again once the function returns.
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="forged")


def test_every_table_of_personal_data_has_the_triggers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname LIKE 'cymuned_audit_%%'")
        found = set(cursor.fetchall())
    for table in AUDITED_TABLES:
        for name in ("cymuned_audit_insert", "cymuned_audit_update", "cymuned_audit_delete"):
            assert (table, name) in found, (table, name)
    for table in AUDIT_TABLES:
        assert (table, "cymuned_audit_immutable") in found


def test_models_holding_learners_or_households_are_audited():
    """A new model that points at a learner or a household must join AUDITED_TABLES (and get its triggers)."""
    from django.apps import apps

    from cymuned.families.models import Household

    for model in apps.get_models():
        points_at_people = any(getattr(f, "related_model", None) in (Learner, Household) and f.many_to_one
                               for f in model._meta.get_fields() if f.concrete)
        if points_at_people and model._meta.app_label not in ("auditlog", "audit"):
            assert model._meta.db_table in AUDITED_TABLES, model._meta.db_table


def test_the_application_role_cannot_change_audit_rows_but_can_add_them(world):
    """Production connects as a role with no UPDATE, DELETE or TRUNCATE on the audit tables."""
    entry = LogEntry.objects.create(content_type_id=1, object_pk="9", object_id=9, object_repr="kept", action=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE cymuned_app_test NOLOGIN")
        grant_application_role("cymuned_app_test")
        cursor.execute("SET ROLE cymuned_app_test")
        try:
            for statement in (
                f"UPDATE auditlog_logentry SET object_repr = 'forged' WHERE id = {entry.pk}",
                "DELETE FROM audit_rowchange",
                "TRUNCATE audit_exportrecord",
            ):
                with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                    cursor.execute(statement)
            # Ordinary work goes on: reading and adding audit rows, changing learners, redacting through the function.
            with transaction.atomic():
                cursor.execute("SELECT count(*) FROM auditlog_logentry")
                cursor.execute("INSERT INTO audit_exportrecord (created_on, kind, filters, row_count) "
                               "VALUES (now(), 'test', '{}', 1)")
                cursor.execute("UPDATE families_learner SET given_name = given_name")
                cursor.execute("SELECT cymuned_audit_redact(1, ARRAY[9]::bigint[], ARRAY['x'], '(anonymised)')")
                assert cursor.fetchone()[0] == 1
        finally:
            cursor.execute("RESET ROLE")
    entry.refresh_from_db()
    assert entry.object_repr == "(anonymised)"


def test_the_la_lead_reads_database_changes_and_others_cannot(world, client_for):
    LearnerFactory(school=world.school_a)
    Learner.objects.update(given_name="Bulk")
    response = client_for("la_lead").get("/en-gb/audit/database-changes/?table=families_learner")
    assert response.status_code == 200
    body = response.content.decode()
    assert "families_learner" in body and "given_name" in body
    assert client_for("headteacher").get("/en-gb/audit/database-changes/").status_code == 403
    # Another LA's lead does not see changes made by this LA's people.
    client_for("feo").post(f"/en-gb/families/learners/{LearnerFactory(school=world.school_a).pk}/household/",
                           {"reference": "The Evans family"})
    other = client_for("lead_other_la").get("/en-gb/audit/database-changes/?table=families_household")
    assert other.status_code == 200 and "feo@example.org" not in other.content.decode()


def test_grant_app_role_command(world, capsys):
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE cymuned_app_cmd NOLOGIN")
    call_command("grant_app_role", "cymuned_app_cmd")
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege('cymuned_app_cmd', 'auditlog_logentry', 'DELETE'), "
                       "has_table_privilege('cymuned_app_cmd', 'auditlog_logentry', 'INSERT'), "
                       "has_table_privilege('cymuned_app_cmd', 'families_learner', 'UPDATE')")
        assert cursor.fetchone() == (False, True, True)
