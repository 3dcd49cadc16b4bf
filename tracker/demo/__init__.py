"""Demo data for `flask seed-demo`: a 机关党委 with two 党总支 and six 党支部, and its people.

Each feature adds its own step module; `seed_demo` runs them in order, once.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from ..extensions import db
from ..models import OrgUnit
from . import ledger, org, projects, reviews

DEMO_PASSWORD = "demo12345"
ROOT_NAME = org.ROOT_NAME


def is_seeded() -> bool:
    return db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.name == ROOT_NAME)) is not None


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(OrgUnit.id).limit(1)) is None


def seed_demo(echo: Callable[[str], None] = print) -> bool:
    """Create the demo organisation, users and records; returns False (and changes nothing) if done."""
    if is_seeded():
        return False
    ctx = org.seed(DEMO_PASSWORD)
    # Feature steps follow here, each taking the context of the organisation step.
    projects.seed(ctx)
    ledger.seed(ctx)
    reviews.seed(ctx)
    ledger.advance_review_items(ctx)
    db.session.flush()
    echo(org.describe(ctx, DEMO_PASSWORD))
    return True
