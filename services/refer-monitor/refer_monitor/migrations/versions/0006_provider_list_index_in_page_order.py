"""provider referral list index in the page's order (created_at DESC, id)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The page is ORDER BY created_at DESC, id: the old (contract_reference, created_at) index left the
    # id tie-break to a sort of every referral on the contract. This one serves the whole order.
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_contract_created")
        batch_op.create_index(
            "ix_referral_contract_created_id", ["contract_reference", sa.column("created_at").desc(), "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_contract_created_id")
        batch_op.create_index("ix_referral_contract_created", ["contract_reference", "created_at"], unique=False)
