"""notify(): who is told, once; marking read; a person's settings."""

import pytest

from tracker.domain_errors import DomainError, NotAllowed
from tracker.extensions import db
from tracker.inbox import operations
from tracker.models import Event, User

from .conftest import notices_of


def test_notify_writes_one_notice_per_recipient_naming_the_record(app, people, send):
    written = send(people["leader"], [people["sec"], people["member"]], Event.assigned, subject_unit=people["unit"],
                   params={"note": "请本周内完成"})
    assert len(written) == 2
    with app.app_context():
        notice = notices_of(people["sec"])[0]
        assert (notice.event, notice.subject_type, notice.subject_id) == (Event.assigned, "org_unit", people["unit"].id)
        assert notice.title == "一支部" and notice.unit_id == people["unit"].id and notice.is_unread
        assert notice.actor_id == people["leader"].id and notice.params == {"note": "请本周内完成"}


def test_nobody_is_told_what_she_did_herself(app, people, send):
    assert [n.recipient_id for n in send(people["sec"], [people["sec"], people["member"], None, people["member"]],
                                         subject_unit=people["unit"])] == [people["member"].id]


def test_once_per_item_and_level_however_often_it_runs(app, people, send):
    for _ in range(3):
        send(None, [people["sec"]], Event.warn, subject_unit=people["unit"], dedupe_key="org_unit:1:warn")
    send(None, [people["sec"]], Event.supervise, subject_unit=people["unit"], dedupe_key="org_unit:1:supervise")
    with app.app_context():
        assert [n.event for n in notices_of(people["sec"])] == [Event.warn, Event.supervise]


def test_a_muted_event_does_not_reach_the_inbox(app, people, send, in_db):
    def mute():
        sec = db.session.get(User, people["sec"].id)
        operations.update_settings(sec, sec, events=[e for e in Event if e is not Event.due_soon], by_email=False,
                                   email=None)
    in_db(mute)
    send(None, [people["sec"]], Event.due_soon, subject_unit=people["unit"])
    send(None, [people["sec"]], Event.overdue, subject_unit=people["unit"])
    with app.app_context():
        assert [n.event for n in notices_of(people["sec"])] == [Event.overdue]


def test_marking_read_one_and_all(app, people, send, in_db):
    first, = send(None, [people["sec"]], subject_unit=people["unit"])
    send(None, [people["sec"]], Event.overdue, subject_unit=people["unit"])
    in_db(lambda: operations.mark_read(db.session.get(User, people["sec"].id), db.session.merge(first)))
    with app.app_context():
        assert [n.is_unread for n in notices_of(people["sec"])] == [False, True]
    assert in_db(lambda: operations.mark_all_read(db.session.get(User, people["sec"].id))) == 1
    assert in_db(lambda: operations.mark_all_read(db.session.get(User, people["sec"].id))) == 0


def test_nobody_marks_another_persons_notice(app, people, send):
    notice, = send(None, [people["sec"]], subject_unit=people["unit"])
    with app.app_context(), pytest.raises(NotAllowed):
        operations.mark_read(db.session.get(User, people["member"].id), db.session.merge(notice))


def test_settings_are_ones_own_and_email_needs_an_address(app, people):
    with app.app_context():
        sec, member = db.session.get(User, people["sec"].id), db.session.get(User, people["member"].id)
        with pytest.raises(NotAllowed):
            operations.update_settings(member, sec, events=[], by_email=False, email=None)
        with pytest.raises(DomainError):
            operations.update_settings(sec, sec, events=list(Event), by_email=True, email="  ")
        setting = operations.update_settings(sec, sec, events=["remind"], by_email=True, email="sec@example.gov.cn")
        assert sec.email == "sec@example.gov.cn" and setting.by_email and "remind" not in setting.muted
        assert len(setting.muted) == len(Event) - 1


def test_the_event_vocabulary_reads_in_both_languages(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert str(Event.supervise.label) == "督办" and str(Event.warn.label) == "告诫" and str(Event.remind.label) == "提醒"
    with app.test_request_context(), force_locale("en"):
        assert str(Event.supervise.label) == "Supervision (督办)" and str(Event.assigned.label) == "Assigned to you"
    assert [e.value for e in Event] == [
        "assigned", "due_soon", "overdue", "submitted", "returned", "closed", "extension_asked", "extension_decided",
        "approval_asked", "approval_decided", "verdict", "sheet_assigned", "appeal_answered", "round_published",
        "meeting_returned", "remind", "warn", "supervise"]
