"""local amendments: a motion may amend a national motion, for the assembly that proposed it

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("national_motion") as batch:
        batch.add_column(sa.Column("amends_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("proposed_by_assembly_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_national_motion_amends_id", "national_motion", ["amends_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_national_motion_proposed_by_assembly_id",
            "assembly",
            ["proposed_by_assembly_id"],
            ["id"],
        )
        batch.create_index("ix_national_motion_amends_id", ["amends_id"])


def downgrade() -> None:
    with op.batch_alter_table("national_motion") as batch:
        batch.drop_index("ix_national_motion_amends_id")
        batch.drop_constraint("fk_national_motion_proposed_by_assembly_id", type_="foreignkey")
        batch.drop_constraint("fk_national_motion_amends_id", type_="foreignkey")
        batch.drop_column("proposed_by_assembly_id")
        batch.drop_column("amends_id")
