"""Review pages through the client: forms, htmx fields, refusals beside fields, 409 lists."""

from __future__ import annotations

import io

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ReviewRound, Scoresheet
from tracker.reviews import operations as ops
from tracker.reviews import queries
from tracker.reviews.workflow import RoundState

from .conftest import fill_sheet, make_round

HX = {"HX-Request": "true"}


def _round(app, world, state=RoundState.reviewing):
    with app.app_context():
        round_ = make_round(world)
        ops.generate_assignment(world.user("leader"), round_)
        if state is not RoundState.draft:
            ops.move_round(world.user("leader"), round_, state)
        db.session.commit()
        return round_.id


def _sheet_of(app, round_id, reviewer_id):
    with app.app_context():
        return db.session.scalars(sa.select(Scoresheet).where(
            Scoresheet.round_id == round_id, Scoresheet.reviewer_unit_id == reviewer_id,
            Scoresheet.pair_id.is_not(None)).order_by(Scoresheet.id)).first().id


def test_leader_creates_a_round_and_generates_the_assignment(client, login, world):
    login("leader")
    page = client.get("/reviews/new")
    assert page.status_code == 200 and "党支部标准化规范化建设考评" in page.get_data(as_text=True)
    response = client.post("/reviews/new", data={
        "name": "2026年第四季度党支部互查互评", "year": 2026, "quarter": 4, "rubric_id": world.rubric_id,
        "unit_id": world.root.id, "mode": "peer", "k": 2, "rectification_due": "2027-01-31"})
    assert response.status_code == 302
    round_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/reviews/{round_id}/assignment").status_code == 302
    page = client.get(f"/reviews/{round_id}").get_data(as_text=True)
    assert page.count('id="pair-') == 12


def test_a_bad_round_form_is_answered_422(client, login, world):
    login("leader")
    response = client.post("/reviews/new", data={"name": "", "year": 1900, "quarter": 4, "k": 2})
    assert response.status_code == 422


