"""sentence prison code (resettlement: a prison offender manager sees their own prison's people)

Revision ID: res_0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "res_0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sentence") as batch:
        batch.add_column(sa.Column("prison_code", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sentence") as batch:
        batch.drop_column("prison_code")
