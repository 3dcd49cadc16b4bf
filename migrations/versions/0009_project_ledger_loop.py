"""project and ledger loop: checklist item versions, refused 立项审批, due dates of 立行立改 and 长期坚持 items

Revision ID: 0009
Revises: 0008

Checklist items carry a version (two saves crossing: the second is refused). A project records a
refused approval (who, when, why) until its owner asks again. 立行立改 items without a date get
their registration day plus LEDGER_IMMEDIATE_DAYS (default 7); 长期坚持 items get the day their
next monthly progress entry is due (a month after the latest one, or after registration).
"""

import calendar
import os
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

import tracker.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LOCAL_OFFSET = timedelta(hours=8)  # Asia/Shanghai has no daylight saving


def _local_day(value) -> date:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return (value + LOCAL_OFFSET).date()


def _plus_month(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def upgrade():
    with op.batch_alter_table("checklist_item") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("approval_refusal", sa.Text(), nullable=True))
        batch.add_column(sa.Column("approval_refused_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("approval_refused_at", tracker.models.base.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.create_foreign_key(op.f("fk_project_approval_refused_by_id_user_account"), "user_account",
                                 ["approval_refused_by_id"], ["id"])
    _backfill_deadlines()


def _backfill_deadlines():
    connection = op.get_bind()
    window = timedelta(days=int(os.environ.get("LEDGER_IMMEDIATE_DAYS", "7")))
    items = sa.table("ledger_item", sa.column("id", sa.Integer), sa.column("deadline_kind", sa.String),
                     sa.column("deadline", sa.Date), sa.column("created_at", sa.DateTime))
    progress = sa.table("ledger_progress", sa.column("item_id", sa.Integer), sa.column("on_date", sa.Date))
    latest = dict(connection.execute(sa.select(progress.c.item_id, sa.func.max(progress.c.on_date))
                                     .group_by(progress.c.item_id)).all())
    rows = connection.execute(sa.select(items.c.id, items.c.deadline_kind, items.c.created_at).where(
        items.c.deadline.is_(None), items.c.deadline_kind.in_(["immediate", "ongoing"]))).all()
    for item_id, kind, created_at in rows:
        registered = _local_day(created_at)
        if kind == "immediate":
            due = registered + window
        else:
            last = latest.get(item_id)
            if isinstance(last, str):
                last = date.fromisoformat(last)
            due = _plus_month(max(filter(None, (last, registered))))
        connection.execute(items.update().where(items.c.id == item_id).values(deadline=due))


def downgrade():
    with op.batch_alter_table("project") as batch:
        batch.drop_constraint(op.f("fk_project_approval_refused_by_id_user_account"), type_="foreignkey")
        batch.drop_column("approval_refused_at")
        batch.drop_column("approval_refused_by_id")
        batch.drop_column("approval_refusal")
    with op.batch_alter_table("checklist_item") as batch:
        batch.drop_column("version")
