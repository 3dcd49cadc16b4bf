"""A branch with its secretary and a member, and the leader above them, for the inbox tests."""

import pytest

from tracker.extensions import db
from tracker.models import Notification, OrgUnit, Role, User


@pytest.fixture
def people(make_unit, make_user):
    root = make_unit("机关党委")
    branch = make_unit("一支部", make_unit("一总支", root))
    return {
        "unit": branch,
        "leader": make_user("leader", root, Role.leader),
        "sec": make_user("sec", branch, Role.secretary),
        "member": make_user("member", branch, Role.member),
    }


@pytest.fixture
def send(in_db):
    """`send(actor, [recipients], event, **kw)`: notify about the branch (a record every test has)."""
    from tracker.inbox.operations import notify

    def do(actor, recipients, event="assigned", subject_unit=None, **kwargs):
        def run():
            subject = db.session.get(OrgUnit, subject_unit.id)
            return notify(db.session.get(User, actor.id) if actor else None,
                          [u and db.session.get(User, u.id) for u in recipients], event, subject, **kwargs)
        return in_db(run)

    return do


def notices_of(user) -> list[Notification]:
    import sqlalchemy as sa

    return list(db.session.scalars(sa.select(Notification).where(Notification.recipient_id == user.id)
                                   .order_by(Notification.id)))
