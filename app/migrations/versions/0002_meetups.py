"""meetups, series, registrations, outbox

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetup_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("rrule", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("first_start_local", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("cancelled_from", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meetup_series", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetup_series_assembly_id"), ["assembly_id"], unique=False
        )

    op.create_table(
        "meetup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("detached", sa.Boolean(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("agenda_summary", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("starts_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ends_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("venue_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("venue_address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column(
            "accessibility_notes", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False
        ),
        sa.Column("online_link", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("registration_opens_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("registration_closes_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("checkin_opens_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["meetup_series.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meetup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetup_assembly_id"), ["assembly_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetup_series_id"), ["series_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetup_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("ticket_token", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("short_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("promoted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetup.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("short_code"),
        sa.UniqueConstraint("ticket_token"),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_meetup_id"), ["meetup_id"], unique=False)
        batch_op.create_index(
            "uq_registration_active_email",
            ["meetup_id", "email"],
            unique=True,
            sqlite_where=sa.text("email IS NOT NULL AND status != 'cancelled'"),
            postgresql_where=sa.text("email IS NOT NULL AND status != 'cancelled'"),
        )

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["assembly.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetup.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_assembly_id"), ["assembly_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_meetup_id"), ["meetup_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_meetup_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_assembly_id"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_registration_active_email",
            sqlite_where=sa.text("email IS NOT NULL AND status != 'cancelled'"),
            postgresql_where=sa.text("email IS NOT NULL AND status != 'cancelled'"),
        )
        batch_op.drop_index(batch_op.f("ix_registration_meetup_id"))

    op.drop_table("registration")
    with op.batch_alter_table("meetup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetup_starts_at"))
        batch_op.drop_index(batch_op.f("ix_meetup_series_id"))
        batch_op.drop_index(batch_op.f("ix_meetup_assembly_id"))

    op.drop_table("meetup")
    with op.batch_alter_table("meetup_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetup_series_assembly_id"))

    op.drop_table("meetup_series")
