"""Database objects of the escalation runs (migration 0006) that autogenerate cannot express.

* ``escalation_attempts`` is append-only, enforced like ``audit_events``.
* PostgreSQL: every change to a run or an attempt sends ``NOTIFY escalation_runs``
  with the run's id, inside the changing transaction, so a listening console
  hears of a change exactly when it is committed (and never of a rolled-back one).
"""

from __future__ import annotations

ATTEMPTS_APPEND_ONLY = "escalation_attempts is append-only"
CHANNEL = "escalation_runs"
"""The LISTEN/NOTIFY channel the consoles listen on."""


def sqlite_ddl() -> list[str]:
    raise_ = f"BEGIN SELECT RAISE(ABORT, '{ATTEMPTS_APPEND_ONLY}'); END"
    return [
        f"CREATE TRIGGER escalation_attempts_no_update BEFORE UPDATE ON escalation_attempts {raise_}",
        f"CREATE TRIGGER escalation_attempts_no_delete BEFORE DELETE ON escalation_attempts {raise_}",
        "CREATE TRIGGER escalation_attempts_no_replace BEFORE INSERT ON escalation_attempts"
        " WHEN EXISTS (SELECT 1 FROM escalation_attempts WHERE id = NEW.id) " + raise_,
    ]


def postgresql_ddl() -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION escalation_attempts_append_only() RETURNS trigger"
        f" LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{ATTEMPTS_APPEND_ONLY}'"
        " USING ERRCODE = 'insufficient_privilege'; END $$",
        "CREATE TRIGGER escalation_attempts_no_update BEFORE UPDATE ON escalation_attempts"
        " FOR EACH ROW EXECUTE FUNCTION escalation_attempts_append_only()",
        "CREATE TRIGGER escalation_attempts_no_delete BEFORE DELETE ON escalation_attempts"
        " FOR EACH ROW EXECUTE FUNCTION escalation_attempts_append_only()",
        "CREATE TRIGGER escalation_attempts_no_truncate BEFORE TRUNCATE ON escalation_attempts"
        " FOR EACH STATEMENT EXECUTE FUNCTION escalation_attempts_append_only()",
        # TG_ARGV[0] names the column holding the run's id in the changed table.
        "CREATE OR REPLACE FUNCTION escalation_runs_notify() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        f" PERFORM pg_notify('{CHANNEL}', to_jsonb(NEW) ->> TG_ARGV[0]); RETURN NULL; END $$",
        "CREATE TRIGGER escalation_runs_notify AFTER INSERT OR UPDATE ON escalation_runs"
        " FOR EACH ROW EXECUTE FUNCTION escalation_runs_notify('id')",
        "CREATE TRIGGER escalation_attempts_notify AFTER INSERT ON escalation_attempts"
        " FOR EACH ROW EXECUTE FUNCTION escalation_runs_notify('run_id')",
    ]


def create_all(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return sqlite_ddl()
    if dialect == "postgresql":
        return postgresql_ddl()
    raise ValueError(f"unsupported dialect {dialect}")


def drop_all(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "DROP FUNCTION IF EXISTS escalation_runs_notify() CASCADE",
            "DROP FUNCTION IF EXISTS escalation_attempts_append_only() CASCADE",
        ]
    return []


def expected_objects(dialect: str) -> set[tuple[str, str]]:
    """What ``noc-console db check`` verifies besides what Alembic compares."""
    objs = {
        ("trigger", "escalation_attempts_no_update"),
        ("trigger", "escalation_attempts_no_delete"),
    }
    if dialect == "sqlite":
        objs.add(("trigger", "escalation_attempts_no_replace"))
    else:
        objs |= {
            ("trigger", "escalation_attempts_no_truncate"),
            ("trigger", "escalation_runs_notify"),
            ("trigger", "escalation_attempts_notify"),
        }
    return objs
