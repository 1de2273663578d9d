"""motion methods: a national motion is decided yes/no/abstain or by consent; outcomes keep
their counts per option

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("national_motion") as batch:
        batch.add_column(
            sa.Column(
                "method",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="yes_no",
            )
        )
    with op.batch_alter_table("house_outcome") as batch:
        batch.add_column(sa.Column("counts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("house_outcome") as batch:
        batch.drop_column("counts")
    with op.batch_alter_table("national_motion") as batch:
        batch.drop_column("method")
