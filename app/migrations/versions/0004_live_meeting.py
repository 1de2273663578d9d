"""live meeting: agenda, proposals, supports, speaking queue, signals

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetup.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_item_meetup_id"), ["meetup_id"], unique=False)

    op.create_table(
        "hand_signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetup.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meetup_id", "registration_id", "kind", name="uq_hand_signal"),
    )
    with op.batch_alter_table("hand_signal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hand_signal_meetup_id"), ["meetup_id"], unique=False)

    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("author_registration_id", sa.Integer(), nullable=True),
        sa.Column("by_facilitator", sa.Boolean(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("return_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("agenda_order", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_registration_id"],
            ["registration.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetup.id"],
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["proposal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["proposal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meetup_id", "client_id", name="uq_proposal_client_id"),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_meetup_id"), ["meetup_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "speaker_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("called_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetup.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("speaker_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_speaker_request_meetup_id"), ["meetup_id"], unique=False
        )

    op.create_table(
        "meeting_state",
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("discussing_proposal_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["discussing_proposal_id"],
            ["proposal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetup.id"],
        ),
        sa.PrimaryKeyConstraint("meetup_id"),
    )
    op.create_table(
        "support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "registration_id", name="uq_support"),
    )
    with op.batch_alter_table("support", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_proposal_id"), ["proposal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_proposal_id"))

    op.drop_table("support")
    op.drop_table("meeting_state")
    with op.batch_alter_table("speaker_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speaker_request_meetup_id"))

    op.drop_table("speaker_request")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_parent_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_meetup_id"))

    op.drop_table("proposal")
    with op.batch_alter_table("hand_signal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hand_signal_meetup_id"))

    op.drop_table("hand_signal")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_meetup_id"))

    op.drop_table("agenda_item")
