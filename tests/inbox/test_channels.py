"""Channels beside the inbox: e-mail to a local SMTP server, group-robot posts to a local HTTP server;
off by default, sent only after the commit, an unreachable channel logged and retried, the inbox written anyway."""

import base64
import hashlib
import hmac
import logging
import urllib.parse

import pytest

from tracker import worker
from tracker.extensions import db
from tracker.inbox import channels, operations
from tracker.models import Event, OrgUnit, User, WebhookKind

from .channels_support import RobotServer, SmtpServer, free_port
from .conftest import notices_of


@pytest.fixture
def mail(app, monkeypatch):
    with SmtpServer() as smtp:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
        monkeypatch.setitem(app.config, "BASE_URL", "https://dj.example.gov.cn")
        yield smtp


@pytest.fixture
def wants_email(in_db, people):
    def opt_in(user, email):
        def run():
            person = db.session.get(User, user.id)
            operations.update_settings(person, person, events=list(Event), by_email=True, email=email)
        in_db(run)
    return opt_in


@pytest.fixture(autouse=True)
def _no_leftover_retries():
    yield
    worker.huey.flush()


def robot_for(in_db, unit, kind, url, secret=None):
    in_db(lambda: operations.set_unit_robot(None, db.session.get(OrgUnit, unit.id), kind, url, secret))


def test_an_email_reaches_whoever_asked_for_them(mail, wants_email, people, send):
    wants_email(people["sec"], "sec@example.gov.cn")
    send(people["leader"], [people["sec"], people["member"]], Event.supervise, subject_unit=people["unit"])
    assert len(mail.messages) == 1
    message = mail.messages[0]
    assert message["To"] == "sec@example.gov.cn" and "督办" in message["Subject"] and "一支部" in message["Subject"]
    assert f"https://dj.example.gov.cn/orgs/{people['unit'].id}" in message.get_content()


def test_email_is_off_without_a_mail_server(app, wants_email, people, send, monkeypatch):
    sent = []
    monkeypatch.setattr(channels.smtplib, "SMTP", lambda *a, **k: sent.append(a))
    wants_email(people["sec"], "sec@example.gov.cn")
    send(people["leader"], [people["sec"]], subject_unit=people["unit"])
    assert sent == []


def test_nothing_is_sent_for_a_notice_rolled_back(app, mail, wants_email, people):
    wants_email(people["sec"], "sec@example.gov.cn")
    with app.app_context():
        operations.notify(None, [db.session.get(User, people["sec"].id)], Event.assigned,
                          db.session.get(OrgUnit, people["unit"].id))
        db.session.rollback()
        db.session.commit()
    assert mail.messages == []


