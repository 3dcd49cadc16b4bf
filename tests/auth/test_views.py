"""Logging in and out, passwords, the language switch and the login rate limit."""

import pytest

from tracker.auth import throttle
from tracker.models import Role


@pytest.fixture
def branch_user(make_unit, make_user):
    root = make_unit("机关党委")
    return make_user("zhang", root, Role.member)


def test_login_page_is_in_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and 'lang="zh-CN"' in page


def test_login_then_home_shows_name_and_unit(client, branch_user):
    response = client.post("/login", data={"username": "ZHANG ", "password": "secret-pass-1"})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    page = client.get("/home").get_data(as_text=True)
    assert "测试用户" in page and "机关党委" in page


@pytest.mark.parametrize("username", ["zhang", "nobody"])
def test_wrong_password_and_unknown_user_get_the_same_message(client, branch_user, username):
    response = client.post("/login", data={"username": username, "password": "wrong-password"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "用户名或密码错误。" in page
    assert 'aria-invalid="true"' in page


def test_deactivated_user_cannot_log_in(client, in_db, branch_user):
    from tracker.extensions import db
    from tracker.models import User

    in_db(lambda: setattr(db.session.get(User, branch_user.id), "is_active_flag", False))
    response = client.post("/login", data={"username": "zhang", "password": "secret-pass-1"})
    assert response.status_code == 422


def test_deactivated_user_is_logged_out_on_next_request(client, login, in_db, branch_user):
    from tracker.extensions import db
    from tracker.models import User

    login(branch_user)
    in_db(lambda: setattr(db.session.get(User, branch_user.id), "is_active_flag", False))
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_the_session(client, login, branch_user):
    login(branch_user)
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/home").status_code == 302


def test_login_follows_only_local_next(client, branch_user):
    ok = client.post("/login", data={"username": "zhang", "password": "secret-pass-1", "next": "/orgs/"})
    assert ok.headers["Location"] == "/orgs/"
    client.post("/logout")
    evil = client.post("/login", data={"username": "zhang", "password": "secret-pass-1",
                                       "next": "//evil.example/"})
    assert evil.headers["Location"] == "/home"


def test_change_password(client, login, branch_user):
    login(branch_user)
    wrong = client.post("/password", data={"current_password": "nope", "new_password": "new-pass-123",
                                           "confirm": "new-pass-123"})
    assert wrong.status_code == 422 and "当前密码不正确。" in wrong.get_data(as_text=True)
    mismatch = client.post("/password", data={"current_password": "secret-pass-1",
                                              "new_password": "new-pass-123", "confirm": "other-pass"})
    assert mismatch.status_code == 422 and "两次输入的密码不一致。" in mismatch.get_data(as_text=True)
    done = client.post("/password", data={"current_password": "secret-pass-1",
                                          "new_password": "new-pass-123", "confirm": "new-pass-123"})
    assert done.status_code == 302
    login(branch_user, password="new-pass-123")


def test_language_choice_is_remembered_for_the_user(app, client, login, branch_user):
    login(branch_user)
    client.post("/language", data={"locale": "en", "next": "/home"})
    assert "Log out" in client.get("/home").get_data(as_text=True)
    # A new browser session for the same user comes back in English.
    other = app.test_client()
    other.post("/login", data={"username": "zhang", "password": "secret-pass-1"})
    page = other.get("/home").get_data(as_text=True)
    assert "Log out" in page and 'lang="en"' in page


def test_anonymous_language_switch_changes_the_login_page(client):
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert "Log in" in client.get("/login").get_data(as_text=True)


@pytest.fixture
def strict_login_limit(app):
    # Ten failures per address; one account's failures from anywhere past ten make every device
    # that has not logged in to it before wait (production waits past twenty: see test_throttle.py).
    strict = {"LOGIN_LIMIT": "10 per 5 minutes", "LOGIN_ACCOUNT_LIMIT": "5 per 5 minutes",
              "LOGIN_DELAY_AFTER": "10 per 15 minutes"}
    relaxed = {name: app.config[name] for name in strict}
    app.config.update(strict)
    with app.app_context():
        throttle.reset()
    yield
    app.config.update(relaxed)
    with app.app_context():
        throttle.reset()


def test_ten_failed_logins_for_one_account_give_429(client, branch_user, strict_login_limit):
    for i in range(10):
        response = client.post("/login", data={"username": "zhang", "password": f"wrong{i}"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
        assert response.status_code == 422
    blocked = client.post("/login", data={"username": "zhang", "password": "secret-pass-1"},
                          environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)


def test_ten_failed_logins_from_one_address_give_429(client, branch_user, strict_login_limit):
    for i in range(10):
        assert client.post("/login", data={"username": f"guess{i}", "password": "x"}).status_code == 422
    assert client.post("/login", data={"username": "zhang", "password": "secret-pass-1"}).status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, branch_user, strict_login_limit):
    for _ in range(12):
        assert client.post("/login", data={"username": "zhang", "password": "secret-pass-1"}).status_code == 302
        client.post("/logout")


@pytest.fixture
def https_only(app):
    app.config.update(SESSION_COOKIE_SECURE=True, WTF_CSRF_ENABLED=True)
    yield
    app.config.update(SESSION_COOKIE_SECURE=False, WTF_CSRF_ENABLED=False)


HTTPS_ONLY = "本系统已设置为仅通过 HTTPS 访问"


def test_https_only_cookies_over_plain_http_are_explained_on_the_login_page(client, https_only):
    assert HTTPS_ONLY in client.get("/login").get_data(as_text=True)


def test_a_login_over_plain_http_is_not_called_an_expired_form(client, branch_user, https_only):
    client.get("/login")  # the browser drops the Secure session cookie: no CSRF token comes back
    response = client.post("/login", data={"username": "zhang", "password": "secret-pass-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert HTTPS_ONLY in page and "SESSION_COOKIE_SECURE=false" in page and "表单已过期" not in page


def test_over_https_the_login_page_has_no_warning(app, branch_user, https_only):
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    assert HTTPS_ONLY not in page
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                           data={"username": "zhang", "password": "secret-pass-1", "csrf_token": token})
    assert response.status_code == 302


def test_https_through_a_trusted_proxy_counts_as_https(https_only):
    from support import fresh_app

    proxied = fresh_app(PROXY_FIX_X_FOR=1, SESSION_COOKIE_SECURE=True)
    page = proxied.test_client().get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"})
    assert HTTPS_ONLY not in page.get_data(as_text=True)