def test_a_score_outside_its_points_is_refused_beside_the_field(app, client, login, world):
    round_id = _round(app, world)
    sheet_id = _sheet_of(app, round_id, world.branches[0].id)
    login("sec1")
    item = type("Item", (), {"id": world.indicator_ids[0]})
    response = client.post(f"/reviews/sheets/{sheet_id}/scores/{item.id}", data={"points": "6", "note": ""},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="score-{item.id}"' in html and f'points-{item.id}-error' in html and 'value="6"' in html
    response = client.post(f"/reviews/sheets/{sheet_id}/scores/{item.id}", data={"points": "4", "note": ""},
                           headers=HX)
    assert response.status_code == 422 and f'note-{item.id}-error' in response.get_data(as_text=True)
    response = client.post(f"/reviews/sheets/{sheet_id}/scores/{item.id}",
                           data={"points": "4", "note": "委员缺额未补选"}, headers=HX)
    assert response.status_code == 200 and "委员缺额未补选" in response.get_data(as_text=True)


def test_scoring_a_unit_you_are_not_assigned_to_is_404(app, client, login, world):
    round_id = _round(app, world)
    other = _sheet_of(app, round_id, world.branches[1].id)
    login("sec1")
    item = type("Item", (), {"id": world.indicator_ids[0]})
    assert client.get(f"/reviews/sheets/{other}").status_code == 404
    assert client.post(f"/reviews/sheets/{other}/scores/{item.id}", data={"points": "5"}).status_code == 404


def test_reviewees_do_not_see_sheets_about_them_before_publication(app, client, login, world):
    round_id = _round(app, world)
    with app.app_context():
        sheet = db.session.scalars(sa.select(Scoresheet).where(
            Scoresheet.round_id == round_id, Scoresheet.reviewee_unit_id == world.branches[0].id)).first()
        sheet_id = sheet.id
    login("sec1")
    assert client.get(f"/reviews/sheets/{sheet_id}").status_code == 404
    assert client.get(f"/reviews/{round_id}/results").status_code == 404


def test_publishing_with_unsubmitted_sheets_is_409_with_the_list(app, client, login, world):
    round_id = _round(app, world)
    login("leader")
    response = client.post(f"/reviews/{round_id}/state", data={"to": "published"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert html.count("尚未提交") == 12 and "→" in html


def test_override_to_a_same_line_pair_is_refused_with_the_reason(app, client, login, world):
    round_id = _round(app, world, RoundState.draft)
    with app.app_context():
        pair = queries.pairs_of(db.session.get(ReviewRound, round_id))[0]
    login("leader")
    response = client.post(f"/reviews/{round_id}/pairs/{pair.id}", data={
        "reviewer_id": pair.reviewer_id, "reviewee_id": pair.reviewer_id, "reason": "调整"})
    assert response.status_code == 422
    assert "不能评查自己" in response.get_data(as_text=True)


def test_results_page_and_excel_after_publication(app, client, login, world):
    round_id = _round(app, world)
    with app.app_context():
        round_ = db.session.get(ReviewRound, round_id)
        ids = [b.id for b in world.branches]
        for sheet in db.session.scalars(sa.select(Scoresheet).where(Scoresheet.round_id == round_id)):
            actor = world.user(f"sec{ids.index(sheet.reviewer_unit_id) + 1}")
            deduct = {5: ("4", "党课只讲了2次")} if sheet.reviewee_unit_id == ids[2] else None
            fill_sheet(sheet, actor, deduct, highlights="“支部+网格”党员联系群众做法值得学习")
            ops.submit_sheet(actor, sheet)
        ops.move_round(world.user("leader"), round_, RoundState.published)
        db.session.commit()
    login("sec3")
    html = client.get(f"/reviews/{round_id}/results").get_data(as_text=True)
    assert "党课只讲了2次" in html and "值得学习" in html and 'data-chart=' in html
    response = client.get(f"/reviews/{round_id}/results.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    panel = client.get(f"/orgs/{world.branches[2].id}").get_data(as_text=True)
    assert 'id="unit-reviews"' in panel and "99.00" in panel


def test_rubric_editor_adds_an_item_and_exports(app, client, login, world):
    login("leader")
    rubric_id = world.rubric_id
    category = type("Item", (), {"id": world.category_ids[0]})
    response = client.post(f"/reviews/rubrics/{rubric_id}/items", headers=HX, data={
        "parent_id": category.id, "title": "支部书记参加集中轮训", "points": "1", "rule": "未参加扣1分",
        "method": "documents", "kind": "normal"})
    assert response.status_code == 200 and "支部书记参加集中轮训" in response.get_data(as_text=True)
    response = client.post(f"/reviews/rubrics/{rubric_id}/items", headers=HX, data={
        "parent_id": category.id, "title": "x", "points": "-1", "kind": "normal", "method": ""})
    assert response.status_code == 422
    export = client.get(f"/reviews/rubrics/{rubric_id}.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    imported = client.post("/reviews/rubrics/import", data={
        "name": "导入的考评表", "unit_id": world.root.id, "file": (io.BytesIO(export.data), "考评表.xlsx")},
        content_type="multipart/form-data")
    assert imported.status_code == 302


def test_the_self_assessment_sits_beside_the_reviewers_scores(app, client, login, world):
    with app.app_context():
        round_ = make_round(world, self_assessment=True)
        ops.generate_assignment(world.user("leader"), round_)
        ops.move_round(world.user("leader"), round_, RoundState.self_assessment)
        own = db.session.scalars(sa.select(Scoresheet).where(
            Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_(None),
            Scoresheet.reviewee_unit_id == world.branches[1].id)).one()
        ops.save_score(world.user("sec2"), own, round_.rubric.indicators[0], points="4", note="自查：组织委员空缺")
        ops.move_round(world.user("leader"), round_, RoundState.reviewing)
        sheet = db.session.scalars(sa.select(Scoresheet).where(
            Scoresheet.round_id == round_.id, Scoresheet.pair_id.is_not(None),
            Scoresheet.reviewee_unit_id == world.branches[1].id)).first()
        reviewer = [b.id for b in world.branches].index(sheet.reviewer_unit_id) + 1
        db.session.commit()
        sheet_id, own_id = sheet.id, own.id
    login(f"sec{reviewer}")
    # A draft self-assessment is the unit's own: reviewers do not see it, nor can they open it.
    html = client.get(f"/reviews/sheets/{sheet_id}").get_data(as_text=True)
    assert "自评：" not in html and "自查：组织委员空缺" not in html
    assert client.get(f"/reviews/sheets/{own_id}").status_code == 404
    with app.app_context():
        own = db.session.get(Scoresheet, own_id)
        fill_sheet(own, world.user("sec2"), {0: ("4", "自查：组织委员空缺")})
        ops.submit_sheet(world.user("sec2"), own)
        db.session.commit()
    html = client.get(f"/reviews/sheets/{sheet_id}").get_data(as_text=True)
    assert "自评：" in html and "自查：组织委员空缺" in html


def test_evidence_is_uploaded_to_an_open_sheet(app, client, login, world):
    round_id = _round(app, world)
    sheet_id = _sheet_of(app, round_id, world.branches[0].id)
    login("sec1")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = client.post(f"/reviews/sheets/{sheet_id}/evidence", headers=HX,
                           data={"file": (io.BytesIO(png), "活动室照片.png")}, content_type="multipart/form-data")
    assert response.status_code == 200 and "活动室照片.png" in response.get_data(as_text=True)
    response = client.post(f"/reviews/sheets/{sheet_id}/evidence", headers=HX,
                           data={"file": (io.BytesIO(b"MZ\x90\x00" * 20), "x.exe")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)


def test_a_submitted_sheet_is_locked_for_its_team(app, client, login, world):
    round_id = _round(app, world)
    sheet_id = _sheet_of(app, round_id, world.branches[0].id)
    with app.app_context():
        sheet = db.session.get(Scoresheet, sheet_id)
        fill_sheet(sheet, world.user("sec1"))
        ops.submit_sheet(world.user("sec1"), sheet)
        db.session.commit()
    login("member1")
    response = client.post(f"/reviews/sheets/{sheet_id}/scores/{world.indicator_ids[0]}", data={"points": "3"})
    assert response.status_code == 409
    assert 'name="points"' not in client.get(f"/reviews/sheets/{sheet_id}").get_data(as_text=True)


def test_in_a_leader_mode_round_the_leaders_team_scores_every_unit(app, client, login, world):
    from tracker.models import OrgUnit, RoundMode

    with app.app_context():
        round_ = ops.create_round(world.user("leader"), name="2026年党支部标准化规范化建设考核", year=2026, quarter=4,
                                  rubric=world.rubric(), unit=db.session.get(OrgUnit, world.root.id),
                                  mode=RoundMode.leader, seed=1)
        ops.generate_assignment(world.user("leader"), round_)
        ops.move_round(world.user("leader"), round_, RoundState.reviewing)
        pairs = queries.pairs_of(round_)
        assert len(pairs) == 6 and {p.reviewer_id for p in pairs} == {world.root.id}
        db.session.commit()
        sheet_id = _sheet_of(app, round_.id, world.root.id)
    login("leader")
    response = client.post(f"/reviews/sheets/{sheet_id}/scores/{world.indicator_ids[0]}", data={"points": "5"},
                           headers=HX)
    assert response.status_code == 200
    login("sec1")
    assert client.get(f"/reviews/sheets/{sheet_id}").status_code == 404


def test_the_circular_in_excel_has_ranking_deductions_and_highlights(app, client, login, world):
    from openpyxl import load_workbook

    round_id = _round(app, world)
    with app.app_context():
        ids = [b.id for b in world.branches]
        for sheet in db.session.scalars(sa.select(Scoresheet).where(Scoresheet.round_id == round_id)):
            actor = world.user(f"sec{ids.index(sheet.reviewer_unit_id) + 1}")
            deduct = {2: ("4.5", "三季度党员大会未召开")} if sheet.reviewee_unit_id == ids[3] else None
            fill_sheet(sheet, actor, deduct, highlights="党员先锋岗积分制")
            ops.submit_sheet(actor, sheet)
        ops.move_round(world.user("leader"), db.session.get(ReviewRound, round_id), RoundState.published)
        db.session.commit()
    login("leader")
    wb = load_workbook(io.BytesIO(client.get(f"/reviews/{round_id}/results.xlsx").data))
    assert wb.sheetnames == ["排名", "扣分明细", "亮点"]
    ranking = list(wb["排名"].iter_rows(values_only=True))
    assert ranking[0][:4] == ("名次", "单位", "总分", "等次") and ranking[-1][1] == "第4党支部"
    assert ranking[-1][2] == 98.5
    deductions = list(wb["扣分明细"].iter_rows(values_only=True))
    assert deductions[1][0] == "第4党支部" and deductions[1][3] == 1.5 and deductions[1][4] == "三季度党员大会未召开"


def test_the_home_page_lists_the_sheets_my_unit_still_has_to_fill(app, client, login, world):
    round_id = _round(app, world)
    login("sec1")
    html = client.get("/home").get_data(as_text=True)
    widget = html.split('id="review-todo"', 1)[1]
    assert widget.split("</section>", 1)[0].count("/reviews/sheets/") == 2
    my_work = html.split('id="my-work"', 1)[1].split("</section>", 1)[0]
    assert my_work.count("/reviews/sheets/") == 2  # "my work" lists them too, one link each
    login("leader")
    assert 'id="review-todo"' not in client.get("/home").get_data(as_text=True)
