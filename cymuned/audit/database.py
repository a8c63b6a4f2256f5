"""The audit trail PostgreSQL keeps by itself, and the guard that keeps the trail from being changed.

Why triggers: django-auditlog records changes made through model ``save()`` and ``delete()``, but not
``QuerySet.update()``, ``bulk_create``/``bulk_update`` or ``COPY``, which imports use. Statement-level triggers on
every table of personal data write one :class:`~cymuned.audit.models.RowChange` per statement, whatever wrote it.
The acting user comes from the ``cymuned.actor_id`` setting that :class:`~cymuned.audit.middleware.DatabaseActorMiddleware`
puts on the connection before each write of a request.

Why the immutability trigger: rows of the audit trail are never updated or deleted, not even by the role that owns
the tables. The one exception is retention, which must take personal values out of old change-log entries: it
calls ``cymuned_audit_redact``, a ``SECURITY DEFINER`` function that can only overwrite those values with a
placeholder. In production the application connects as a role given by :func:`grant_application_role`, which has
no UPDATE, DELETE or TRUNCATE on the audit tables at all.

SQLite (the zero-set-up demo) has none of this; the application's own change log still runs there.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

#: Tables holding learners', families', carers', hirers' or staff members' details.
AUDITED_TABLES = (
    "accounts_user",
    "accounts_membership",
    "families_learner",
    "families_household",
    "families_carer",
    "families_consent",
    "families_episode",
    "families_contact",
    "outcomes_attendancesummary",
    "outcomes_attendanceyear",
    "outcomes_behaviourincident",
    "outcomes_exclusion",
    "outcomes_assessmentresult",
    "programmes_enrolment",
    "programmes_attendance",
    "programmes_achievement",
    "programmes_confidenceresponse",
    "premises_hirer",
    "premises_bookingseries",
    "premises_booking",
    "strategy_response",
    "strategy_answer",
    "hub_referral",
    "hub_referralneed",
    "hub_referralevent",
    "hub_teamaroundfamilymeeting",
    "hub_tafattendee",
    "hub_agreedaction",
)

#: The audit trail itself: rows here are written once and kept.
AUDIT_TABLES = ("auditlog_logentry", "audit_exportrecord", "audit_rowchange")

#: Columns of a change-log entry that retention may overwrite with a placeholder, and nothing else.
REDACTABLE_COLUMNS = ("object_repr", "changes", "changes_text", "serialized_data")

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION cymuned_audit_statement() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    v_actor bigint := NULLIF(current_setting('cymuned.actor_id', true), '')::bigint;
    v_ids jsonb;
    v_count integer;
    v_columns jsonb := '[]'::jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT coalesce(jsonb_agg(id ORDER BY id), '[]'::jsonb), count(*) INTO v_ids, v_count FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT coalesce(jsonb_agg(id ORDER BY id), '[]'::jsonb), count(*) INTO v_ids, v_count FROM old_rows;
    ELSE
        SELECT coalesce(jsonb_agg(id ORDER BY id), '[]'::jsonb), count(*) INTO v_ids, v_count FROM new_rows;
        SELECT coalesce(jsonb_agg(DISTINCT c.key), '[]'::jsonb) INTO v_columns
          FROM new_rows n JOIN old_rows o ON o.id = n.id, LATERAL jsonb_each(to_jsonb(n)) AS c
         WHERE c.value IS DISTINCT FROM (to_jsonb(o) -> c.key);
    END IF;
    IF v_count > 0 THEN
        INSERT INTO audit_rowchange (table_name, operation, row_ids, row_count, changed_columns, actor_id,
                                     database_user, changed_on)
        VALUES (TG_TABLE_NAME, TG_OP, v_ids, v_count, v_columns, v_actor, current_user, clock_timestamp());
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION cymuned_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'auditlog_logentry'
       AND current_setting('cymuned.audit_redaction', true) = 'on'
       AND (to_jsonb(NEW) - ARRAY['object_repr', 'changes', 'changes_text', 'serialized_data'])
           = (to_jsonb(OLD) - ARRAY['object_repr', 'changes', 'changes_text', 'serialized_data']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail cannot be changed or deleted (% on %).', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE OR REPLACE FUNCTION cymuned_audit_redact(p_content_type integer, p_ids bigint[], p_fields text[],
                                                p_placeholder text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    v_count integer;
BEGIN
    PERFORM set_config('cymuned.audit_redaction', 'on', true);
    UPDATE auditlog_logentry e
       SET object_repr = p_placeholder,
           changes_text = '',
           serialized_data = NULL,
           changes = CASE
               WHEN e.changes IS NULL OR jsonb_typeof(e.changes) <> 'object' THEN e.changes
               ELSE (SELECT jsonb_object_agg(k, CASE
                         WHEN k = ANY(p_fields) AND jsonb_typeof(v) = 'array'
                         THEN coalesce((SELECT jsonb_agg(to_jsonb(p_placeholder)) FROM jsonb_array_elements(v)), '[]'::jsonb)
                         ELSE v END)
                       FROM jsonb_each(e.changes) AS x(k, v))
           END
     WHERE e.content_type_id = p_content_type AND e.object_id = ANY(p_ids);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    PERFORM set_config('cymuned.audit_redaction', 'off', true);
    RETURN v_count;
END
$fn$;
"""


