"""One errors module: a full page for normal requests, a flash-area fragment for htmx."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .htmx import wants_fragment
from .domain_errors import DomainError


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("Conflict"),
        413: _("File too large"),
        422: _("Invalid input"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Service unavailable"),
    }


def _explanations(upload_mb: int) -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check what you entered and try again."),
        403: _("You do not have permission to do this."),
        404: _("The page or record does not exist, or it is outside the units you can see."),
        409: _("This cannot be done in the record's current state."),
        413: _("The upload is larger than the limit of %(mb)s MB.", mb=upload_mb),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("An unexpected error occurred. It has been logged; please try again later."),
    }


def error_response(status: int, reasons: list[str] | None = None, title: str | None = None):
    """Render an error as a page, as an htmx fragment aimed at the flash area, or as JSON."""
    from flask import current_app

    title = title or _titles().get(status, _("Error"))
    explanation = _explanations(current_app.config["MAX_UPLOAD_MB"]).get(status, "")
    context = {"status": status, "title": title, "explanation": explanation, "reasons": reasons or []}
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, reasons=context["reasons"]), status
    if wants_fragment():
        response = current_app.make_response((render_template("errors/_error.html", **context), status))
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = current_app.make_response((render_template("errors/page.html", **context), status))
    response.vary.add("HX-Request")
    return response


def init_app(app: Flask) -> None:
    from .i18n import reason_text

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        # A rule refused: say what was refused, not "conflict" (that is two saves crossing).
        title = reason_text(error.title) if error.title else _("Not possible now") if error.status == 409 else None
        return error_response(error.status, [reason_text(r) for r in error.reasons], title=title)

    @app.errorhandler(StaleDataError)
    def _stale_data(error: StaleDataError):
        # Two saves of one record crossed between our version check and the UPDATE: the
        # database refused the second, so it is a conflict, not a crash.
        db.session.rollback()
        return error_response(409, [_("Someone else changed this record at the same moment. "
                                      "Reload the page and try again.")])

    @app.before_request
    def _refuse_nul_bytes():
        # No text a person types holds a NUL byte, and PostgreSQL cannot store one.
        if any("\x00" in value for value in request.args.values()) or (
            request.method in ("POST", "PUT", "PATCH")
            and any("\x00" in value for value in request.form.values())
        ):
            return error_response(400)
        return None

    @app.errorhandler(DataError)
    def _data_error(error: DataError):
        # The database refused a value that got past the forms (out of range, malformed): the
        # request was bad, not the server.
        db.session.rollback()
        app.logger.warning("database refused a value on %s %s: %s", request.method, request.path, error.orig)
        return error_response(400)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        from .security import https_only_message, https_only_over_http

        if https_only_over_http():  # no session cookie came back: not an expired form at all
            return error_response(400, [https_only_message()])
        return error_response(400, [_("The form has expired. Please reload the page and try again.")])

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        reasons = []
        if error.code in (400, 403, 409) and error.description and getattr(error, "show_description", False):
            reasons = [error.description]
        response = error_response(error.code, reasons)
        if error.code == 429:
            # Only a refusal that knows when it ends says so (werkzeug's TooManyRequests(retry_after=…)).
            for name, value in error.get_headers():
                if name == "Retry-After":
                    response.headers[name] = value
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(InternalServerError.code)
