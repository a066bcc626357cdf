"""prisoner licence conditions (the pack explains each in plain English)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prisoner") as batch:
        batch.add_column(sa.Column("licence_conditions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prisoner") as batch:
        batch.drop_column("licence_conditions")
