"""Half-year and annual scores: every round counts (two in one quarter as their mean); the ranking page."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from tracker.extensions import db
from tracker.models import OrgUnit, Rubric
from tracker.reviews import operations as ops
from tracker.reviews import queries_results
from tracker.reviews import queries_combined
from tracker.reviews.workflow import RoundState

from .conftest import start_round, submit_all

D = Decimal


def _publish(world, quarter, name, deductions):
    round_ = start_round(world, quarter=quarter, name=name)
    submit_all(world, round_, deductions)
    ops.move_round(world.user("leader"), round_, RoundState.published)
    return round_


def _three_rounds(world):
    """Q3 once; Q4 twice (a peer round and a second one). 第1党支部 loses 1, then 0.5 and 1.5 points;
    第2党支部 carries a formula-like note into the circular."""
    _publish(world, 3, "2026年第三季度互查互评", {0: {0: ("4", "未按期换届")}})
    _publish(world, 4, "2026年第四季度互查互评", {0: {0: ("4.5", "委员缺额")}})
    _publish(world, 4, "2026年第四季度专项督查", {0: {0: ("3.5", "换届材料不全")},
                                             1: {3: ("4", "=HYPERLINK(\"http://x\",\"点我\")")}})


def test_two_rounds_in_one_quarter_both_count_as_their_mean(app, world):
    with app.app_context():
        _three_rounds(world)
        history = queries_results.unit_history(db.session.get(OrgUnit, world.branches[0].id))
        assert [h["total"] for h in history] == [D("99.00"), D("99.50"), D("98.50")]
        [year] = queries_results.combined_totals(history, {1: 1, 2: 1, 3: 1, 4: 1})
        assert year["second_half"] == D("99.00")  # Q3 99, Q4 (99.5 + 98.5) / 2 = 99
        assert year["annual"] == D("99.00")


def test_the_ranking_ranks_every_unit_by_its_combined_score(app, world):
    with app.app_context():
        _three_rounds(world)
        ranking = queries_combined.combined_ranking(db.session.get(OrgUnit, world.root.id), 2026, "h2", {3: 1, 4: 3})
        assert len(ranking.rounds) == 3 and len(ranking.rows) == 6
        first = next(r for r in ranking.rows if r.unit_id == world.branches[0].id)
        assert first.quarters == {3: D("99.00"), 4: D("99.00")} and first.rounds == {3: 1, 4: 2}
        assert first.total == D("99.00") and first.rank == 6 and first.grade == "excellent"
        second = next(r for r in ranking.rows if r.unit_id == world.branches[1].id)
        assert second.quarters[4] == D("99.50") and second.total == D("99.63") and second.rank == 5
        assert [r.rank for r in ranking.rows] == [1, 1, 1, 1, 5, 6]


def test_grades_follow_the_rubrics_thresholds(app, world):
    with app.app_context():
        rubric = db.session.get(Rubric, world.rubric_id)
        ops.update_rubric(world.user("leader"), rubric, version=rubric.version, name=rubric.name,
                          bonus_cap=rubric.bonus_cap, grade_excellent=D("99.5"), grade_good=D(99), grade_fair=D(60))
        _three_rounds(world)
        results = {r["unit_id"]: r["grade"] for r in queries_results.results_table(queries_combined.combined_ranking(
            db.session.get(OrgUnit, world.root.id), 2026, "year", {}).rounds[-1])}
        assert results[world.branches[0].id] == "fair"  # 98.5: below the 99 of 较好
        ranking = queries_combined.combined_ranking(db.session.get(OrgUnit, world.root.id), 2026, "year", {})
        grades = {r.unit_id: r.grade for r in ranking.rows}
        assert grades[world.branches[0].id] == "good" and grades[world.branches[2].id] == "excellent"


def test_the_rubric_form_sets_the_thresholds_in_order(app, client, login, world, make_user):
    from tracker.models import Role

    admin = make_user("rubric_admin", world.root, Role.admin)
    login(admin)
    with app.app_context():
        version = db.session.get(Rubric, world.rubric_id).version
    base = {"name": "党支部标准化规范化建设考评", "bonus_cap": "5", "version": version}
    refused = client.post(f"/reviews/rubrics/{world.rubric_id}", data={
        **base, "grade_excellent": "85", "grade_good": "88", "grade_fair": "60"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "“较好”的分数线不能高于“好”的分数线（85 分）" in html
    assert 'value="88"' in html or 'value="88.0"' in html
    saved = client.post(f"/reviews/rubrics/{world.rubric_id}", data={
        **base, "grade_excellent": "95", "grade_good": "85", "grade_fair": "70"})
    assert saved.status_code == 302
    page = client.get(f"/reviews/rubrics/{world.rubric_id}").get_data(as_text=True)
    assert "95" in page and "85" in page and "70" in page
    with app.app_context():
        rubric = db.session.get(Rubric, world.rubric_id)
        assert (rubric.grade_excellent, rubric.grade_good, rubric.grade_fair) == (D(95), D(85), D(70))


def test_leaders_see_the_whole_ranking_and_a_branch_its_own_row(app, client, login, world):
    with app.app_context():
        _three_rounds(world)
        db.session.commit()
    login("leader")
    page = client.get(f"/reviews/combined?unit={world.root.id}&year=2026&period=h2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count('id="combined-') == 6 + 1  # the table and its rows
    assert "2 轮平均" in html and "99.75" in html  # equal quarter weights by default: (100 + 99.5) / 2
    export = client.get(f"/reviews/combined.xlsx?unit={world.root.id}&year=2026&period=h2")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "名次")
    assert rows[header][:4] == ("名次", "单位", "第3季度", "第4季度") and len(rows) - header - 1 == 6
    assert rows[-1][1] == "第1党支部" and rows[-1][4] == 99.0
    login("sec2")
    own = client.get(f"/reviews/combined?unit={world.root.id}&year=2026&period=h2").get_data(as_text=True)
    assert own.count('id="combined-') == 1 + 1 and "第2党支部" in own and "第1党支部" not in own


def test_the_circulars_excel_runs_no_formula(app, client, login, world):
    with app.app_context():
        _three_rounds(world)
        db.session.commit()
        round_id = queries_combined.combined_ranking(db.session.get(OrgUnit, world.root.id), 2026, "year", {}).rounds[-1].id
    login("leader")
    wb = load_workbook(io.BytesIO(client.get(f"/reviews/{round_id}/results.xlsx").data))
    notes = [row[4] for row in wb["扣分明细"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in notes
    assert all(cell.data_type != "f" for row in wb["扣分明细"].iter_rows() for cell in row)
