"""Cross-cutting behaviour: health, security headers, errors as pages and as htmx fragments."""

import pytest
import sqlalchemy as sa

from tracker.models import Role


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_healthz_503_when_database_unreachable(client, monkeypatch):
    from tracker.extensions import db

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["db"] == "unreachable"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_no_inline_scripts_in_pages(client, login, make_unit, make_user):
    user = make_user("adm", make_unit(), Role.admin)
    login(user)
    for url in ["/login", "/home", "/orgs/", "/users/"]:
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "onclick=" not in page and " style=" not in page, url


def test_session_cookie_flags(client, make_unit, make_user):
    make_user("adm", make_unit(), Role.member)
    response = client.post("/login", data={"username": "adm", "password": "secret-pass-1"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_404_is_a_page_for_browsers_and_a_fragment_for_htmx(client, login, make_unit, make_user):
    login(make_user("adm", make_unit(), Role.member))
    page = client.get("/orgs/99999")
    assert page.status_code == 404 and "<html" in page.get_data(as_text=True)
    fragment = client.get("/orgs/99999", headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    assert "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Retarget"] == "#flash"
    assert "HX-Request" in fragment.headers["Vary"]


def test_expired_login_redirects_htmx_to_the_login_page(client):
    response = client.get("/orgs/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_request_body_over_the_limit_gives_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/login", data={"username": "x" * 4096, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 1024 * 1024
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)


def test_unexpected_error_gives_500_page_and_rolls_back(app, client, login, make_unit, make_user, monkeypatch):
    from tracker.orgs import views

    admin = make_user("adm", make_unit(), Role.admin)
    login(admin)

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "scoped_units", boom)
    response = client.get("/orgs/")
    assert response.status_code == 500
    assert "出错了" in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200


def test_csrf_is_required_for_unsafe_requests(app, make_unit, make_user):
    make_user("adm", make_unit(), Role.member)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/login", data={"username": "adm", "password": "secret-pass-1"})
        assert response.status_code == 400
        assert "表单已过期" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_csrf_token_travels_in_hx_headers(app, client, login, make_unit, make_user):
    login(make_user("adm", make_unit(), Role.member))
    page = client.get("/home").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert 'hx-boost="true"' in page


def test_two_saves_crossing_in_the_database_answer_409(client, login, make_unit, make_user, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from tracker.orgs import views

    admin = make_user("adm", make_unit("机关党委"), Role.admin)
    login(admin)

    def crossed(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'org_unit' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(views.operations, "set_unit_active", crossed)
    unit_id = admin.memberships[0].unit_id
    response = client.post(f"/orgs/{unit_id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert "已有其他人同时修改了此记录" in response.get_data(as_text=True)


def test_a_nul_byte_in_input_is_a_bad_request(client, login, make_unit, make_user):
    login(make_user("adm", make_unit("机关党委"), Role.admin))
    assert client.get("/users/", query_string={"q": "a\x00b"}).status_code == 400
    assert client.post("/password", data={"current_password": "x\x00", "new_password": "y",
                                          "confirm": "y"}).status_code == 400
