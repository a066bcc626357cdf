"""sentence prison code (resettlement: a prison offender manager sees their own prison's people)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sentence") as batch:
        batch.add_column(sa.Column("prison_code", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sentence") as batch:
        batch.drop_column("prison_code")
