"""Helpers shared by tests and fixtures: environment checks and PostgreSQL schemas."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "secret-pass-1"


def require(condition: bool, reason: str) -> None:
    """Skip a test whose environment is missing, with `reason`; under CI a missing one fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test, but: {reason}")
    pytest.skip(reason)


def is_postgres() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"))


def schema_name(base: str) -> str:
    """A PostgreSQL schema for one purpose; TEST_PG_SUFFIX keeps parallel runs apart."""
    return base + os.environ.get("TEST_PG_SUFFIX", "")


def pg_engine_options(schema: str) -> dict:
    return {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_pre_ping": True}


def reset_pg_schema(url: str, schema: str) -> None:
    """Drop and recreate one PostgreSQL schema, so each run starts empty."""
    from tracker.config import database_url

    engine = sa.create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()




def form_data(html: str, action: str) -> dict[str, str | list[str]]:
    """What a browser would send from the page's form posting to `action`, nothing changed.

    Text, hidden, date and number inputs; checked boxes and radios; the selected options of each
    select (a single select's first option when none is marked); textareas. Repeated names
    become lists.
    """
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.found: list[tuple[str, str]] | None = None
            self.inside = False
            self.select: tuple[str, list[str], list[str], bool] | None = None  # name, selected, options, multiple
            self.textarea: list | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.inside = a.get("action") == action and self.found is None
                if self.inside:
                    self.found = []
            elif not self.inside or self.found is None:
                return
            elif tag == "input" and a.get("name") and not a.get("disabled"):
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio"):
                    if "checked" in a:
                        self.found.append((a["name"], a.get("value", "on")))
                elif kind not in ("submit", "button", "file", "reset"):
                    self.found.append((a["name"], a.get("value") or ""))
            elif tag == "select" and a.get("name"):
                self.select = (a["name"], [], [], "multiple" in a)
            elif tag == "option" and self.select is not None:
                value = a.get("value", "")
                self.select[2].append(value)
                if "selected" in a:
                    self.select[1].append(value)
            elif tag == "textarea" and a.get("name"):
                self.textarea = [a["name"], ""]

        def handle_data(self, data):
            if self.textarea is not None:
                self.textarea[1] += data

        def handle_endtag(self, tag):
            if tag == "form" and self.inside:
                self.inside = False
            elif tag == "select" and self.select is not None:
                name, selected, options, multiple = self.select
                for value in selected or ([] if multiple else options[:1]):
                    self.found.append((name, value))
                self.select = None
            elif tag == "textarea" and self.textarea is not None:
                self.found.append((self.textarea[0], self.textarea[1].lstrip("\n")))
                self.textarea = None

    parser = Forms()
    parser.feed(html)
    if parser.found is None:
        raise AssertionError(f"no form posts to {action}")
    data: dict[str, str | list[str]] = {}
    for name, value in parser.found:
        if name in data:
            data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
        else:
            data[name] = value
    return data


class Person:
    """Someone using the tracker in a browser session of their own (a Flask test client logged in as them).

    `submit` sends a form as its page shows it, with the fields the person changes; the status a
    step should answer is asserted, with the page's end in the message when it does not.
    """

    def __init__(self, app, user, password: str = PASSWORD):
        self.username = user if isinstance(user, str) else user.username
        self.client = app.test_client()
        response = self.client.post("/login", data={"username": self.username, "password": password})
        assert response.status_code == 302, f"{self.username} cannot log in"

    def _check(self, response, method: str, url: str, status: int):
        assert response.status_code == status, (
            f"{self.username} {method} {url}: {response.status_code}\n{response.get_data(as_text=True)[-3000:]}")
        return response

    def get(self, url: str, status: int = 200, **kwargs) -> str:
        return self._check(self.client.get(url, **kwargs), "GET", url, status).get_data(as_text=True)

    def post(self, url: str, data: dict | None = None, status: int = 302, **kwargs):
        return self._check(self.client.post(url, data=data or {}, **kwargs), "POST", url, status)

    def submit(self, page: str, action: str, changes: dict | None = None, status: int = 302, **kwargs):
        """Fill the form of `page` (a URL) posting to `action` as shown, change `changes`, send it."""
        data = form_data(self.get(page), action)
        data.update(changes or {})
        return self.post(action, data, status, **kwargs)

    def follow(self, response) -> str:
        """The page a step's redirect leads to (with the flash it left)."""
        return self.get(response.headers["Location"])


#: The production login limits (tracker.config.Config), which the suite's TestConfig relaxes.
PRODUCTION_LIMITS = {"LOGIN_LIMIT": "10 per 5 minutes", "LOGIN_ACCOUNT_LIMIT": "5 per 5 minutes",
                     "LOGIN_DELAY_AFTER": "20 per 15 minutes"}


def fresh_app(**overrides):
    """An app of its own (ProxyFix is fixed when the app is built) on an in-memory SQLite database,
    with an admin `root` and a member `zhang` at one 机关党委, and the production login limits."""
    from tracker import create_app
    from tracker.config import TestConfig
    from tracker.extensions import db
    from tracker.models import Role, UnitKind
    from tracker.orgs.operations import create_unit
    from tracker.users.operations import create_user

    config = type("FreshConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": "sqlite://", "SQLALCHEMY_ENGINE_OPTIONS": {}, **PRODUCTION_LIMITS, **overrides})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        unit = create_unit(None, "机关党委", UnitKind.organ_committee, None)
        create_user(None, username="root", full_name="管理员", password=PASSWORD, unit=unit, role=Role.admin)
        create_user(None, username="zhang", full_name="张三", password=PASSWORD, unit=unit, role=Role.member)
        db.session.commit()
    return app
