"""Browser tests: the real app served on a local port, driven by Debian's chromium via Playwright.

The served app has its own database (a SQLite file, or a PostgreSQL schema under
TEST_DATABASE_URL) built by the Alembic revisions and filled by `seed-demo`, and CSRF on.
"""

from __future__ import annotations

import os
import shutil
import threading

import flask_migrate
import pytest
from werkzeug.serving import make_server

from support import is_postgres, pg_engine_options, require, reset_pg_schema, schema_name
from tracker import create_app
from tracker.config import TestConfig, database_url
from tracker.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
E2E_SCHEMA = schema_name("tracker_e2e")

pytestmark = pytest.mark.browser


def _chromium_path() -> str | None:
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = _chromium_path()
    require(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    overrides = {
        "WTF_CSRF_ENABLED": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}",
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
    }
    if is_postgres():
        reset_pg_schema(os.environ["TEST_DATABASE_URL"], E2E_SCHEMA)
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["TEST_DATABASE_URL"])
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = pg_engine_options(E2E_SCHEMA)
    app = create_app(type("E2EConfig", (TestConfig,), overrides))
    with app.app_context():
        flask_migrate.upgrade()
        from tracker.demo import seed_demo

        seed_demo(lambda _text: None)
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the app served in a background thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture
def log_in(page, live_server):
    """Log the browser page in as a demo user."""

    def do(username: str, password: str = "demo12345"):
        page.goto(f"{live_server}/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server}/home")

    return do


