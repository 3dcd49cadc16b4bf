"""review loop: veto decisions, and what each ledger link last published

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import tracker.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_veto_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("is_applied", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", tracker.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["appeal_id"], ["review_appeal.id"],
                                name=op.f("fk_review_veto_decision_appeal_id_review_appeal")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"],
                                name=op.f("fk_review_veto_decision_decided_by_id_user_account")),
        sa.ForeignKeyConstraint(["item_id"], ["review_rubric_item.id"],
                                name=op.f("fk_review_veto_decision_item_id_review_rubric_item")),
        sa.ForeignKeyConstraint(["round_id"], ["review_round.id"],
                                name=op.f("fk_review_veto_decision_round_id_review_round")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_review_veto_decision_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_veto_decision")),
        sa.UniqueConstraint("round_id", "unit_id", "item_id", name="uq_review_veto_decision"),
    )
    with op.batch_alter_table("review_veto_decision") as batch:
        batch.create_index(batch.f("ix_review_veto_decision_round_id"), ["round_id"], unique=False)
        batch.create_index(batch.f("ix_review_veto_decision_unit_id"), ["unit_id"], unique=False)

    with op.batch_alter_table("review_ledger_link") as batch:
        batch.add_column(sa.Column("deduction", sa.Numeric(precision=7, scale=2), nullable=True))
        batch.add_column(sa.Column("problem", sa.Text(), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", tracker.models.base.UTCDateTime(timezone=True), nullable=True))
    # Links made before this revision published what their ledger item says.
    op.execute(
        "UPDATE review_ledger_link SET "
        "deduction = (SELECT deduction FROM ledger_item WHERE ledger_item.id = review_ledger_link.ledger_item_id), "
        "problem = (SELECT problem FROM ledger_item WHERE ledger_item.id = review_ledger_link.ledger_item_id)"
    )


def downgrade():
    with op.batch_alter_table("review_ledger_link") as batch:
        batch.drop_column("withdrawn_at")
        batch.drop_column("problem")
        batch.drop_column("deduction")
    with op.batch_alter_table("review_veto_decision") as batch:
        batch.drop_index(batch.f("ix_review_veto_decision_unit_id"))
        batch.drop_index(batch.f("ix_review_veto_decision_round_id"))
    op.drop_table("review_veto_decision")
