"""platform tables

Revision ID: 0001
Revises:
Create Date: 2026-12-02T00:39:17+00:00
"""

from probation_shared.migrations import create_platform_tables, drop_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables()


def downgrade() -> None:
    drop_platform_tables()
