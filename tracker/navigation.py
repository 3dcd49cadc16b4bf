"""The main navigation, and the panels features add to the home and unit pages."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

NAV = [
    ("dashboard.index", "dashboard", _l("Home")),
    ("projects.board", "projects", _l("Board")),
    ("projects.index", "projects", _l("Projects")),
    ("ledger.index", "ledger", _l("Rectification ledger")),
    ("reviews.index", "reviews", _l("Review rounds")),
    ("orgs.index", "orgs", _l("Organisation")),
    ("users.index", "users", _l("Users")),
]


def nav_items() -> list[dict]:
    """The navigation entries whose endpoints exist, marking the current section."""
    items = []
    for endpoint, section, label in NAV:
        if endpoint in current_app.view_functions:
            current = request.blueprint == section and (
                section != "projects" or (request.endpoint == "projects.board") == (endpoint == "projects.board")
            )
            items.append({"endpoint": endpoint, "label": label, "current": current})
    return items


#: Templates included on the home page and on a unit's page, in order; features append theirs.
DASHBOARD_WIDGETS: list[str] = []
UNIT_PANELS: list[str] = []


def sees_unit(unit) -> bool:
    """True when the current user's scope covers `unit` (its page exists for them)."""
    return current_user.is_authenticated and current_user.has_role_over(unit)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["sees_unit"] = sees_unit
    app.context_processor(lambda: {
        "nav_items": nav_items,
        "dashboard_widgets": lambda: DASHBOARD_WIDGETS,
        "unit_panels": lambda: UNIT_PANELS,
    })
