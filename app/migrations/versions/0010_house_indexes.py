"""house_outcome indexes for the national scale: each filter with the feed's order

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (name, columns): a filter followed by `seq`, so a filtered page is read in order from the
# index; and the assembly filter's list (slug, name) read from the index alone.
INDEXES = (
    ("ix_house_outcome_region_seq", ["region", "seq"]),
    ("ix_house_outcome_motion_seq", ["motion_id", "seq"]),
    ("ix_house_outcome_slug_seq", ["assembly_slug", "seq"]),
    ("ix_house_outcome_slug_name", ["assembly_slug", "assembly_name"]),
)


def upgrade() -> None:
    with op.batch_alter_table("house_outcome", schema=None) as batch_op:
        batch_op.drop_index("ix_house_outcome_region")
        batch_op.drop_index("ix_house_outcome_motion_id")
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("house_outcome", schema=None) as batch_op:
        for name, _columns in INDEXES:
            batch_op.drop_index(name)
        batch_op.create_index("ix_house_outcome_motion_id", ["motion_id"], unique=False)
        batch_op.create_index("ix_house_outcome_region", ["region"], unique=False)
