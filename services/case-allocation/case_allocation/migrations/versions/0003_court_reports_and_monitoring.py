"""court reports in workload; curfew / electronic monitoring details on requirements

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "court_report",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("staff_code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["staff_code"], ["staff.code"], name=op.f("fk_court_report_staff_code_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_report")),
    )
    with op.batch_alter_table("court_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_court_report_staff_code"), ["staff_code"], unique=False)
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("monitoring", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_column("monitoring")
    with op.batch_alter_table("court_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_court_report_staff_code"))
    op.drop_table("court_report")
