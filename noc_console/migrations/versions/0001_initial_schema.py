"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 21:21:56.494600
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from noc_console.migrations import search_objects
from noc_console.models.base import Money, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CNPJ_DIGITS = {
    "sqlite": "cnpj NOT GLOB '*[^0-9]*'",
    "postgresql": "cnpj ~ '^[0-9]{14}$'",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "customers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("trade_name", sa.String(length=200), nullable=True),
        sa.Column("cnpj", sa.String(length=14), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("name_norm", sa.String(length=200), nullable=False),
        sa.Column("trade_name_norm", sa.String(length=200), nullable=False),
        sa.CheckConstraint(CNPJ_DIGITS[dialect], name=op.f("ck_customers_cnpj_digits")),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'closed')", name=op.f("ck_customers_status")
        ),
        sa.CheckConstraint("length(cnpj) = 14", name=op.f("ck_customers_cnpj_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("cnpj", name=op.f("uq_customers_cnpj")),
    )
    op.create_index(
        "ix_customers_name_norm",
        "customers",
        ["name_norm"],
        unique=False,
        postgresql_ops={"name_norm": "text_pattern_ops"},
    )
    op.create_index(
        "ix_customers_trade_name_norm",
        "customers",
        ["trade_name_norm"],
        unique=False,
        postgresql_ops={"trade_name_norm": "text_pattern_ops"},
    )

    op.create_table(
        "operators",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_login_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.Column("password_changed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('analyst', 'operator', 'supervisor')", name=op.f("ck_operators_role")
        ),
        sa.CheckConstraint("failed_login_count >= 0", name=op.f("ck_operators_failed_login_count")),
        sa.CheckConstraint("username = lower(username)", name=op.f("ck_operators_username_lower")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("username", name=op.f("uq_operators_username")),
    )
    op.create_table(
        "password_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("min_length", sa.Integer(), server_default=sa.text("15"), nullable=False),
        sa.Column("max_length", sa.Integer(), server_default=sa.text("128"), nullable=False),
        sa.Column("require_lower", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("require_upper", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("require_digit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("require_symbol", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("history_count", sa.Integer(), server_default=sa.text("5"), nullable=False),
        sa.Column("max_failed_logins", sa.Integer(), server_default=sa.text("5"), nullable=False),
        sa.Column("lockout_minutes", sa.Integer(), server_default=sa.text("15"), nullable=False),
        sa.Column(
            "temp_password_ttl_hours", sa.Integer(), server_default=sa.text("24"), nullable=False
        ),
        sa.Column(
            "reset_token_ttl_minutes", sa.Integer(), server_default=sa.text("30"), nullable=False
        ),
        sa.Column("max_resets_per_hour", sa.Integer(), server_default=sa.text("3"), nullable=False),
        sa.Column(
            "escalation_min_delay_minutes",
            sa.Integer(),
            server_default=sa.text("1"),
            nullable=False,
        ),
        sa.Column(
            "escalation_max_delay_minutes",
            sa.Integer(),
            server_default=sa.text("1440"),
            nullable=False,
        ),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "max_resets_per_hour >= 1 AND max_failed_logins >= 1 AND lockout_minutes >= 1 AND history_count >= 0 AND temp_password_ttl_hours >= 1 AND reset_token_ttl_minutes >= 1",
            name=op.f("ck_password_policy_positive_limits"),
        ),
        sa.CheckConstraint(
            "escalation_min_delay_minutes >= 1 AND escalation_max_delay_minutes <= 1440 AND escalation_min_delay_minutes <= escalation_max_delay_minutes",
            name=op.f("ck_password_policy_escalation_delays"),
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_password_policy_single_row")),
        sa.CheckConstraint(
            "min_length >= 8 AND max_length >= 64 AND max_length >= min_length",
            name=op.f("ck_password_policy_lengths"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_policy")),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("service_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("monthly_value", Money(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_contracts_status")),
        # SQLite stores integer cents (see models.base.Money): refuse a REAL slipped in by raw SQL.
        *(
            [
                sa.CheckConstraint(
                    "typeof(monthly_value) = 'integer'",
                    name=op.f("ck_contracts_monthly_value_cents"),
                )
            ]
            if dialect == "sqlite"
            else []
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_contracts_dates")
        ),
        sa.CheckConstraint(
            "length(currency) = 3 AND currency = upper(currency)",
            name=op.f("ck_contracts_currency"),
        ),
        sa.CheckConstraint(
            "monthly_value >= 0", name=op.f("ck_contracts_monthly_value_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_contracts_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("number", name=op.f("uq_contracts_number")),
    )
    op.create_index(
        "ix_contracts_customer_end", "contracts", ["customer_id", "end_date", "id"], unique=False
    )
    op.create_index(
        "ix_contracts_customer_number", "contracts", ["customer_id", "number"], unique=False
    )
    op.create_index(
        "ix_contracts_customer_service",
        "contracts",
        ["customer_id", "service_name", "id"],
        unique=False,
    )
    op.create_index(
        "ix_contracts_customer_start",
        "contracts",
        ["customer_id", "start_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_contracts_customer_value",
        "contracts",
        ["customer_id", "monthly_value", "id"],
        unique=False,
    )
    op.create_index(
        "ix_contracts_number_prefix",
        "contracts",
        ["number"],
        unique=False,
        postgresql_ops={"number": "text_pattern_ops"},
    )
    op.create_index(
        "ix_contracts_totals",
        "contracts",
        ["customer_id", "status", "currency", "monthly_value"],
        unique=False,
    )

    op.create_table(
        "escalation_chains",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_escalation_chains_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_chains")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_escalation_chains_customer_id")),
    )
    op.create_table(
        "portal_users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("login", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("preposto_level", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_changed_at", UTCDateTime(), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("temp_password_expires_at", UTCDateTime(), nullable=True),
        sa.Column("failed_login_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name_norm", sa.String(length=200), nullable=False),
        sa.Column("email_norm", sa.String(length=254), nullable=False),
        sa.CheckConstraint(
            "failed_login_count >= 0", name=op.f("ck_portal_users_failed_login_count")
        ),
        sa.CheckConstraint("login = lower(login)", name=op.f("ck_portal_users_login_lower")),
        sa.CheckConstraint(
            "preposto_level BETWEEN 1 AND 3", name=op.f("ck_portal_users_preposto_level")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_portal_users_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_users")),
        sa.UniqueConstraint("login", name=op.f("uq_portal_users_login")),
    )
    op.create_index("ix_portal_users_customer_id", "portal_users", ["customer_id"], unique=False)
    op.create_index(
        "ix_portal_users_email_norm",
        "portal_users",
        ["email_norm"],
        unique=False,
        postgresql_ops={"email_norm": "text_pattern_ops"},
    )
    op.create_index(
        "ix_portal_users_name_norm",
        "portal_users",
        ["name_norm"],
        unique=False,
        postgresql_ops={"name_norm": "text_pattern_ops"},
    )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column(
            "operator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "portal_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("ticket_ref", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_audit_events_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_audit_events_operator_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_audit_events_portal_user_id_portal_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        "ix_audit_events_action", "audit_events", ["action", "occurred_at"], unique=False
    )
    op.create_index(
        "ix_audit_events_customer", "audit_events", ["customer_id", "occurred_at"], unique=False
    )
    op.create_index("ix_audit_events_occurred_at", "audit_events", ["occurred_at"], unique=False)
    op.create_index(
        "ix_audit_events_operator", "audit_events", ["operator_id", "occurred_at"], unique=False
    )

    op.create_table(
        "escalation_contacts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chain_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role_title", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.Column("name_norm", sa.String(length=200), nullable=False),
        sa.Column("email_norm", sa.String(length=254), nullable=True),
        sa.CheckConstraint(
            "(level = 1 AND delay_minutes = 0) OR (level > 1 AND delay_minutes BETWEEN 1 AND 1440)",
            name=op.f("ck_escalation_contacts_delay_minutes"),
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_escalation_contacts_level")),
        sa.CheckConstraint(
            "phone IS NOT NULL OR email IS NOT NULL",
            name=op.f("ck_escalation_contacts_has_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["chain_id"],
            ["escalation_chains.id"],
            name=op.f("fk_escalation_contacts_chain_id_escalation_chains"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_contacts")),
        sa.UniqueConstraint(
            "chain_id", "level", name=op.f("uq_escalation_contacts_chain_id_level")
        ),
    )
    op.create_index(
        "ix_escalation_contacts_email_norm",
        "escalation_contacts",
        ["email_norm"],
        unique=False,
        postgresql_ops={"email_norm": "text_pattern_ops"},
    )
    op.create_index(
        "ix_escalation_contacts_phone",
        "escalation_contacts",
        ["phone"],
        unique=False,
        postgresql_ops={"phone": "text_pattern_ops"},
    )

    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column(
            "portal_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_notification_outbox_attempts")),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_notification_outbox_portal_user_id_portal_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
    )
    op.create_index(
        "ix_notification_outbox_pending",
        "notification_outbox",
        ["sent_at", "created_at"],
        unique=False,
    )

    op.create_table(
        "password_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "portal_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_password_history_portal_user_id_portal_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_history")),
    )
    op.create_index(
        "ix_password_history_user_created",
        "password_history",
        ["portal_user_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "password_reset_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "portal_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column(
            "created_by_operator_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_operator_id"],
            ["operators.id"],
            name=op.f("fk_password_reset_tokens_created_by_operator_id_operators"),
        ),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_password_reset_tokens_portal_user_id_portal_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_tokens_token_hash")),
    )
    op.create_index(
        "ix_password_reset_tokens_user",
        "password_reset_tokens",
        ["portal_user_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "portal_sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "portal_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_portal_sessions_portal_user_id_portal_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_portal_sessions_token_hash")),
    )
    op.create_index(
        "ix_portal_sessions_user_revoked",
        "portal_sessions",
        ["portal_user_id", "revoked_at"],
        unique=False,
    )

    # The one row of rules, with its defaults (NIST SP 800-63B rev 4).
    op.execute("INSERT INTO password_policy (id, updated_at) VALUES (1, CURRENT_TIMESTAMP)")
    # Search indexes and append-only triggers that autogenerate cannot express.
    for statement in search_objects.create_all(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in search_objects.SEARCH_COLUMNS:
            op.execute(f"DROP TABLE IF EXISTS {search_objects.fts_table(table)}")
    for table in (
        "portal_sessions",
        "password_reset_tokens",
        "password_history",
        "notification_outbox",
        "escalation_contacts",
        "audit_events",
        "portal_users",
        "escalation_chains",
        "contracts",
        "password_policy",
        "operators",
        "customers",
    ):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
