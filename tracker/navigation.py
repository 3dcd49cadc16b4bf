"""The main navigation and the template helpers every page uses."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import hooks

NAV = [
    ("dashboard.index", "dashboard", _l("Home")),
    ("projects.board", "projects", _l("Board")),
    ("projects.index", "projects", _l("Projects")),
    ("ledger.index", "ledger", _l("Rectification ledger")),
    ("reviews.index", "reviews", _l("Review rounds")),
    ("meetings.index", "meetings", _l("Organisational life")),
    ("orgs.index", "orgs", _l("Organisation")),
    ("users.index", "users", _l("Users")),
    ("search.index", "search", _l("Search")),
    ("activity.index", "activity", _l("Activity record")),
    ("inbox.index", "inbox", _l("Inbox")),
]

#: A fragment shown beside an entry's label (it keeps itself current: the unread count polls).
BADGES = {"inbox.index": "inbox/_count.html"}

#: Entries only some people see (the page is a 404 for the others).
ONLY_FOR = {"activity.index": lambda user: user.is_leader}


def nav_items() -> list[dict]:
    """The navigation entries whose endpoints exist, marking the current section."""
    items = []
    for endpoint, section, label in NAV:
        if has_endpoint(endpoint) and ONLY_FOR.get(endpoint, lambda user: True)(current_user):
            current = request.blueprint == section and (
                section != "projects" or (request.endpoint == "projects.board") == (endpoint == "projects.board")
            )
            items.append({"endpoint": endpoint, "label": label, "current": current, "badge": BADGES.get(endpoint)})
    return items


def has_endpoint(endpoint: str) -> bool:
    """True when the app serves `endpoint` (a page links to another feature only when it is there)."""
    return endpoint in current_app.view_functions


def sees_unit(unit) -> bool:
    """True when the current user's scope covers `unit` (its page exists for them)."""
    return current_user.is_authenticated and current_user.has_role_over(unit)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, has_endpoint=has_endpoint, sees_unit=sees_unit,
                                 home_widgets=hooks.home_widgets, unit_panels=hooks.unit_panels,
                                 person_panels=hooks.person_panels)
