"""Fixtures of the ledger tests: a small organisation with a leader, a secretary, members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tracker.models import ItemSource, OrgUnit, Role, User

from ledger.ledger_support import get


@dataclass
class LedgerWorld:
    root: OrgUnit
    branch: OrgUnit
    other_branch: OrgUnit
    leader: User
    secretary: User
    owner: User
    verifier: User
    other_secretary: User


@pytest.fixture
def world(make_unit, make_user) -> LedgerWorld:
    root = make_unit("机关党委")
    general = make_unit("第一党总支", root)
    branch = make_unit("办公室党支部", general)
    other = make_unit("信息中心党支部", general)
    return LedgerWorld(
        root=root, branch=branch, other_branch=other,
        leader=make_user("lw_leader", root, Role.leader),
        secretary=make_user("lw_sec", branch, Role.secretary),
        owner=make_user("lw_owner", branch, Role.member),
        verifier=make_user("lw_verifier", other, Role.secretary),
        other_secretary=make_user("lw_sec2", other, Role.secretary),
    )

@pytest.fixture
def new_item(in_db, world):
    """Create an item in the world's branch: `new_item(**overrides)` → its id."""
    from tracker.ledger.operations import create_item, local_today

    def make(**overrides):
        def create():
            kwargs = dict(unit=get(OrgUnit, world.branch), problem="“三会一课”记录不规范，缺少会议签到",
                          source=ItemSource.self_check, owner=get(User, world.owner),
                          verifier=get(User, world.verifier), deadline=local_today() + timedelta(days=30))
            kwargs.update({k: get(type(v), v) if isinstance(v, (User, OrgUnit)) else v for k, v in overrides.items()})
            return create_item(get(User, world.leader), **kwargs).id

        return in_db(create)

    return make

