"""Delivering notices beyond the inbox: e-mail over SMTP and a unit's group robot (企业微信 / 钉钉).

Both are off by default (MAIL_SERVER, WEBHOOKS_ENABLED). `notify` writes the inbox rows and queues
the deliveries here; they reach the worker only when the caller's transaction commits (a rolled-back
notice is never sent). Each delivery is a Huey task: an unreachable channel is logged and retried
RETRIES times, RETRY_DELAY seconds apart; the inbox row stands either way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from functools import partial
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import hooks
from ..extensions import db
from ..models import Notification, NotificationSetting, OrgUnit, User, WebhookKind
from ..worker import task

log = logging.getLogger(__name__)

RETRIES, RETRY_DELAY = 3, 60


class ChannelError(Exception):
    """A channel refused or could not be reached (the task is retried)."""


# --- Queued until the transaction commits ----------------------------------------------------------

_PENDING = "inbox_deliveries"


def after_commit(calls: list[Callable[[], Any]]) -> None:
    """Run `calls` (enqueue tasks) once the current transaction commits; forget them on rollback."""
    if calls:
        db.session.info.setdefault(_PENDING, []).extend(calls)


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    for call in session.info.pop(_PENDING, []):
        call()


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def queue_deliveries(notices: list[Notification], people: dict[int, User],
                     settings: dict[int, NotificationSetting], unit_id: int | None) -> None:
    """Queue an e-mail to each recipient who asked for them, and one robot post for the unit."""
    config = current_app.config
    calls: list[Callable[[], Any]] = []
    if config.get("MAIL_SERVER"):
        for notice in notices:
            user, setting = people[notice.recipient_id], settings.get(notice.recipient_id)
            if setting is not None and setting.by_email and user.email:
                subject, body = compose(notice, user.locale or config["BABEL_DEFAULT_LOCALE"])
                calls.append(partial(send_email, user.email, subject, body))
    unit = db.session.get(OrgUnit, unit_id) if config.get("WEBHOOKS_ENABLED") and unit_id else None
    if unit is not None and unit.webhook_kind and unit.webhook_url:
        subject, body = compose(notices[0], config["BABEL_DEFAULT_LOCALE"])
        names = "、".join(people[n.recipient_id].display_name for n in notices)
        mobiles = [people[n.recipient_id].phone for n in notices if people[n.recipient_id].phone]
        text = f"{subject}\n→ {names}\n{body.splitlines()[-1]}"
        calls.append(partial(post_to_robot, unit.webhook_kind.value, unit.webhook_url, unit.webhook_secret, text,
                             mobiles))
    after_commit(calls)


def compose(notice: Notification, locale: str) -> tuple[str, str]:
    """A notice as a message in `locale`: a subject line, and a body ending with the record's address."""
    with force_locale(locale):
        title = " ".join(notice.title.split())  # one line: it goes into a mail header
        subject = f"[{gettext('Party Building Tracker')}] {notice.event.label}：{title}"
        note = (notice.params or {}).get("note")
        lines = [f"{notice.event.label}：{notice.title}"] + ([str(note)] if note else [])
        lines.append(external_url(notice.subject_type, notice.subject_id) or current_app.config["BASE_URL"])
    return subject, "\n".join(lines)


def external_url(subject_type: str, subject_id: int) -> str | None:
    """The full address (BASE_URL) of a record's page, when its feature names one; no request needed."""
    kind = hooks.record_kinds().get(subject_type)
    if kind is None:
        return None
    base = urllib.parse.urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(kind.endpoint, {kind.id_arg: subject_id}, force_external=True)


# --- The tasks -------------------------------------------------------------------------------------


@task(retries=RETRIES, retry_delay=RETRY_DELAY)
def send_email(to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail through MAIL_SERVER (STARTTLS with MAIL_USE_TLS, login with MAIL_USERNAME)."""
    config = current_app.config
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], to, subject
    message.set_content(body)
    with mail_server(f"e-mail to {to} not sent") as smtp:
        smtp.send_message(message)


@contextmanager
def mail_server(failure: str) -> Iterator[smtplib.SMTP]:
    """A session with MAIL_SERVER, logged in as configured; a failure is logged as `failure` and
    raised as ChannelError (a task retries)."""
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            yield smtp
    except (OSError, smtplib.SMTPException) as error:
        log.warning("%s (%s:%s): %s", failure, config["MAIL_SERVER"], config["MAIL_PORT"], error)
        raise ChannelError(f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}: {error}") from error


@task(retries=RETRIES, retry_delay=RETRY_DELAY)
def post_to_robot(kind: str, url: str, secret: str | None, text: str, mobiles: list[str]) -> None:
    """Post `text` to a group robot in its format (企业微信 or 钉钉, 钉钉's URL signed with `secret`),
    mentioning the recipients by mobile number. An address off WEBHOOK_HOSTS is refused, not retried."""
    if not robot_host_allowed(url):
        log.error("robot post to %s refused: not on WEBHOOK_HOSTS", _host(url))
        return
    if WebhookKind(kind) is WebhookKind.dingtalk:
        payload: dict[str, Any] = {"msgtype": "text", "text": {"content": text},
                                   "at": {"atMobiles": mobiles, "isAtAll": False}}
        url = signed_dingtalk_url(url, secret) if secret else url
    else:
        payload = {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["WEBHOOK_TIMEOUT"]) as response:
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as error:
        log.warning("robot post to %s failed: %s", _host(url), error)
        raise ChannelError(f"{_host(url)}: {error}") from error
    if answer.get("errcode", 0) != 0:  # both robots answer 200 with their error inside
        log.warning("robot at %s refused the post: %s %s", _host(url), answer.get("errcode"), answer.get("errmsg"))
        raise ChannelError(f"{_host(url)} refused: {answer.get('errcode')} {answer.get('errmsg')}")


def robot_host_allowed(url: str) -> bool:
    """True for an http(s) address on one of WEBHOOK_HOSTS (https only, unless the host is this machine's)."""
    parts = urllib.parse.urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return (parts.scheme == "https" or (parts.scheme == "http" and local)) and \
        parts.hostname in current_app.config["WEBHOOK_HOSTS"]


def signed_dingtalk_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """钉钉's 加签: timestamp (ms) and sign = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc  # the access token in the query stays out of the log
