"""Rounds stay editable until published; deadlines in order and k against the participants, beside the fields."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import OrgUnit, ReviewRound, RoundUnit
from tracker.domain_errors import DomainError
from tracker.reviews import operations as ops
from tracker.reviews import queries
from tracker.reviews.workflow import RoundState, deadline_problems

from .conftest import make_round, start_round, submit_all


def _form(world, **values):
    data = {"name": "2026年第四季度党支部互查互评", "year": 2026, "quarter": 4, "rubric_id": world.rubric_id,
            "unit_id": world.root.id, "mode": "peer", "k": 2, "rectification_due": "2027-01-31"}
    data.update(values)
    return data


def _error_beside(html: str, field: str) -> str:
    """The error text shown beside `field` (its `<p class="field-error" id="<field>-error">`)."""
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


def test_deadlines_must_run_self_assessment_review_appeals_rectification():
    problems = deadline_problems({"self_assessment_due": date(2026, 12, 1), "review_due": date(2026, 11, 30),
                                  "appeal_due": None, "rectification_due": date(2026, 11, 1)})
    assert list(problems) == ["review_due", "rectification_due"]
    assert problems["rectification_due"][0].params == {"date": "2026-12-01"}
    assert deadline_problems({"review_due": date(2026, 12, 10), "appeal_due": date(2026, 12, 10)}) == {}


def test_a_round_with_deadlines_out_of_order_is_refused_beside_the_field(client, login, world):
    login("leader")
    response = client.post("/reviews/new", data=_form(world, review_due="2026-12-20", appeal_due="2026-12-10"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "早于互评截止日期（2026-12-20）" in _error_beside(html, "appeal_due")
    assert 'value="2026-12-20"' in html and 'value="2026-12-10"' in html  # nothing typed is lost


def test_k_is_checked_against_the_participants_when_the_round_is_created(client, login, world):
    login("leader")
    response = client.post("/reviews/new", data=_form(world, k=6))
    assert response.status_code == 422
    assert "最多只能由 5 个其他单位评查" in _error_beside(response.get_data(as_text=True), "k")
    left_out = [b.id for b in world.branches[1:]]
    response = client.post("/reviews/new", data=_form(world, k=1, excluded=left_out))
    assert response.status_code == 422
    assert "至少需要两个单位参加" in _error_beside(response.get_data(as_text=True), "excluded")
    with pytest.raises(ops.FieldErrors) as caught:
        with client.application.app_context():
            ops.create_round(world.user("leader"), name="x", year=2026, quarter=4, rubric=world.rubric(),
                             unit=db.session.get(OrgUnit, world.root.id), k=6)
    assert list(caught.value.errors) == ["k"]


def test_a_round_created_without_a_rectification_deadline_can_be_fixed_and_published(app, client, login, world):
    login("leader")
    response = client.post("/reviews/new", data=_form(world, rectification_due=""))
    round_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        round_ = db.session.get(ReviewRound, round_id)
        ops.generate_assignment(world.user("leader"), round_)
        ops.move_round(world.user("leader"), round_, RoundState.reviewing)
        submit_all(world, round_)
        db.session.commit()
        version = round_.version
    refused = client.post(f"/reviews/{round_id}/state", data={"to": "published"})
    assert refused.status_code == 409 and "请先设定整改时限" in refused.get_data(as_text=True)
    assert f'/reviews/{round_id}/edit' in refused.get_data(as_text=True)
    page = client.get(f"/reviews/{round_id}/edit").get_data(as_text=True)
    assert 'name="k"' not in page and 'name="excluded"' not in page  # assigned: facts, not fields
    saved = client.post(f"/reviews/{round_id}/edit", data={
        "name": "2026年第四季度党支部互查互评（修订）", "review_due": "2026-12-10", "appeal_due": "2026-12-15",
        "rectification_due": "2027-01-31", "version": version})
    assert saved.status_code == 302
    assert client.post(f"/reviews/{round_id}/state", data={"to": "published"}).status_code == 302
    with app.app_context():
        round_ = db.session.get(ReviewRound, round_id)
        assert round_.state == RoundState.published and round_.rectification_due == date(2027, 1, 31)
        assert round_.name.endswith("（修订）")
    assert client.get(f"/reviews/{round_id}/edit").status_code == 409


def test_an_edit_out_of_order_is_refused_beside_its_field_and_keeps_what_was_typed(app, client, login, world):
    with app.app_context():
        round_ = make_round(world)
        db.session.commit()
        round_id, version = round_.id, round_.version
    login("leader")
    response = client.post(f"/reviews/{round_id}/edit", data={
        "name": "改名", "k": 2, "review_due": "2026-12-10", "appeal_due": "2026-12-15",
        "rectification_due": "2026-12-12", "version": version})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "早于申诉截止日期（2026-12-15）" in _error_beside(html, "rectification_due")
    assert 'value="改名"' in html and 'value="2026-12-12"' in html
    stale = client.post(f"/reviews/{round_id}/edit", data={
        "name": "改名", "k": 2, "rectification_due": "2027-01-31", "version": version - 1})
    assert stale.status_code == 409 and "其他人" in stale.get_data(as_text=True)


def test_units_and_k_change_until_the_assignment_is_made(app, world):
    with app.app_context():
        leader = world.user("leader")
        round_ = make_round(world)
        left_out = world.branches[5].id
        ops.update_round(leader, round_, version=round_.version, name=round_.name, self_assessment_due=None,
                         review_due=round_.review_due, appeal_due=round_.appeal_due,
                         rectification_due=round_.rectification_due, k=3, excluded=[left_out])
        assert round_.k == 3 and left_out not in {u.id for u in queries.participants(round_)}
        with pytest.raises(ops.FieldErrors) as caught:
            ops.update_round(leader, round_, version=round_.version, name=round_.name, self_assessment_due=None,
                             review_due=None, appeal_due=None, rectification_due=None, k=5)
        assert list(caught.value.errors) == ["k"]  # four others at most among five units
        ops.generate_assignment(leader, round_)
        with pytest.raises(ops.FieldErrors) as caught:
            ops.update_round(leader, round_, version=round_.version, name=round_.name, self_assessment_due=None,
                             review_due=None, appeal_due=None, rectification_due=None, k=2, excluded=[])
        assert set(caught.value.errors) == {"k", "excluded"}


def test_a_published_round_is_no_longer_editable(app, world):
    with app.app_context():
        round_ = start_round(world)
        submit_all(world, round_)
        ops.move_round(world.user("leader"), round_, RoundState.published)
        with pytest.raises(DomainError) as caught:
            ops.update_round(world.user("leader"), round_, version=round_.version, name="x", self_assessment_due=None,
                             review_due=None, appeal_due=None, rectification_due=None)
        assert caught.value.status == 409
        ops.move_round(world.user("leader"), round_, RoundState.appeal)  # reopened: the appeal date can move
        ops.update_round(world.user("leader"), round_, version=round_.version, name=round_.name,
                         self_assessment_due=None, review_due=round_.review_due, appeal_due=date(2026, 12, 20),
                         rectification_due=round_.rectification_due)
        assert round_.appeal_due == date(2026, 12, 20)
        units = db.session.scalars(sa.select(RoundUnit).where(RoundUnit.round_id == round_.id)).all()
        assert len(units) == 6