def test_a_dingtalk_robot_gets_one_signed_post_per_notice_naming_everyone(app, in_db, people, send, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ENABLED", True)
    with RobotServer() as robot:
        robot_for(in_db, people["unit"], WebhookKind.dingtalk, robot.url, "SECabc")
        send(people["leader"], [people["sec"], people["member"]], Event.warn, subject_unit=people["unit"])
    assert len(robot.posts) == 1
    path, body = robot.posts[0]
    assert body["msgtype"] == "text" and "告诫" in body["text"]["content"] and "一支部" in body["text"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECabc", f"{timestamp}\nSECabc".encode(), hashlib.sha256).digest()).decode()
    assert sign == expected and query["access_token"] == ["t0ken"]


def test_a_wecom_robot_gets_its_own_format(app, in_db, people, send, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ENABLED", True)
    with RobotServer() as robot:
        robot_for(in_db, people["unit"], WebhookKind.wecom, robot.url)
        send(None, [people["sec"]], Event.remind, subject_unit=people["unit"])
    path, body = robot.posts[0]
    assert "sign=" not in path and body["msgtype"] == "text" and "mentioned_mobile_list" in body["text"]
    assert "提醒" in body["text"]["content"]


def test_robots_stay_silent_unless_switched_on(app, in_db, people, send):
    with RobotServer() as robot:
        robot_for(in_db, people["unit"], WebhookKind.wecom, robot.url)
        send(None, [people["sec"]], Event.remind, subject_unit=people["unit"])
    assert robot.posts == []


def test_an_unreachable_mail_server_is_logged_and_retried_and_the_inbox_written(app, wants_email, people, send,
                                                                                 monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    wants_email(people["sec"], "sec@example.gov.cn")
    with caplog.at_level(logging.WARNING):
        send(people["leader"], [people["sec"]], Event.overdue, subject_unit=people["unit"])
    assert "not sent" in caplog.text
    retries = [t for t in worker.huey.scheduled() if t.name.endswith("send_email")]
    assert len(retries) == 1 and retries[0].retries == channels.RETRIES - 1
    with app.app_context():
        assert [n.event for n in notices_of(people["sec"])] == [Event.overdue]


def test_a_robot_refusing_the_post_is_logged_and_retried(app, in_db, people, send, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "WEBHOOKS_ENABLED", True)
    with RobotServer({"errcode": 310000, "errmsg": "sign not match"}) as robot, caplog.at_level(logging.WARNING):
        robot_for(in_db, people["unit"], WebhookKind.dingtalk, robot.url, "SECwrong")
        send(None, [people["sec"]], Event.remind, subject_unit=people["unit"])
    assert "sign not match" in caplog.text and "t0ken" not in caplog.text
    assert [t.retries for t in worker.huey.scheduled()] == [channels.RETRIES - 1]


@pytest.mark.parametrize("url", ["ftp://oapi.dingtalk.com/robot", "http://oapi.dingtalk.com/robot/send",
                                 "https://10.0.0.1/robot/send", "https://oapi.dingtalk.com.evil.example/robot"])
def test_a_robot_lives_on_the_robot_hosts_only(app, people, url):
    from tracker.domain_errors import DomainError

    with app.app_context(), pytest.raises(DomainError):
        operations.set_unit_robot(None, db.session.get(OrgUnit, people["unit"].id), WebhookKind.wecom, url)


def test_the_worker_refuses_to_post_off_the_robot_hosts(app, caplog):
    with app.app_context(), caplog.at_level(logging.ERROR):
        channels.post_to_robot.call_local("wecom", "https://192.168.1.1/hook", None, "text", [])
    assert "not on WEBHOOK_HOSTS" in caplog.text and not worker.huey.scheduled()


def test_the_robot_command(runner, people, app):
    result = runner.invoke(args=["unit-robot", "--unit", str(people["unit"].id), "--kind", "dingtalk",
                                 "--url", "https://oapi.dingtalk.com/robot/send?access_token=x", "--secret", "SEC1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        unit = db.session.get(OrgUnit, people["unit"].id)
        assert unit.webhook_kind is WebhookKind.dingtalk and unit.webhook_secret == "SEC1"
    assert runner.invoke(args=["unit-robot", "--unit", "999999", "--kind", "none"]).exit_code == 1


def test_checking_the_channels_says_which_one_fails(runner, app, in_db, people, monkeypatch):
    assert runner.invoke(args=["check-channels"]).exit_code == 0  # everything off: nothing to fail
    with SmtpServer() as smtp:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
        result = runner.invoke(args=["check-channels", "--to", "office@example.gov.cn"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp.messages] == ["office@example.gov.cn"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    with RobotServer() as robot:
        robot_for(in_db, people["unit"], WebhookKind.wecom, robot.url)
        result = runner.invoke(args=["check-channels", "--unit", str(people["unit"].id)])
    assert result.exit_code == 1 and "e-mail: 127.0.0.1" in result.output and "robot" not in result.output
    assert len(robot.posts) == 1
    result = runner.invoke(args=["check-channels", "--unit", str(people["unit"].id)])  # the robot is gone now
    assert result.exit_code == 1 and "robot of 一支部" in result.output
