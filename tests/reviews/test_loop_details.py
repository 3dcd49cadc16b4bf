"""The smaller defects of issue 8 in review rounds, each as its user notices it."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import OrgUnit, ReviewRound, RoundMode, Rubric, Scoresheet
from tracker.reviews import operations as ops
from tracker.reviews import queries
from tracker.reviews.assignment import Assignment, assign, reciprocity_forced
from tracker.domain_errors import Reason
from tracker.reviews.workflow import RoundState

from .conftest import make_round, review_sheets, secretary_of, start_round, submit_all

HX = {"HX-Request": "true"}
D = Decimal


def _flashes(html: str) -> list[str]:
    return re.findall(r'class="flash flash-\w+"[^>]*>([^<]*)<', html)


# --- Assignment ---------------------------------------------------------------------------------

def test_the_assignment_message_counts_pairs_and_says_when_reciprocity_is_forced(app, client, login, world):
    paths = {b.id: b.path for b in world.branches}
    assert reciprocity_forced(paths, 3) and not reciprocity_forced(paths, 2)
    result = assign(paths, 3, seed=7)
    reciprocal = [r for r in result.problems if r.code == "reciprocal"]
    assert reciprocal and len(result.flagged_pairs) == 2 * len(reciprocal)  # a couple is two pairs
    with app.app_context():
        round_ = make_round(world, k=3)
        db.session.commit()
        round_id = round_.id
    login("leader")
    page = client.post(f"/reviews/{round_id}/assignment", follow_redirects=True).get_data(as_text=True)
    messages = _flashes(page)
    assert any(m.startswith("18 对中有") and "无法避免互评或重复结对" in m for m in messages), messages
    assert any("部分单位只能互评" in m and "6 个不同的结对单位" in m for m in messages), messages


def test_flagged_pairs_of_a_repeat_count_once():
    problems = (Reason("x", {"a": 1, "b": 2}, code="used_before"), Reason("x", {"a": 3, "b": 4}, code="reciprocal"))
    assert Assignment(((1, 2), (3, 4), (4, 3)), problems).flagged_pairs == {(1, 2), (3, 4), (4, 3)}


def test_the_timeline_reads_in_the_users_language_with_names_never_ids(app, client, login, world):
    with app.app_context():
        round_ = make_round(world, k=3)
        db.session.commit()
        round_id = round_.id
    login("leader")
    client.post(f"/reviews/{round_id}/assignment")
    client.post(f"/reviews/rubrics/{world.rubric_id}/editions")
    html = client.get(f"/reviews/{round_id}").get_data(as_text=True)
    timeline = html[html.index('id="timeline"'):]
    assert "生成了互查分组" in timeline and "标出的结对（互评或重复）" in timeline
    assert "review each other" not in timeline and "互相评查" not in timeline
    client.post("/language", data={"locale": "en", "next": "/"})
    english = client.get(f"/reviews/{round_id}").get_data(as_text=True)
    timeline = english[english.index('id="timeline"'):]
    assert "generated the assignment" in timeline and "Pairs marked (reciprocal or repeated)" in timeline
    with app.app_context():
        latest = db.session.scalars(sa.select(Rubric).where(Rubric.family_id == world.rubric_id)
                                    .order_by(Rubric.edition.desc())).first()
        latest_id = latest.id
    rubric_page = client.get(f"/reviews/rubrics/{latest_id}").get_data(as_text=True)
    rubric_timeline = rubric_page[rubric_page.index('id="timeline"'):]
    assert f"#{world.rubric_id}" not in rubric_timeline and "Version" in rubric_timeline


def test_a_refused_override_keeps_what_was_typed(app, client, login, world):
    with app.app_context():
        round_ = make_round(world)
        ops.generate_assignment(world.user("leader"), round_)
        db.session.commit()
        pair = queries.pairs_of(round_)[0]
        round_id, pair_id, reviewer = round_.id, pair.id, pair.reviewer_id
    login("leader")
    response = client.post(f"/reviews/{round_id}/pairs/{pair_id}", data={
        "reviewer_id": reviewer, "reviewee_id": reviewer, "reason": "两个支部同属一个系统，调整"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    row = html[html.index(f'id="pair-{pair_id}"'):]
    row = row[:row.index("</tr>")]
    assert 'value="两个支部同属一个系统，调整"' in row
    assert row.count(f'<option value="{reviewer}" selected>') == 2  # both lists keep the typed choice


def test_an_override_that_unbalances_loads_shows_on_the_pairs_table(app, client, login, world):
    with app.app_context():
        round_ = make_round(world)
        ops.generate_assignment(world.user("leader"), round_)
        pairs = queries.pairs_of(round_)
        pair = pairs[0]
        taken = {(p.reviewer_id, p.reviewee_id) for p in pairs}
        target = next(b for b in world.branches if b.id != pair.reviewer_id and (pair.reviewer_id, b.id) not in taken)
        ops.override_pair(world.user("leader"), pair, db.session.get(OrgUnit, pair.reviewer_id),
                          db.session.get(OrgUnit, target.id), "工作需要")
        db.session.commit()
        round_id, pair_id = round_.id, pair.id
        target_name = target.name
    login("leader")
    html = client.get(f"/reviews/{round_id}").get_data(as_text=True)
    loads = html[html.index('id="loads"'):]
    assert f"{target_name} 由 3 个单位评查，而不是 2 个。" in loads[:loads.index("</div>")]
    row = html[html.index(f'id="pair-{pair_id}"'):]
    assert "tag-warn" in row[:row.index("</tr>")]


def test_leader_mode_rounds_are_no_peer_history(app, world):
    with app.app_context():
        first = make_round(world, quarter=2, name="二季度互查")
        ops.generate_assignment(world.user("leader"), first)
        inspection = ops.create_round(world.user("leader"), name="三季度考核组检查", year=2026, quarter=3,
                                      rubric=world.rubric(), unit=db.session.get(OrgUnit, world.root.id),
                                      mode=RoundMode.leader, seed=3)
        ops.generate_assignment(world.user("leader"), inspection)
        second = make_round(world, quarter=4, name="四季度互查")
        assert queries.previous_pairs(second) == [{(p.reviewer_id, p.reviewee_id) for p in queries.pairs_of(first)}]


# --- Scoresheets ----------------------------------------------------------------------------------

def test_the_missing_list_updates_as_fields_save(app, client, login, world):
    with app.app_context():
        round_ = start_round(world)
        sheet = review_sheets(round_)[0]
        db.session.commit()
        sheet_id, reviewer = sheet.id, secretary_of(world, sheet.reviewer_unit_id).username
        first, second = round_.rubric.indicators[:2]
        first_id, first_title, second_title = first.id, first.title, second.title
    login(reviewer)
    response = client.post(f"/reviews/sheets/{sheet_id}/scores/{first_id}", data={"points": "5", "note": ""},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="score-{first_id}"' in html
    oob = html[html.index('id="submit-sheet"'):]
    assert 'hx-swap-oob="true"' in html[html.index('<section class="card" id="submit-sheet"'):][:120]
    assert "提交前还需完成：" in oob
    assert second_title in oob and first_title not in oob


def test_the_self_assessment_to_do_shows_its_own_deadline(app, client, login, world):
    from tracker.reviews import operations

    with app.app_context():
        round_ = operations.create_round(
            world.user("leader"), name="2026年第四季度互查互评", year=2026, quarter=4, rubric=world.rubric(),
            unit=db.session.get(OrgUnit, world.root.id), has_self_assessment=True,
            self_assessment_due=date(2026, 11, 30), review_due=date(2026, 12, 10), appeal_due=date(2026, 12, 15),
            rectification_due=date(2027, 1, 31), seed=7)
        operations.generate_assignment(world.user("leader"), round_)
        operations.move_round(world.user("leader"), round_, RoundState.self_assessment)
        db.session.commit()
    login("sec1")
    html = client.get("/home").get_data(as_text=True)
    todo = html[html.index('id="review-todo"'):]
    own = todo[todo.index("第1党支部 自评"):]
    assert "2026-11-30" in own[:own.index("</li>")]


def test_a_draft_self_assessment_is_hidden_even_from_the_rounds_leaders(app, client, login, world):
    with app.app_context():
        round_ = make_round(world, self_assessment=True)
        ops.generate_assignment(world.user("leader"), round_)
        ops.move_round(world.user("leader"), round_, RoundState.self_assessment)
        own = db.session.scalars(sa.select(Scoresheet).where(Scoresheet.round_id == round_.id,
                                                             Scoresheet.pair_id.is_(None))).first()
        ops.save_score(world.user("sec1"), own, round_.rubric.indicators[0], points="4", note="自查：草稿")
        db.session.commit()
        own_id, round_id = own.id, round_.id
    login("leader")
    assert client.get(f"/reviews/sheets/{own_id}").status_code == 404
    assert f"/reviews/sheets/{own_id}" not in client.get(f"/reviews/{round_id}").get_data(as_text=True)
    with app.app_context():
        owner = secretary_of(world, db.session.get(Scoresheet, own_id).reviewee_unit_id).username
    login(owner)
    assert client.get(f"/reviews/sheets/{own_id}").status_code == 200  # its own team works on it


# --- Appeals, the circular and rubrics -----------------------------------------------------------

def test_an_appeal_adjusted_to_full_points_keeps_its_answer_visible(app, client, login, world):
    from tracker.models import Score

    with app.app_context():
        round_ = start_round(world)
        submit_all(world, round_, {1: {3: ("4", "支委会10月未召开")}})
        ops.move_round(world.user("leader"), round_, RoundState.appeal)
        score = db.session.scalars(sa.select(Score).join(Scoresheet).where(
            Scoresheet.round_id == round_.id, Score.note == "支委会10月未召开").order_by(Score.id)).first()
        appeal = ops.file_appeal(world.user("sec2"), score, "10月支委会已召开，记录附后")
        ops.answer_appeal(world.user("leader"), appeal, adjust=True, points="5", answer="经核实会议已召开，恢复满分")
        db.session.commit()
        round_id = round_.id
    login("sec2")
    html = client.get(f"/reviews/{round_id}/units/{world.branches[1].id}").get_data(as_text=True)
    assert "经核实会议已召开，恢复满分" in html and "申诉后恢复满分" in html and "4 → 5" in html


def test_the_circular_shows_how_the_bonus_cap_applied(app, client, login, world):
    with app.app_context():
        rubric = db.session.get(Rubric, world.rubric_id)
        ops.update_rubric(world.user("leader"), rubric, version=rubric.version, name=rubric.name, bonus_cap=D(3))
        round_ = start_round(world)
        submit_all(world, round_, {0: {21: ("3", "获市级表彰"), 22: ("2", "书记项目成效显著"), 3: ("4", "支委会少开")}})
        ops.move_round(world.user("leader"), round_, RoundState.published)
        db.session.commit()
        round_id = round_.id
    login("leader")
    html = client.get(f"/reviews/{round_id}/results").get_data(as_text=True)
    row = html[html.index(">第1党支部<"):]
    row = row[:row.index("</tr>")]
    # 99 regular points + 5 bonus scored, 3 counted = 102: the columns add up to the total.
    assert "102.00" in row and ">99<" in row and "加分合计 5 分，按上限计 3 分" in row
    assert "加分项合计不超过 3 分" in html


def test_a_rubrics_excel_round_trip_keeps_the_cap_and_makes_no_stray_category(app, world):
    from tracker.reviews.excel import export_rubric

    with app.app_context():
        rubric = db.session.get(Rubric, world.rubric_id)
        ops.update_rubric(world.user("leader"), rubric, version=rubric.version, name=rubric.name, bonus_cap=D(3),
                          grade_excellent=D(95), grade_good=D(85), grade_fair=D(70))
        copy = ops.import_rubric(world.user("leader"), db.session.get(OrgUnit, world.root.id), "导入版",
                                 io.BytesIO(export_rubric(rubric)))
        assert [c.title for c in copy.categories] == [c.title for c in rubric.categories]
        assert copy.bonus_cap == D(3)
        assert (copy.grade_excellent, copy.grade_good, copy.grade_fair) == (D(95), D(85), D(70))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRound)) == 0
