"""The ledger tells its people: who hears of each step (never the one who took it), and the days
passing past a deadline: 提醒 the owner → 告诫 the secretary → 督办 the leader, each exactly once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.ledger import operations as ops
from tracker.ledger import operations_reminders as reminders
from tracker.models import Notification, User
from tracker.schedule import daily_reminders

from ledger.ledger_support import get, load, png


def notices(user) -> list[tuple[str, str | None]]:
    """(event, dedupe key) of every notice in `user`'s inbox, oldest first."""
    return [(n.event.value, n.dedupe_key) for n in db.session.scalars(
        sa.select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id))]


def events(in_db, user) -> list[str]:
    return in_db(lambda: [e for e, _ in notices(user)])


def test_the_days_pass_and_the_notices_climb_owner_secretary_leader_once_each(in_db, world):
    today = ops.local_today()
    item_id = in_db(lambda: ops.create_item(
        get(User, world.secretary), unit=get(type(world.branch), world.branch), problem="支部台账不全",
        source=ops.ItemSource.self_check, owner=get(User, world.owner), verifier=get(User, world.verifier),
        deadline=today + timedelta(days=8)).id)
    deadline = today + timedelta(days=8)
    seen: dict[str, list[tuple[int, str]]] = {"owner": [], "secretary": [], "leader": [], "verifier": []}
    for day in range(0, 8 + 25):
        on = today + timedelta(days=day)
        for _twice in range(2):  # however often it runs
            in_db(lambda: daily_reminders(on))
        for who in seen:
            got = events(in_db, getattr(world, who))
            seen[who] += [(day - 8, e) for e in got[len(seen[who]):]]
    assert seen["owner"] == [(-8, "assigned"), (-7, "due_soon"), (-3, "due_soon"), (1, "remind")]
    assert seen["secretary"] == [(7, "warn")]
    assert seen["leader"] == [(14, "supervise")]
    assert seen["verifier"] == []
    keys = in_db(lambda: [k for _, k in notices(world.leader)])
    assert keys == [f"ledger_item:{item_id}:{deadline.isoformat()}:supervise"]


def test_an_extended_deadline_is_reminded_again_when_it_passes(in_db, world, new_item):
    today = ops.local_today()
    item_id = new_item(deadline=today + timedelta(days=1))
    in_db(lambda: reminders.send_reminders(None, today + timedelta(days=2)))
    request = in_db(lambda: ops.request_extension(get(User, world.owner), load(item_id),
                                                  new_deadline=today + timedelta(days=10), reason="材料未齐"))
    in_db(lambda: ops.decide_extension(get(User, world.verifier), request, approve=True))
    in_db(lambda: reminders.send_reminders(None, today + timedelta(days=11)))
    assert events(in_db, world.owner).count("remind") == 2


def test_each_step_tells_the_right_people_and_never_the_one_who_took_it(in_db, world, new_item):
    item_id = new_item()  # recorded by the leader, owned by lw_owner, verified by another branch's secretary
    assert events(in_db, world.owner) == ["assigned"] and events(in_db, world.leader) == []

    in_db(lambda: ops.add_evidence(get(User, world.owner), load(item_id), png(), ops.AttachmentKind.photo))
    in_db(lambda: ops.submit_item(get(User, world.owner), load(item_id), note="已补齐签到表"))
    assert events(in_db, world.verifier) == ["submitted"] and events(in_db, world.owner) == ["assigned"]

    in_db(lambda: ops.return_item(get(User, world.verifier), load(item_id), reason="缺少整改前后对比"))
    assert events(in_db, world.owner)[-1] == "returned" and events(in_db, world.verifier) == ["submitted"]

    in_db(lambda: ops.submit_item(get(User, world.owner), load(item_id), note="已补充对比照片"))
    in_db(lambda: ops.close_item(get(User, world.verifier), load(item_id), opinion="整改到位"))
    assert events(in_db, world.owner)[-1] == "closed"
    assert events(in_db, world.secretary) == ["closed"]  # the unit's secretary hears it is closed
    assert "closed" not in events(in_db, world.verifier)
    notice = in_db(lambda: db.session.scalars(sa.select(Notification).where(
        Notification.recipient_id == world.secretary.id)).one())
    assert notice.subject_type == "ledger_item" and notice.params["note"] == "整改到位"


def test_extension_requests_reach_the_deciders_and_the_answer_the_owner(in_db, world, new_item):
    today = ops.local_today()
    item_id = new_item()
    request = in_db(lambda: ops.request_extension(get(User, world.owner), load(item_id),
                                                  new_deadline=today + timedelta(days=60), reason="需上级审批"))
    assert events(in_db, world.verifier) == ["extension_asked"]
    in_db(lambda: ops.decide_extension(get(User, world.verifier), request, approve=False, note="时限不变"))
    assert events(in_db, world.owner) == ["assigned", "extension_decided"]
    assert events(in_db, world.verifier) == ["extension_asked"]


def test_without_a_verifier_the_leaders_above_decide_and_verify(in_db, world, new_item):
    item_id = new_item(verifier=None)
    in_db(lambda: ops.request_extension(get(User, world.owner), load(item_id),
                                        new_deadline=ops.local_today() + timedelta(days=60), reason="需上级审批"))
    assert events(in_db, world.leader) == ["extension_asked"]


def test_a_new_owner_is_told_the_item_is_hers(in_db, world, new_item):
    item_id = new_item(owner=None)
    in_db(lambda: ops.update_item(get(User, world.secretary), load(item_id), version=1,
                                  owner_id=world.owner.id))
    assert events(in_db, world.owner) == ["assigned"]


def test_an_item_first_seen_far_overdue_still_reminds_warns_and_supervises(in_db, world, new_item):
    today = ops.local_today()
    new_item(deadline=today - timedelta(days=20))
    for _twice in range(2):
        in_db(lambda: reminders.send_reminders(None, today))
    assert events(in_db, world.owner) == ["assigned", "remind"]
    assert events(in_db, world.secretary) == ["warn"] and events(in_db, world.leader) == ["supervise"]
