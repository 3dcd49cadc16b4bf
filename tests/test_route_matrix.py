"""Matrices generated from the URL map, so a new route is covered the day it is added.

- Every unsafe method of every route refuses a request without a CSRF token (400, nothing done).
- Every route sends an anonymous visitor to the login page, except the few that are public by name.

The feature matrices (route × role × in scope / participant / neither) stay with their features.
"""

from __future__ import annotations

import re

import pytest

from tracker import create_app
from tracker.config import TestConfig

#: Routes anyone may open: the login page, the language switch, the health check, static files.
PUBLIC = {"static", "auth.login", "auth.language", "health.healthz", "dashboard.root"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _filled(match: re.Match) -> str:
    """A value for one URL argument: 1 for an id, the first choice of an `any(...)`, else "x"."""
    converter, options = match.group(1), match.group(2)
    if converter == "any":
        return options.split(",")[0].strip()
    return "1" if converter == "int" else "x"


def _routes() -> list[tuple[str, str, str]]:
    """(endpoint, method, URL with every argument filled) of every rule the app serves."""
    app = create_app(TestConfig)
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", _filled, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return sorted(routes)


ROUTES = _routes()
UNSAFE_ROUTES = [r for r in ROUTES if r[1] in UNSAFE]


def _ids(routes):
    return [f"{method} {endpoint}" for endpoint, method, _ in routes]


@pytest.fixture
def admin_client(app, perm_world):
    """The matrix world's admin, logged in before CSRF protection is switched on for the test."""
    client = app.test_client()
    assert client.post("/login", data={"username": "m_admin", "password": "secret-pass-1"}).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    yield client
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("endpoint,method,url", UNSAFE_ROUTES, ids=_ids(UNSAFE_ROUTES))
def test_unsafe_requests_without_a_csrf_token_are_refused(admin_client, endpoint, method, url):
    response = admin_client.open(url, method=method, data={"name": "改名"})
    assert response.status_code == 400, f"{method} {url} ({endpoint}) answered {response.status_code}"
    assert "表单已过期" in response.get_data(as_text=True)


@pytest.mark.parametrize("endpoint,method,url", [r for r in ROUTES if r[0] not in PUBLIC],
                         ids=_ids([r for r in ROUTES if r[0] not in PUBLIC]))
def test_anonymous_visitors_are_sent_to_log_in(app, endpoint, method, url):
    response = app.test_client().open(url, method=method)
    assert response.status_code == 302, f"{method} {url} ({endpoint}) answered {response.status_code}"
    assert "/login" in response.headers["Location"]


def test_the_csrf_matrix_covers_every_unsafe_route():
    assert len(UNSAFE_ROUTES) >= 80  # sanity: the URL map was read, not an empty app
    assert {endpoint.split(".")[0] for endpoint, _, _ in UNSAFE_ROUTES} >= {"auth", "orgs", "users", "projects",
                                                                            "ledger", "reviews"}
