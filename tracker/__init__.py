"""The party-building tracker: `create_app` builds the Flask application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (activity, attachments, auth, cli, dashboard, errors, health, i18n, inbox, ledger, meetings,
               navigation, orgs, projects, reviews, search, security, users, worker)
from . import schedule  # noqa: F401  (the worker's daily tasks register themselves on import)
from .auth.passwords import configure_hasher
from .config import Config
from .database import configure_engines
from .extensions import babel, csrf, db, htmx, login_manager, migrate
from .secret_key import configure_secret_key

ROOT = Path(__file__).resolve().parent.parent

#: Every feature, each registering its blueprint, commands, labels, template helpers and hooks.
FEATURES = (auth, dashboard, orgs, users, projects, ledger, reviews, meetings, search, activity, inbox, attachments,
            health, cli)


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers and CLI commands.

    `config` is a config class (default `Config`, read from the environment) or a dict of
    overrides applied on top of it.
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    if isinstance(config, dict):
        app.config.from_object(Config)
        app.config.update(config)
    else:
        app.config.from_object(config or Config)
    app.config.setdefault("UPLOAD_DIR", None)
    if not app.config["UPLOAD_DIR"]:
        app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_secret_key(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    htmx.init_app(app)
    _trust_proxies(app)
    if app.config.get("ARGON2_PARAMS"):
        configure_hasher(**app.config["ARGON2_PARAMS"])

    configure_engines(app)
    worker.init_app(app)

    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    for feature in FEATURES:
        feature.register(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_FIX_X_FOR reverse proxies, take the client's address and scheme from their
    X-Forwarded-For / X-Forwarded-Proto headers (without a proxy, those headers are anyone's)."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
