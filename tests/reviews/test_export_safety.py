"""Every .xlsx the tracker writes keeps formula-like text as text: typed by a user, it never runs."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tracker.extensions import db
from tracker.models import OrgUnit, Role, Rubric
from tracker.reviews import operations as ops
from tracker.reviews.workflow import RoundState

from .conftest import fill_sheet, review_sheets, secretary_of, start_round, submit_all

#: What users type that a spreadsheet would run: a deduction note, a highlight, a unit name, an item text.
HOSTILE = ['=HYPERLINK("http://x","详情")', "=1+2", "+1", "-1+1", "@SUM(A1)"]


def assert_no_formula(data: bytes, *expected: str) -> None:
    """No cell of any sheet is a formula, and every `expected` text reads back as text (made plain
    by its leading quote, as a spreadsheet shows it)."""
    workbook = load_workbook(io.BytesIO(data), data_only=False)
    values = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                if isinstance(cell.value, str):
                    values.add(cell.value)
    for text in expected:
        assert any(("'" + text) in value for value in values), f"{text} is missing from the sheet"


def test_every_review_export_keeps_formula_text_as_text(app, client, login, world, make_user):
    with app.app_context():
        rubric = db.session.get(Rubric, world.rubric_id)
        rubric.name = "-1+1"
        rubric.indicators[0].title = "@SUM(A1)"
        db.session.get(OrgUnit, world.branches[1].id).name = "=1+2"
        round_ = start_round(world, quarter=4, name="2026年第四季度互查互评")
        # The highlight is saved on one sheet before it is submitted with the others.
        first = review_sheets(round_)[0]
        fill_sheet(first, secretary_of(world, first.reviewer_unit_id), highlights="+1")
        submit_all(world, round_, {0: {0: ("4", HOSTILE[0])}})
        ops.move_round(world.user("leader"), round_, RoundState.published)
        db.session.commit()
        round_id, rubric_id = round_.id, rubric.id
    login("leader")
    circular = client.get(f"/reviews/{round_id}/results.xlsx")
    assert circular.status_code == 200
    assert_no_formula(circular.data, HOSTILE[0], "+1", "=1+2", "@SUM(A1)")
    rubric_sheet = client.get(f"/reviews/rubrics/{rubric_id}.xlsx")
    assert rubric_sheet.status_code == 200
    assert_no_formula(rubric_sheet.data, "-1+1", "@SUM(A1)")
    combined = client.get(f"/reviews/combined.xlsx?unit={world.root.id}&year=2026&period=h2")
    assert combined.status_code == 200
    assert_no_formula(combined.data, "=1+2")

    make_user("safety_admin", world.root, Role.admin)
    login("safety_admin")
    template = client.get("/users/import/template.xlsx")
    assert template.status_code == 200
    assert_no_formula(template.data, "=1+2")
