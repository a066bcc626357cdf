"""assignment history, provider caseworkers, contract changes, responsibility; contract types as codes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Contract types move from long names to the anchor's codes (WOMENS_SERVICES → WOS, ...).
LEGACY = {
    "ACCOMMODATION": "ACC",
    "PERSONAL_WELLBEING": "PWB",
    "WOMENS_SERVICES": "WOS",
    "FINANCE_BENEFITS_DEBT": "FBD",
    "DEPENDENCY_RECOVERY": "DNR",
}


def upgrade() -> None:
    op.create_table(
        "referral_assignment",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("provider_id", sa.String(length=50), nullable=False),
        sa.Column("assigned_from", sa.String(length=200), nullable=True),
        sa.Column("assigned_to", sa.String(length=200), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_referral_assignment_referral_id_referral")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_assignment")),
    )
    op.create_index(
        op.f("ix_referral_assignment_referral_id"), "referral_assignment", ["referral_id"], unique=False
    )
    op.create_table(
        "provider_caseworker",
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("provider_id", sa.String(length=50), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_provider_caseworker_provider_id_provider")
        ),
        sa.PrimaryKeyConstraint("subject", "provider_id", name=op.f("pk_provider_caseworker")),
    )
    op.create_table(
        "contract_change",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("contract_reference", sa.String(length=30), nullable=False),
        sa.Column("field", sa.String(length=50), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_reference"], ["contract.reference"], name=op.f("fk_contract_change_contract_reference_contract")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_change")),
    )
    op.create_index(
        op.f("ix_contract_change_contract_reference"), "contract_change", ["contract_reference"], unique=False
    )
    with op.batch_alter_table("person_projection") as batch:
        batch.add_column(sa.Column("responsible", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("handover_date", sa.Date(), nullable=True))
    contract = sa.table("contract", sa.column("contract_type", sa.String))
    for old, new in LEGACY.items():
        op.execute(contract.update().where(contract.c.contract_type == old).values(contract_type=new))


def downgrade() -> None:
    contract = sa.table("contract", sa.column("contract_type", sa.String))
    for old, new in LEGACY.items():
        op.execute(contract.update().where(contract.c.contract_type == new).values(contract_type=old))
    with op.batch_alter_table("person_projection") as batch:
        batch.drop_column("handover_date")
        batch.drop_column("responsible")
    op.drop_index(op.f("ix_contract_change_contract_reference"), table_name="contract_change")
    op.drop_table("contract_change")
    op.drop_table("provider_caseworker")
    op.drop_index(op.f("ix_referral_assignment_referral_id"), table_name="referral_assignment")
    op.drop_table("referral_assignment")
