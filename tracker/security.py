"""Security headers on every response (a strict Content-Security-Policy and friends), and the
check that HTTPS-only cookies are not being used over plain HTTP."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def https_only_over_http() -> bool:
    """True when cookies are HTTPS-only (SESSION_COOKIE_SECURE) but this request came over plain
    HTTP: the browser keeps no session, so no form (the login first) can work."""
    return bool(current_app.config.get("SESSION_COOKIE_SECURE")) and not request.is_secure


def https_only_message() -> str:
    return _("This server is configured for HTTPS only (SESSION_COOKIE_SECURE=true), but this page came over "
             "plain HTTP, so your browser will not keep a login. Open the site with https://, or, for a trial "
             "without TLS, set SESSION_COOKIE_SECURE=false. Behind a reverse proxy that provides HTTPS, set "
             "PROXY_FIX_X_FOR=1.")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(https_only_over_http=https_only_over_http, https_only_message=https_only_message)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
