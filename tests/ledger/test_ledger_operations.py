"""Ledger operations: codes, exactly-once creation, the whole life of an item and its refusals."""

from datetime import timedelta

import pytest

from tracker.audit import timeline
from tracker.extensions import db
from tracker.ledger import operations as ops
from tracker.hooks import ProblemCounts, problem_counts
from tracker.models import (AttachmentKind, DeadlineKind, ExtensionStatus, ItemSource, ItemStatus, LedgerItem,
                            OrgUnit, User)
from tracker.domain_errors import DomainError, NotAllowed

from ledger.ledger_support import get, load, png


def test_codes_follow_a_per_year_sequence(new_item, in_db):
    first, second = new_item(), new_item()

    def codes():
        a, b = load(first), load(second)
        return a.code, b.code, a.year

    code_a, code_b, year = in_db(codes)
    assert code_a == f"ZG-{year}-0001" and code_b == f"ZG-{year}-0002"


def test_same_dedupe_key_returns_the_existing_item(new_item, in_db):
    first = new_item(dedupe_key="review:7:3:12", origin_type="review_round", origin_id=7)
    again = new_item(dedupe_key="review:7:3:12", origin_type="review_round", origin_id=7, problem="不同的描述")
    assert first == again
    assert in_db(lambda: db.session.scalar(db.select(db.func.count(LedgerItem.id)))) == 1


def test_verifier_is_never_the_owner(new_item, world):
    with pytest.raises(DomainError) as refused:
        new_item(owner=world.owner, verifier=world.owner)
    assert refused.value.reasons[0].code == "verifier_is_owner"


def test_a_date_deadline_needs_a_date_but_ongoing_does_not(new_item):
    with pytest.raises(DomainError):
        new_item(deadline=None)
    assert new_item(deadline=None, deadline_kind=DeadlineKind.ongoing)


def test_a_member_cannot_record_problems(in_db, world):
    def create():
        return ops.create_item(get(User, world.owner), unit=get(OrgUnit, world.branch), problem="问题",
                               source=ItemSource.other, deadline_kind=DeadlineKind.immediate)

    with pytest.raises(NotAllowed):
        in_db(create)


def test_the_whole_life_of_an_item(new_item, in_db, world, app):
    item_id = new_item(origin_type="project", origin_id=42)
    owner, verifier, leader = world.owner, world.verifier, world.leader

    def progress():
        ops.report_progress(get(User, owner), load(item_id), percent=50, text="已补签到表")
        return load(item_id).status

    assert in_db(progress) is ItemStatus.in_progress

    def submit_without_evidence():
        ops.submit_item(get(User, owner), load(item_id), note="已整改")

    with pytest.raises(DomainError) as refused:
        in_db(submit_without_evidence)
    assert [r.code for r in refused.value.reasons] == ["evidence"]

    def evidence_and_submit():
        with app.test_request_context():
            ops.add_evidence(get(User, owner), load(item_id), png(), AttachmentKind.photo)
            ops.submit_item(get(User, owner), load(item_id), note="已补齐签到表并建立台账")
        item = load(item_id)
        return item.status, item.completed_at, item.progress

    status, completed_at, progress_ = in_db(evidence_and_submit)
    assert status is ItemStatus.submitted and completed_at is not None and progress_ == 100
    assert in_db(lambda: problem_counts("project", 42).open) == 1

    def owner_closes():
        ops.close_item(get(User, owner), load(item_id), opinion="同意")

    with pytest.raises(NotAllowed):
        in_db(owner_closes)

    in_db(lambda: ops.return_item(get(User, verifier), load(item_id), reason="缺少会议记录照片"))
    assert in_db(lambda: (load(item_id).status, load(item_id).completed_at)) == (ItemStatus.returned, None)

    in_db(lambda: ops.submit_item(get(User, owner), load(item_id), note="补充了会议记录"))

    def close():
        item = ops.close_item(get(User, leader), load(item_id), opinion="整改到位，同意销号")
        return item.status, item.completed_at, item.closed_at

    status, completed_at, closed_at = in_db(close)
    assert status is ItemStatus.closed and completed_at and closed_at
    assert in_db(lambda: problem_counts("project", 42)) == ProblemCounts(open=0, closed=1)

    in_db(lambda: ops.reopen_item(get(User, leader), load(item_id), reason="回头看发现签到表仍不完整"))
    assert in_db(lambda: load(item_id).status) is ItemStatus.reopened

    verbs = in_db(lambda: [a.verb for a in timeline(load(item_id))])
    assert verbs[:1] == ["reopened"] and "closed" in verbs and "returned" in verbs and verbs[-1] == "created"


@pytest.mark.parametrize("step", ["return", "reopen", "void"])
def test_reasons_are_required(new_item, in_db, world, step):
    item_id = new_item()

    def act():
        item = load(item_id)
        leader = get(User, world.leader)
        if step == "return":
            item.status = ItemStatus.submitted
            ops.return_item(leader, item, reason=" ")
        elif step == "reopen":
            item.status = ItemStatus.closed
            ops.reopen_item(leader, item, reason="")
        else:
            ops.void_item(leader, item, reason=None)

    with pytest.raises(DomainError) as refused:
        in_db(act)
    assert refused.value.reasons[0].code == "reason"


def test_only_a_leader_voids_and_the_item_stays(new_item, in_db, world):
    item_id = new_item()
    with pytest.raises(NotAllowed):
        in_db(lambda: ops.void_item(get(User, world.secretary), load(item_id), reason="重复录入"))
    in_db(lambda: ops.void_item(get(User, world.leader), load(item_id), reason="重复录入"))
    assert in_db(lambda: load(item_id).status) is ItemStatus.void


