"""door scan ids scoped to the meetup

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("door_scan", schema=None) as batch_op:
        batch_op.alter_column(
            "scan_id",
            existing_type=sa.VARCHAR(length=64),
            type_=sqlmodel.sql.sqltypes.AutoString(length=80),
            existing_nullable=False,
        )
    op.execute("UPDATE door_scan SET scan_id = meetup_id || ':' || scan_id")


def downgrade() -> None:
    with op.batch_alter_table("door_scan", schema=None) as batch_op:
        batch_op.alter_column(
            "scan_id",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=80),
            type_=sa.VARCHAR(length=64),
            existing_nullable=False,
        )
