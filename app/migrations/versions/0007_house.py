"""house of the people: national motions and the outcome projection

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "house_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=True),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("assembly_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("assembly_slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("meetup_title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("ballots_cast", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("yes", sa.Integer(), nullable=True),
        sa.Column("no", sa.Integer(), nullable=True),
        sa.Column("abstain", sa.Integer(), nullable=True),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("chain_head", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vote_id"),
    )
    with op.batch_alter_table("house_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_house_outcome_assembly_id"), ["assembly_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_house_outcome_motion_id"), ["motion_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_house_outcome_recorded_at"), ["recorded_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_house_outcome_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_house_outcome_seq"), ["seq"], unique=False)

    op.create_table(
        "national_motion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("wording", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("wording_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closes_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("assembly_ids", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["national_motion.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("motion_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_vote_motion_id", "national_motion", ["motion_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_constraint("fk_vote_motion_id", type_="foreignkey")
        batch_op.drop_column("motion_id")

    op.drop_table("national_motion")
    with op.batch_alter_table("house_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_house_outcome_seq"))
        batch_op.drop_index(batch_op.f("ix_house_outcome_region"))
        batch_op.drop_index(batch_op.f("ix_house_outcome_recorded_at"))
        batch_op.drop_index(batch_op.f("ix_house_outcome_motion_id"))
        batch_op.drop_index(batch_op.f("ix_house_outcome_assembly_id"))

    op.drop_table("house_outcome")