def install_row_audit(schema_editor, tables: Iterable[str]) -> None:
    """Statement-level triggers on each table: one RowChange per INSERT, UPDATE or DELETE statement.

    New tables of personal data call this from their own migration (and join ``AUDITED_TABLES``).
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        quoted = schema_editor.quote_name(table)
        schema_editor.execute(f"""
            DROP TRIGGER IF EXISTS cymuned_audit_insert ON {quoted};
            DROP TRIGGER IF EXISTS cymuned_audit_update ON {quoted};
            DROP TRIGGER IF EXISTS cymuned_audit_delete ON {quoted};
            CREATE TRIGGER cymuned_audit_insert AFTER INSERT ON {quoted} REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION cymuned_audit_statement();
            CREATE TRIGGER cymuned_audit_update AFTER UPDATE ON {quoted}
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION cymuned_audit_statement();
            CREATE TRIGGER cymuned_audit_delete AFTER DELETE ON {quoted} REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION cymuned_audit_statement();
        """)


def install(apps, schema_editor) -> None:
    """Migration step: the functions, the row-change triggers and the immutability guard."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS_SQL, None)
    # Tables created by later migrations get their triggers from those migrations (install_row_audit).
    existing = set(schema_editor.connection.introspection.table_names())
    install_row_audit(schema_editor, [table for table in AUDITED_TABLES if table in existing])
    for table in AUDIT_TABLES:
        quoted = schema_editor.quote_name(table)
        schema_editor.execute(f"""
            DROP TRIGGER IF EXISTS cymuned_audit_immutable ON {quoted};
            CREATE TRIGGER cymuned_audit_immutable BEFORE UPDATE OR DELETE ON {quoted}
                FOR EACH ROW EXECUTE FUNCTION cymuned_audit_immutable();
        """)


def uninstall(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in (*AUDITED_TABLES, *AUDIT_TABLES):
        quoted = schema_editor.quote_name(table)
        for trigger in ("cymuned_audit_insert", "cymuned_audit_update", "cymuned_audit_delete", "cymuned_audit_immutable"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}")
    schema_editor.execute("DROP FUNCTION IF EXISTS cymuned_audit_statement(), cymuned_audit_immutable(), "
                          "cymuned_audit_redact(integer, bigint[], text[], text)")


def redact_log_entries(*, content_type_id: int, ids: list[int], fields: Iterable[str], placeholder: str) -> int:
    """Overwrite personal values in change-log entries with the placeholder, through the one permitted path."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cymuned_audit_redact(%s, %s::bigint[], %s::text[], %s)",
                       [content_type_id, list(ids), sorted(fields), placeholder])
        return cursor.fetchone()[0]


def grant_application_role(role: str) -> list[str]:
    """Privileges for the role the web and worker processes connect as: everything they need, but the audit
    tables only for reading and adding. Migrations run as the owning role; this runs after each migrate."""
    quoted = connection.ops.quote_name(role)
    audit = ", ".join(connection.ops.quote_name(t) for t in AUDIT_TABLES)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {quoted}",
        f"GRANT SELECT, INSERT ON {audit} TO {quoted}",
        "REVOKE ALL ON FUNCTION cymuned_audit_redact(integer, bigint[], text[], text) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION cymuned_audit_redact(integer, bigint[], text[], text) TO {quoted}",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
