"""What the database itself enforces about the journal, on top of the writing code's checks.

PostgreSQL (after django-hordak's `check_leg`): a constraint trigger, deferred to the commit,
refuses a transaction that leaves any entry's postings not summing to zero per currency, by
whatever means they were written; and row triggers refuse UPDATE and DELETE of entries and
postings. SQLite has no deferred triggers: its triggers refuse UPDATE and DELETE, and the
balance is the writing code's (`journal.post_entry`), which tests prove cannot be bypassed
through the code.

Attached to the tables' creation (`create_all`, which the tests use) here; the migration
0014 holds the same statements for deployments.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import DDL, Table, event

from livebazaar.ledger.models import LedgerEntry, LedgerPosting

PG_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    unbalanced RECORD;
BEGIN
    SELECT currency, SUM(amount_minor) AS total INTO unbalanced
        FROM ledger_postings WHERE entry_id = NEW.entry_id
        GROUP BY currency HAVING SUM(amount_minor) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger entry % does not balance: % % left over',
            NEW.entry_id, unbalanced.total, unbalanced.currency USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are never changed or deleted: write a reversing entry',
        TG_TABLE_NAME USING ERRCODE = '23514';
END;
$$ LANGUAGE plpgsql
""",
]
PG_TRIGGERS = [
    """
CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced()
""",
    """
CREATE TRIGGER ledger_postings_immutable BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
""",
    """
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
""",
]
PG_DROP = [
    "DROP FUNCTION IF EXISTS ledger_check_entry_balanced() CASCADE",
    "DROP FUNCTION IF EXISTS ledger_refuse_change() CASCADE",
]


def sqlite_triggers(table: str) -> list[str]:
    return [
        f"""
CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
BEGIN
    SELECT RAISE(ABORT, '{table} rows are never changed or deleted: write a reversing entry');
END
"""
        for verb in ("UPDATE", "DELETE")
    ]


def _ddl(statement: str, dialect: str) -> DDL:
    # DDL formats its text with %: the functions' own % placeholders are doubled.
    ddl = DDL(statement.replace("%", "%%"))  # type: ignore[no-untyped-call]
    return ddl.execute_if(dialect=dialect)


def _attach() -> None:
    entries, postings = cast(Table, LedgerEntry.__table__), cast(Table, LedgerPosting.__table__)
    for statement in PG_FUNCTIONS:
        event.listen(entries, "after_create", _ddl(statement, "postgresql"))
    for statement in PG_TRIGGERS:
        event.listen(postings, "after_create", _ddl(statement, "postgresql"))
    for table in (entries, postings):
        for statement in sqlite_triggers(table.name):
            event.listen(table, "after_create", _ddl(statement, "sqlite"))


_attach()
