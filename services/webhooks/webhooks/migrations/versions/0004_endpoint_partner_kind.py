"""endpoint partner kind: PROVIDER or POLICE

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # With a server default, so the previous release's code (which does not write it) keeps registering providers.
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("partner_kind", sa.String(length=20), server_default="PROVIDER", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.drop_column("partner_kind")
