"""Login, logout, password change and language switch."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..forms import attempt, form_status
from . import bp, operations, throttle
from .forms import ChangePasswordForm, LanguageForm, LoginForm


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


def _too_many_attempts(form: LoginForm, wait: int):
    """The login page answering 429: in the reader's language, saying when to try again."""
    retry_at = datetime.fromtimestamp(time.time() + wait, UTC)  # the throttle's clock
    response = make_response(render_template("auth/login.html", form=form, wait_minutes=-(-wait // 60),
                                             retry_at=retry_at), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        attempt = throttle.attempt_from_request(form.username.data)
        if wait := throttle.wait_seconds(attempt):
            return _too_many_attempts(form, wait)
        user = operations.authenticate(form.username.data, form.password.data)
        if user is not None:
            db.session.commit()
            locale = session.get("locale")
            session.clear()  # a fresh session (and CSRF token) for the logged-in user
            if locale and not user.locale:
                session["locale"] = locale
            login_user(user, remember=form.remember.data)
            response = redirect(_safe_next(form.next.data))
            throttle.remember_device(response, attempt)
            return response
        throttle.record_failure(attempt)
        form.password.errors.append(_("Wrong username or password."))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    # The login page that follows keeps the language the user was reading.
    locale = current_user.locale if current_user.is_authenticated else None
    locale = locale or session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit() and attempt(form, operations.change_password, current_user,
                                             form.current_password.data, form.new_password.data,
                                             default="current_password") is not None:
        db.session.commit()
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form), form_status(form)


@bp.post("/language")
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return redirect(url_for("dashboard.index"))
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        operations.set_locale(current_user, form.locale.data)
        db.session.commit()
    return redirect(_safe_next(form.next.data))
