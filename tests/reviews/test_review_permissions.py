"""The permission matrix of every review route: route × role × in/out of scope.

In scope: a round run by 一总支 over 一支部 and 二支部 (peer review under way), the scoresheet of
一支部's team on 二支部, a rubric kept by the 机关党委, an appeal by 一支部. Out of scope: the same
records in the stranger's 党委. Reviewers see their own sheet only; nobody but the round's leaders
sees results or a unit's deductions before the appeal window; out of scope everything is a 404.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Appeal, OrgUnit, Score, Scoresheet, UnitKind
from tracker.reviews import operations as ops
from tracker.reviews.workflow import RoundState

from matrix import DENY, MISSING, OK, ROLES, check
ALL = {"admin": OK, "leader": OK, "secretary": OK, "member": OK}
MANAGERS = {"admin": OK, "leader": OK, "secretary": DENY, "member": DENY}
TEAM = {"admin": DENY, "leader": DENY, "secretary": OK, "member": OK}
HIDDEN = {"admin": OK, "leader": OK, "secretary": MISSING, "member": MISSING}
RUBRIC_EDIT = {"admin": OK, "leader": DENY, "secretary": DENY, "member": DENY}


@pytest.fixture
def records(perm_world, in_db):
    """{scope: {round, pair, sheet, unit, item, rubric, appeal}} ids."""
    from tracker.orgs.operations import create_unit

    def build(root_key: str, run_key: str, branch_key: str, scope: str):
        root = db.session.get(OrgUnit, perm_world.units[root_key].id)
        runner = db.session.get(OrgUnit, perm_world.units[run_key].id)
        if scope == "out":
            create_unit(None, "外单位二支部", UnitKind.branch, db.session.get(OrgUnit, runner.id))
        rubric = ops.create_rubric(None, root, f"考评细则{scope}")
        category = ops.add_rubric_item(None, rubric, title="组织生活", points=Decimal(10))
        item = ops.add_rubric_item(None, rubric, parent=category, title="三会一课", points=Decimal(5),
                                   rule="少一次扣0.5分")
        ops.add_rubric_item(None, rubric, parent=category, title="主题党日", points=Decimal(5))
        db.session.refresh(rubric)
        round_ = ops.create_round(None, name=f"互查{scope}", year=2026, quarter=4, rubric=rubric, unit=runner, k=1,
                                  seed=1, rectification_due=date(2027, 1, 31))
        ops.generate_assignment(None, round_)
        ops.move_round(None, round_, RoundState.reviewing)
        branch = perm_world.units[branch_key].id
        sheets = db.session.scalars(sa.select(Scoresheet).where(Scoresheet.round_id == round_.id)).all()
        mine = next(s for s in sheets if s.reviewer_unit_id == branch)
        theirs = next(s for s in sheets if s.reviewee_unit_id == branch)
        score = Score(sheet_id=theirs.id, item_id=item.id, points=Decimal(4), note="党课少一次")
        db.session.add(score)
        db.session.flush()
        appeal = Appeal(round_id=round_.id, score_id=score.id, unit_id=branch, reason="已补课")
        db.session.add(appeal)
        db.session.flush()
        return {"round": round_.id, "pair": mine.pair_id, "sheet": mine.id, "unit": branch, "item": item.id,
                "rubric": rubric.id, "appeal": appeal.id}

    return {"in": in_db(build, "root", "g1", "b1", "in"), "out": in_db(build, "other", "other", "bx", "out")}


# (name, method, url(records of a scope), data, {role: expected in scope})
ROUTES = [
    ("round page", "GET", lambda r: f"/reviews/{r['round']}", None, ALL),
    ("generate assignment", "POST", lambda r: f"/reviews/{r['round']}/assignment", None, MANAGERS),
    ("override pair", "POST", lambda r: f"/reviews/{r['round']}/pairs/{r['pair']}", {"reason": ""}, MANAGERS),
    ("move round", "POST", lambda r: f"/reviews/{r['round']}/state", {"to": "appeal"}, MANAGERS),
    ("publish", "POST", lambda r: f"/reviews/{r['round']}/publish", None, MANAGERS),
    ("edit round", "GET", lambda r: f"/reviews/{r['round']}/edit", None, MANAGERS),
    ("save round", "POST", lambda r: f"/reviews/{r['round']}/edit", {"name": ""}, MANAGERS),
    ("decide veto", "POST", lambda r: f"/reviews/{r['round']}/vetoes/{r['unit']}/{r['item']}",
     {"decision": "apply", "reason": ""}, MANAGERS),
    ("results", "GET", lambda r: f"/reviews/{r['round']}/results", None, HIDDEN),
    ("results excel", "GET", lambda r: f"/reviews/{r['round']}/results.xlsx", None, HIDDEN),
    ("unit report", "GET", lambda r: f"/reviews/{r['round']}/units/{r['unit']}", None, HIDDEN),
    ("file appeal", "POST", lambda r: f"/reviews/{r['round']}/units/{r['unit']}/appeals", {"reason": "x"},
     {"admin": DENY, "leader": DENY, "secretary": MISSING, "member": MISSING}),
    ("answer appeal", "POST", lambda r: f"/reviews/appeals/{r['appeal']}", {"decision": "upheld", "answer": "维持"},
     HIDDEN),
    ("scoresheet", "GET", lambda r: f"/reviews/sheets/{r['sheet']}", None, ALL),
    ("save score", "POST", lambda r: f"/reviews/sheets/{r['sheet']}/scores/{r['item']}", {"points": "5"}, TEAM),
    ("save sheet field", "POST", lambda r: f"/reviews/sheets/{r['sheet']}/fields/highlights", {"highlights": "好"},
     TEAM),
    ("upload evidence", "POST", lambda r: f"/reviews/sheets/{r['sheet']}/evidence", None, TEAM),
    ("submit sheet", "POST", lambda r: f"/reviews/sheets/{r['sheet']}/submit", None, TEAM),
    ("exclude sheet", "POST", lambda r: f"/reviews/sheets/{r['sheet']}/exclude", {"reason": "出差"}, MANAGERS),
    ("rubric page", "GET", lambda r: f"/reviews/rubrics/{r['rubric']}", None, ALL),
    ("rubric excel", "GET", lambda r: f"/reviews/rubrics/{r['rubric']}.xlsx", None, ALL),
    ("rubric settings", "POST", lambda r: f"/reviews/rubrics/{r['rubric']}", {"name": ""}, RUBRIC_EDIT),
    ("rubric add item", "POST", lambda r: f"/reviews/rubrics/{r['rubric']}/items", {"title": ""}, RUBRIC_EDIT),
    ("rubric edit item", "POST", lambda r: f"/reviews/rubrics/{r['rubric']}/items/{r['item']}", {"title": ""},
     RUBRIC_EDIT),
    ("rubric remove item", "POST", lambda r: f"/reviews/rubrics/{r['rubric']}/items/{r['item']}/delete", None,
     RUBRIC_EDIT),
    ("rubric new version", "POST", lambda r: f"/reviews/rubrics/{r['rubric']}/editions", None, RUBRIC_EDIT),
]

PAGES = [
    ("GET", "/reviews/", None, ALL),
    ("GET", "/reviews/new", None, MANAGERS),
    ("POST", "/reviews/new", {"name": ""}, MANAGERS),
    ("GET", "/reviews/rubrics", None, ALL),
    ("GET", "/reviews/combined", None, ALL),
    ("POST", "/reviews/rubrics", {"name": ""}, MANAGERS),
    ("POST", "/reviews/rubrics/import", {"name": ""}, MANAGERS),
]


@pytest.mark.parametrize("name,method,url,data,expected", ROUTES, ids=[r[0] for r in ROUTES])
def test_route(records, access, name, method, url, data, expected):
    # One world per route (building it is the slow part); the roles take their turns in it.
    for role in ROLES:
        check(access(role, method, url(records["in"]), data), expected[role], role, name)
    for role in ROLES:
        assert access(role, method, url(records["out"]), data) == MISSING, f"{role} out of scope on {name}"
    assert access(None, method, url(records["in"]), data) == 302, f"anonymous on {name}"


@pytest.mark.parametrize("method,url,data,expected", PAGES, ids=[f"{p[0]} {p[1]}" for p in PAGES])
def test_pages(perm_world, access, method, url, data, expected):
    for role in ROLES:
        check(access(role, method, url, data), expected[role], role, f"{method} {url}")
    assert access(None, method, url, data) == 302


def test_the_reviewed_unit_does_not_see_the_sheet_about_it(records, access, perm_world):
    with_sheet = records["in"]
    # 二支部's member would be the reviewee of 一支部's sheet; 一支部's people see only their own.
    assert access("secretary", "GET", f"/reviews/sheets/{with_sheet['sheet']}") == 200


def test_the_outsider_sees_only_their_own_round(records, access):
    assert access("outsider", "GET", f"/reviews/{records['out']['round']}") == 200
    assert access("outsider", "GET", f"/reviews/{records['in']['round']}") == MISSING
