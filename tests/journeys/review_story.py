"""The cast and the shared steps of the review-round journeys: a 机关党委 with six branches.

Every step is performed through HTTP by the person who does it, each with a client of their own
(logged in as them). The database is read only to find the ids a person would click on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from support import PASSWORD, Person
from tracker.extensions import db
from tracker.models import ItemKind, OrgUnit, Post, Role, Rubric, Scoresheet, UnitKind

BRANCHES = ["办公室党支部", "组织人事党支部", "财务审计党支部", "业务一处党支部", "业务二处党支部", "机关服务中心党支部"]
ROUND_NAME = "2026年第四季度党支部互查互评"


@dataclass
class Cast:
    """The units and the usernames of the people in the story."""

    root_id: int
    branch_ids: list[int]
    rubric_id: int

    def secretary(self, unit_id: int) -> str:
        return f"sec{self.branch_ids.index(unit_id) + 1}"


@pytest.fixture
def cast(in_db) -> Cast:
    from tracker.demo.reviews import seed_rubric
    from tracker.orgs.operations import create_unit
    from tracker.users.operations import create_user

    def build():
        root = create_unit(None, "示范机关党委", UnitKind.organ_committee)
        generals = [create_unit(None, f"第{i + 1}党总支", UnitKind.general_branch, root) for i in range(2)]
        branches = [create_unit(None, name, UnitKind.branch, generals[i // 3]) for i, name in enumerate(BRANCHES)]
        create_user(None, username="leader", full_name="周书记", password=PASSWORD, unit=root, role=Role.leader)
        for i, branch in enumerate(branches):
            create_user(None, username=f"sec{i + 1}", full_name=f"{branch.name}书记", password=PASSWORD,
                        unit=branch, role=Role.secretary, post=Post.secretary)
        rubric = seed_rubric(root)
        return Cast(root.id, [b.id for b in branches], rubric.id)

    return in_db(build)


def indicators(app, cast: Cast) -> list[tuple[int, ItemKind, str, str]]:
    """(id, kind, full points as typed, title) of the rubric's indicators, in the sheet's order."""
    with app.app_context():
        return [(i.id, i.kind, format(i.points.normalize(), "f"), i.title)
                for i in db.session.get(Rubric, cast.rubric_id).indicators]


def create_and_assign(leader: Person, cast: Cast) -> int:
    """The leader creates a peer round over the six branches (k = 2), generates the assignment and
    opens peer review; returns the round's id."""
    response = leader.post("/reviews/new", {
        "name": ROUND_NAME, "year": 2026, "quarter": 4, "rubric_id": cast.rubric_id, "unit_id": cast.root_id,
        "mode": "peer", "k": 2, "review_due": "2026-12-10", "appeal_due": "2026-12-15",
        "rectification_due": "2027-01-31"})
    round_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    leader.post(f"/reviews/{round_id}/assignment")
    assert leader.get(f"/reviews/{round_id}").count('id="pair-') == 12
    leader.post(f"/reviews/{round_id}/state", {"to": "reviewing"})
    return round_id


def my_sheets(person: Person, round_id: int) -> list[int]:
    """The scoresheets of the person's team, as the round page links them."""
    page = person.get(f"/reviews/{round_id}")
    mine = page[page.index('id="my-sheets"'):]
    return [int(i) for i in re.findall(r'/reviews/sheets/(\d+)"', mine[:mine.index("</section>")])]


def reviewer_of(app, sheet_id: int) -> int:
    with app.app_context():
        return db.session.get(Scoresheet, sheet_id).reviewer_unit_id


def score_sheet(person: Person, sheet_id: int, items, marks: dict[int, tuple[str | None, str]] | None = None) -> None:
    """Score every indicator of a sheet (full points, no bonus) except `marks` {item id: (points
    or None for a veto, note)}, field by field as the page saves them, then submit it."""
    marks = marks or {}
    for item_id, kind, full, _title in items:
        if item_id in marks:
            points, note = marks[item_id]
            data = {"veto": "1", "note": note} if kind is ItemKind.veto else {"points": points, "note": note}
        elif kind is ItemKind.veto:
            continue  # an unticked veto says no
        else:
            data = {"points": full if kind is ItemKind.normal else "0", "note": ""}
        person.post(f"/reviews/sheets/{sheet_id}/scores/{item_id}", data, status=200)
    person.post(f"/reviews/sheets/{sheet_id}/submit")
    assert "已提交" in person.get(f"/reviews/sheets/{sheet_id}")


def unit_name(app, unit_id: int) -> str:
    with app.app_context():
        return db.session.get(OrgUnit, unit_id).name


def ledger_rows(person: Person, round_id: int, unit_id: int | None = None) -> list[tuple[int, str]]:
    """(item id, status label) of the round's items in the person's ledger list (of one unit, if given).

    A secretary's list also holds the items of other branches she verifies as their reviewer.
    """
    unit = f"&unit={unit_id}" if unit_id else ""
    page = person.get(f"/ledger/?origin_type=review_round&origin_id={round_id}&view=ledger{unit}")
    rows = re.findall(r'<tr id="item-row-(\d+)">(.*?)</tr>', page, flags=re.S)
    return [(int(item_id), re.findall(r'class="status status-(\w+)"', row)[0]) for item_id, row in rows]


def circular_deductions(person: Person, round_id: int) -> int:
    """How many deductions the circular lists (its heading says so)."""
    page = person.get(f"/reviews/{round_id}/results")
    return int(re.search(r'<h2>[^<]*<span class="muted">（(\d+)）</span></h2>', page).group(1))


def sheets_about(app, round_id: int, unit_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Scoresheet.id).where(
            Scoresheet.round_id == round_id, Scoresheet.reviewee_unit_id == unit_id,
            Scoresheet.pair_id.is_not(None)).order_by(Scoresheet.id)))


def fact(page: str, label: str) -> str:
    """The value a record page shows beside `label` (`<dt>label</dt><dd>value</dd>`), tags stripped."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", page, flags=re.S)
    assert match, f"no {label} on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()
