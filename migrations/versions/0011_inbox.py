"""inbox: notifications, each person's notification settings, e-mail addresses, units' group robots

Revision ID: 0011
Revises: 0010

(Re-chained after 0010 when the branches meet.)
"""

import sqlalchemy as sa
from alembic import op

import tracker.models.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EVENTS = ("assigned", "due_soon", "overdue", "submitted", "returned", "closed", "extension_asked",
          "extension_decided", "approval_asked", "sheet_assigned", "appeal_answered", "round_published",
          "meeting_returned", "remind", "warn", "supervise")


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.Enum(*EVENTS, name="event", native_enum=False, create_constraint=False, length=24),
                  nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("params", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", tracker.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", tracker.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_notification_actor_id_user_account")),
        sa.ForeignKeyConstraint(["recipient_id"], ["user_account.id"],
                                name=op.f("fk_notification_recipient_id_user_account")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_notification_unit_id_org_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("recipient_id", "dedupe_key", name="uq_notification_recipient_dedupe"),
    )
    op.create_index("ix_notification_recipient", "notification", ["recipient_id", "id"], unique=False)
    op.create_table(
        "notification_setting",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("muted", sa.JSON(), nullable=False),
        sa.Column("by_email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_notification_setting_user_id_user_account")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_setting")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_kind", sa.Enum("wecom", "dingtalk", name="webhookkind", native_enum=False,
                                                              create_constraint=False, length=16), nullable=True))
        batch_op.add_column(sa.Column("webhook_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("webhook_secret", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("org_unit", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret")
        batch_op.drop_column("webhook_url")
        batch_op.drop_column("webhook_kind")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email")
    op.drop_table("notification_setting")
    op.drop_index("ix_notification_recipient", table_name="notification")
    op.drop_table("notification")