def test_void_items_count_in_neither(new_item, in_db, world):
    item_id = new_item(origin_type="project", origin_id=9)
    in_db(lambda: ops.void_item(get(User, world.leader), load(item_id), reason="重复录入"))
    counts = in_db(lambda: problem_counts("project", 9))
    assert (counts.open, counts.closed) == (0, 0)


def test_the_deadline_moves_only_when_an_extension_is_approved(new_item, in_db, world):
    item_id = new_item()
    old = in_db(lambda: load(item_id).deadline)
    new_date = old + timedelta(days=15)
    request_id = in_db(lambda: ops.request_extension(get(User, world.owner), load(item_id), new_deadline=new_date,
                                                     reason="需等待上级文件").id)
    assert in_db(lambda: load(item_id).deadline) == old
    with pytest.raises(DomainError):  # one pending request at a time
        in_db(lambda: ops.request_extension(get(User, world.owner), load(item_id), new_deadline=new_date,
                                            reason="再次申请"))
    from tracker.models import ExtensionRequest

    with pytest.raises(NotAllowed):
        in_db(lambda: ops.decide_extension(get(User, world.owner), db.session.get(ExtensionRequest, request_id),
                                           approve=True))
    with pytest.raises(DomainError):  # refusing needs a reason
        in_db(lambda: ops.decide_extension(get(User, world.verifier), db.session.get(ExtensionRequest, request_id),
                                           approve=False))
    in_db(lambda: ops.decide_extension(get(User, world.verifier), db.session.get(ExtensionRequest, request_id),
                                       approve=True, note="同意延期"))
    assert in_db(lambda: load(item_id).deadline) == new_date
    assert in_db(lambda: db.session.get(ExtensionRequest, request_id).status) is ExtensionStatus.approved


def test_a_stale_edit_is_refused(new_item, in_db, world):
    from tracker.domain_errors import StaleEdit

    item_id = new_item()
    in_db(lambda: ops.update_item(get(User, world.secretary), load(item_id), version=1, category="组织建设"))
    with pytest.raises(StaleEdit):
        in_db(lambda: ops.update_item(get(User, world.leader), load(item_id), version=1, category="作风建设"))
    assert in_db(lambda: load(item_id).category) == "组织建设"


def test_reminders_escalate_and_are_recorded_once_a_day(new_item, in_db, world, runner):
    today = ops.local_today()
    new_item(problem="超期2天", deadline=today - timedelta(days=2))
    new_item(problem="超期8天", deadline=today - timedelta(days=8), owner=None)
    new_item(problem="超期20天", deadline=today - timedelta(days=20))
    new_item(problem="未超期", deadline=today + timedelta(days=2))
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "3 reminders recorded" in lines[-1]
    assert any("remind" in line and "测试用户" in line for line in lines)
    assert any("warn" in line for line in lines) and any("supervise" in line for line in lines)
    again = runner.invoke(args=["remind"])
    assert "0 reminders recorded" in again.output


def test_an_immediate_item_is_due_after_the_configured_window_and_escalates_like_any_date(
        new_item, in_db, world, app, runner, monkeypatch):
    today = ops.local_today()
    item_id = new_item(deadline=None, deadline_kind=DeadlineKind.immediate)
    assert in_db(lambda: load(item_id).deadline) == today + timedelta(days=7)
    monkeypatch.setitem(app.config, "LEDGER_IMMEDIATE_DAYS", 3)
    short = new_item(deadline=None, deadline_kind=DeadlineKind.immediate)
    assert in_db(lambda: load(short).deadline) == today + timedelta(days=3)
    code = in_db(lambda: load(item_id).code)
    levels = []
    for days in (8, 14, 22):
        output = runner.invoke(args=["remind", "--date", (today + timedelta(days=days)).isoformat()]).output
        line = next(line for line in output.splitlines() if line.startswith(code))
        assert "立行立改" in line
        levels.append(line.split()[1])
    assert levels == ["remind", "warn", "supervise"]


def test_an_ongoing_item_asks_for_progress_every_month(new_item, in_db, world, runner):
    from tracker.ledger.workflow import add_months

    today = ops.local_today()
    item_id = new_item(deadline=None, deadline_kind=DeadlineKind.ongoing)
    code = in_db(lambda: load(item_id).code)
    due = add_months(today)
    assert in_db(lambda: load(item_id).deadline) == due

    def remind(on):
        output = runner.invoke(args=["remind", "--date", on.isoformat()]).output
        return next((line for line in output.splitlines() if line.startswith(code)), None)

    assert remind(due) is None  # the month is not over yet
    line = remind(due + timedelta(days=1))
    assert line is not None and "remind" in line and "长期坚持·逾期未报进展" in line
    assert "warn" in remind(due + timedelta(days=7))
    in_db(lambda: ops.report_progress(get(User, world.owner), load(item_id), percent=20, text="本月集中学习1次",
                                      on_date=due + timedelta(days=8)))
    assert in_db(lambda: load(item_id).deadline) == add_months(due + timedelta(days=8))
    assert remind(due + timedelta(days=9)) is None  # progress reported: nothing overdue
    changes = in_db(lambda: timeline(load(item_id))[0].after)
    assert changes["deadline"] == add_months(due + timedelta(days=8)).isoformat()


def test_an_ongoing_item_is_not_extended(new_item, in_db, world):
    item_id = new_item(deadline=None, deadline_kind=DeadlineKind.ongoing)
    with pytest.raises(NotAllowed):
        in_db(lambda: ops.request_extension(get(User, world.owner), load(item_id),
                                            new_deadline=ops.local_today() + timedelta(days=90), reason="长期任务"))
