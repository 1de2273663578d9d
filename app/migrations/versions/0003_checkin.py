"""check-in: attendance on registrations, door scans, walk-ins

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "door_scan",
        sa.Column("scan_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meetup_id"],
            ["meetup.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
        ),
        sa.PrimaryKeyConstraint("scan_id"),
    )
    with op.batch_alter_table("door_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_door_scan_meetup_id"), ["meetup_id"], unique=False)

    with op.batch_alter_table("meetup", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("walk_ins_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("walk_in", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "qr_nonce",
                sqlmodel.sql.sqltypes.AutoString(length=24),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("checked_in_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "checked_in_device",
                sqlmodel.sql.sqltypes.AutoString(length=60),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("checked_out_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("device_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_registration_device_hash"), ["device_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_device_hash"))
        batch_op.drop_column("device_hash")
        batch_op.drop_column("checked_out_at")
        batch_op.drop_column("checked_in_device")
        batch_op.drop_column("checked_in_at")
        batch_op.drop_column("qr_nonce")
        batch_op.drop_column("walk_in")

    with op.batch_alter_table("meetup", schema=None) as batch_op:
        batch_op.drop_column("walk_ins_enabled")

    with op.batch_alter_table("door_scan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_door_scan_meetup_id"))

    op.drop_table("door_scan")
