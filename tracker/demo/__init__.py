"""Demo data for `flask seed-demo`: a 机关党委 with two 党总支 and six 党支部, and its people.

Each feature adds its own step module; `seed_demo` runs them in order, once.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from ..extensions import db
from ..models import OrgUnit, User
from ..domain_errors import N_, DomainError, Reason
from . import ledger, meetings, org, projects, reviews

DEMO_PASSWORD = "demo12345"
ROOT_NAME = org.ROOT_NAME


def is_seeded() -> bool:
    return db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.name == ROOT_NAME)) is not None


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(OrgUnit.id).limit(1)) is None


def seed_demo(echo: Callable[[str], None] = print, *, force: bool = False) -> bool:
    """Create the demo organisation, users and records; returns False (and changes nothing) if done.

    Raises DomainError, changing nothing, when the database already holds other data (unless
    `force`: the demo's users all have a published password) or, forced or not, when one of the
    demo's usernames is taken.
    """
    if is_seeded():
        return False
    if not force and not database_is_empty():
        units = db.session.scalar(sa.select(sa.func.count(OrgUnit.id)))
        users = db.session.scalar(sa.select(sa.func.count(User.id)))
        raise DomainError(Reason(
            N_("The database already holds other data (units: %(units)d, users: %(users)d). The demo would add a "
               "second organisation whose users all have the published password %(password)s. Seed the demo "
               "into an empty database, or add --force to add it anyway."),
            {"units": units, "users": users, "password": DEMO_PASSWORD}, code="not_empty"))
    taken = sorted(db.session.scalars(sa.select(User.username).where(User.username.in_(org.USERNAMES))))
    if taken:
        raise DomainError(Reason(N_("The demo cannot be added: these of its usernames are already taken: %(names)s."),
                                 {"names": ", ".join(taken)}, code="usernames_taken"))
    ctx = org.seed(DEMO_PASSWORD)
    # Feature steps follow here, each taking the context of the organisation step.
    projects.seed(ctx)
    ledger.seed(ctx)
    reviews.seed(ctx)
    ledger.advance_review_items(ctx)
    meetings.seed(ctx)
    db.session.flush()
    echo(org.describe(ctx, DEMO_PASSWORD))
    return True
